"""The scorer contract shared by every benchmark.

A scorer turns (prediction, reference) pairs into per-sample score records, and aggregates a list of records
into one number in the paper's units. Corpus metrics (WER, BLEU) keep additive sufficient statistics in each
record so that `aggregate` on any subset or bootstrap resample recomputes the corpus metric exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence


@dataclass(frozen=True)
class ScoreInput:
    """One sample as a scorer sees it. `prediction` is None when the sample failed before scoring."""

    sample_id: str
    prediction: str | None
    reference: Any
    categories: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SampleScore:
    """Per-sample outcome. `stats` holds the additive quantities `aggregate` needs (e.g. errors, ref_words,
    correct); `extracted` is the parsed answer; `fallback` marks a random/default choice made by the parser."""

    sample_id: str
    stats: Mapping[str, float]
    extracted: str | None = None
    fallback: bool = False
    failed: bool = False
    categories: Mapping[str, str] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)


class Scorer(Protocol):
    """Optionally also `secondary(scores) -> dict[str, float]`, for a benchmark that reports more than one
    reading (Video-MME: accuracy over answered items, the official headline, and over all items)."""

    name: str
    metric: str  # "WER", "CER", "BLEU", "accuracy", "micro-F1", ...
    lower_is_better: bool

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        """Score in order; order matters for official parsers that draw seeded random fallbacks."""
        ...

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """The metric in the paper's units (% for accuracy/WER/CER, 0-100 BLEU)."""
        ...


@dataclass(frozen=True)
class Aggregate:
    metric: str
    value: float
    n: int
    n_failed: int
    n_fallback: int
    by_category: dict[str, float]
    secondary: dict[str, float] = field(default_factory=dict)


def category_groups(scores: Sequence[SampleScore]) -> dict[str, list[SampleScore]]:
    """Group samples by each category value. A group is named by the value alone ("music", "short"), as the
    official breakdown tables name them; a value that occurs under two keys is named "key=value" instead."""
    keys_of_value: dict[str, set[str]] = {}
    for s in scores:
        for key, value in s.categories.items():
            keys_of_value.setdefault(value, set()).add(key)
    groups: dict[str, list[SampleScore]] = {}
    for s in scores:
        for key, value in s.categories.items():
            name = value if len(keys_of_value[value]) == 1 else f"{key}={value}"
            groups.setdefault(name, []).append(s)
    return groups


def aggregate_with_categories(scorer: Scorer, scores: Sequence[SampleScore]) -> Aggregate:
    """Overall value plus one value per category (subject, task, difficulty, duration, source, ...)."""
    groups = category_groups(scores)
    return Aggregate(
        metric=scorer.metric,
        value=scorer.aggregate(scores),
        n=len(scores),
        n_failed=sum(s.failed for s in scores),
        n_fallback=sum(s.fallback for s in scores),
        by_category={name: scorer.aggregate(group) for name, group in sorted(groups.items())},
        secondary=scorer.secondary(scores) if hasattr(scorer, "secondary") else {},
    )
