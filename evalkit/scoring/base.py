"""The scorer contract shared by every benchmark, and the one outcome policy.

A scorer turns (prediction, reference) pairs into per-sample score records, and aggregates a list of records
into one number in the paper's units. Corpus metrics (WER, BLEU) keep additive sufficient statistics in each
record so that `aggregate` on any subset or bootstrap resample recomputes the corpus metric exactly.

Every sample ends in one of three outcomes: scored; failed (no prediction: the engine, the media or the output
failed, with its reason in the run's records); or excluded, when the benchmark's official script leaves it out
of its denominator (Video-MME: no letter extracted; MMAU: no model output). Two numbers follow:
- official: `aggregate` over the samples not excluded, the benchmark's own denominator;
- strict: `aggregate` over every sample, each failed or excluded one scored as the scorer scores a miss (wrong,
  or an empty hypothesis), so nothing the model did not answer can raise the number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from evalkit.types import MediaRef


@dataclass(frozen=True)
class ScoreInput:
    """One sample as a scorer sees it. `prediction` is None when the sample failed before scoring."""

    sample_id: str
    prediction: str | None
    reference: Any
    categories: Mapping[str, str] = field(default_factory=dict)
    # numbers measured on the model's output before scoring (a spoken answer's speaker similarity)
    measurements: Mapping[str, float] = field(default_factory=dict)
    # the sample's media, for a judge that must see them (MM-MT-Bench's image); given in a run, empty where only
    # a run folder's records are at hand (they keep the media's hashes, not the media)
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class PredictionFiles:
    """What `evalkit score` is given: a predictions file or folder in a benchmark's official format, a references
    file for formats that keep the answers apart, the speech text normalizer (None: "qwen"), and `strict`: also read
    the items the official script would not see at all (MMMU eval-only: answer-dict ids without a prediction)."""

    predictions: Path
    references: Path | None = None
    normalizer: str | None = None
    strict: bool = False


@dataclass(frozen=True)
class SampleScore:
    """Per-sample outcome. `stats` holds the additive quantities `aggregate` needs (e.g. errors, ref_words,
    correct); `extracted` is the parsed answer; `fallback` marks a random/default choice made by the parser."""

    sample_id: str
    stats: Mapping[str, float]
    extracted: str | None = None
    fallback: bool = False
    failed: bool = False
    excluded: bool = False  # outside the official denominator; its stats still count it as a miss (strict)
    categories: Mapping[str, str] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)


class AnyScorer(Protocol):
    """What every scorer has, one that scores by itself (`Scorer`) or one that needs a judge
    (evalkit.judges.panel.JudgedScorer): its metric and how per-sample stats combine. The members are read-only:
    a scorer may hold them as fields, class attributes or properties."""

    @property
    def name(self) -> str: ...

    @property
    def metric(self) -> str:
        """"WER", "CER", "BLEU", "accuracy", ..."""
        ...

    @property
    def lower_is_better(self) -> bool: ...

    @property
    def official_denominator(self) -> str:
        """Which samples the official number counts, in words (scores.json, reports)."""
        ...

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """The metric in the paper's units (% for accuracy/WER/CER, 0-100 BLEU)."""
        ...


@runtime_checkable
class Scorer(AnyScorer, Protocol):
    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        """Score in order; order matters for official parsers that draw seeded random fallbacks."""
        ...


@dataclass(frozen=True)
class Aggregate:
    """A task's two numbers with their counts. `value` and `by_category` are official (excluded samples left
    out); `strict_value` counts every sample. `denominator` is how many samples the official number counts."""

    metric: str
    value: float
    strict_value: float
    n: int
    n_failed: int
    n_excluded: int
    n_fallback: int
    by_category: dict[str, float]

    @property
    def denominator(self) -> int:
        return self.n - self.n_excluded


def official_scores(scores: Sequence[SampleScore]) -> list[SampleScore]:
    """The samples the benchmark's official denominator counts."""
    return [s for s in scores if not s.excluded]


def in_place_official(scores: Sequence[SampleScore]) -> list[SampleScore]:
    """Every sample in its place, the excluded ones with zero stats: aggregating any subset gives the official
    number of that subset (stats are additive), so two runs can be resampled pairwise sample by sample."""
    return [replace(s, stats=dict.fromkeys(s.stats, 0.0)) if s.excluded else s for s in scores]


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


def aggregate_with_categories(scorer: AnyScorer, scores: Sequence[SampleScore]) -> Aggregate:
    """The official and strict values plus one official value per category (subject, task, duration, ...)."""
    official = official_scores(scores)
    groups = category_groups(official)
    return Aggregate(
        metric=scorer.metric,
        value=scorer.aggregate(official),
        strict_value=scorer.aggregate(scores),
        n=len(scores),
        n_failed=sum(s.failed for s in scores),
        n_excluded=len(scores) - len(official),
        n_fallback=sum(s.fallback for s in scores),
        by_category={name: scorer.aggregate(group) for name, group in sorted(groups.items())},
    )
