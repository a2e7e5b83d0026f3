"""LLM judges: typed specs (spec.py), each benchmark's official judge (official.py, templates.py), verdict
parsers (verdicts.py), the cached, fail-closed engine over evalkit's runners (engine.py), pre-flight checks
(preflight.py), the hook into scoring (panel.py) and agreement between two judges (agreement.py)."""
