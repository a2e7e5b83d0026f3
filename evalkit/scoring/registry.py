"""Scorers by name. Scoring modules register their factories with `@register_scorer`; every module of
evalkit.scoring is imported on first lookup so that registration needs no central table."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from evalkit.scoring.base import Scorer

if TYPE_CHECKING:  # evalkit.judges imports the scoring modules
    from evalkit.judges.panel import JudgedScorer

Factory = Callable[..., "Scorer | JudgedScorer"]
_FACTORIES: dict[str, Factory] = {}


def register_scorer(name: str) -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
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


def build_scorer(name: str, **options: Any) -> Scorer | JudgedScorer:
    names = scorer_names()
    if name not in _FACTORIES:
        raise KeyError(f"unknown scorer {name!r}; valid scorers: {', '.join(names)}")
    return _FACTORIES[name](**options)


def build_unjudged_scorer(name: str, **options: Any) -> Scorer:
    """A scorer that scores by itself, where no judge can be given (a macro average's groups, the benchmarks)."""
    scorer = build_scorer(name, **options)
    if not isinstance(scorer, Scorer):
        raise ValueError(f"scorer {name!r} needs a judge (evalkit.judges); it cannot be used without one here")
    return scorer
