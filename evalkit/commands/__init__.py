"""Subcommands of the `evalkit` console script, one per module."""
