"""evalkit: reproduce published omni-model benchmark scores with their official protocols."""

__version__ = "0.1.0"
