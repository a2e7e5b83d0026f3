"""Scorers by name. Scoring modules register their factories with `@register_scorer`; every module of
evalkit.scoring is imported on first lookup so that registration needs no central table."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from evalkit.scoring.base import Scorer

_FACTORIES: dict[str, Callable[..., Scorer]] = {}


def register_scorer(name: str) -> Callable[[Callable[..., Scorer]], Callable[..., Scorer]]:
    def decorate(factory: Callable[..., Scorer]) -> Callable[..., Scorer]:
        if name in _FACTORIES:
            raise ValueError(f"scorer {name!r} is registered twice")
        _FACTORIES[name] = factory
        return factory

    return decorate


def _import_scoring_modules() -> None:
    import evalkit.scoring as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"evalkit.scoring.{info.name}")


def scorer_names() -> list[str]:
    _import_scoring_modules()
    return sorted(_FACTORIES)


def build_scorer(name: str, **options: Any) -> Scorer:
    names = scorer_names()
    if name not in _FACTORIES:
        raise KeyError(f"unknown scorer {name!r}; valid scorers: {', '.join(names)}")
    return _FACTORIES[name](**options)
