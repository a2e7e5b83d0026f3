"""Confidence intervals and paired tests for any scorer.

Every bootstrap replicate recomputes the scorer's corpus metric on a resample (a corpus WER is total errors over
total reference words of the resample, never a mean of per-utterance rates). Resampling is by unit: a unit is a
cluster of samples that share `SampleRecord.cluster` (the questions of one video), or a single sample.

A resample is a vector of counts per unit (how often each unit was drawn). Scorers whose aggregate depends only
on the summed per-sample stats (accuracy, WER, BLEU: the contract in evalkit/scoring/base.py) take a fast path:
one matrix product gives every replicate's summed stats, and `aggregate` sees one record holding those sums.
Whether a scorer qualifies is checked, not assumed: the collapsed record must reproduce `aggregate` exactly on
the full data and on random subsets; otherwise `aggregate` runs on each resample's full record list.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from evalkit.config import StatsConfig
from evalkit.run_folder import Interval, SampleRecord
from evalkit.scoring.base import AnyScorer, SampleScore

PERCENTILE = "percentile bootstrap"
CLUSTER_PERCENTILE = "cluster percentile bootstrap"
_BLOCK_CELLS = 4_000_000  # counts-matrix cells per block: bounds memory at ~32 MB whatever the data size
_EXACT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Units:
    """How samples group into resampling units: `of_sample[i]` is the unit of sample i."""

    of_sample: np.ndarray
    count: int
    clustered: bool  # True when at least one unit holds more than one sample

    @classmethod
    def from_clusters(cls, clusters: Sequence[str | None]) -> Units:
        codes: dict[str, int] = {}
        of_sample = np.empty(len(clusters), dtype=np.int64)
        next_code = 0
        for i, cluster in enumerate(clusters):
            if cluster is None:  # a sample without a cluster is its own unit
                of_sample[i] = next_code
                next_code += 1
            else:
                if cluster not in codes:
                    codes[cluster] = next_code
                    next_code += 1
                of_sample[i] = codes[cluster]
        return cls(of_sample=of_sample, count=next_code, clustered=next_code < len(clusters))


@dataclass(frozen=True)
class PairedDifference:
    """Run B minus run A on the same samples, with the bootstrap interval of that difference."""

    value_a: float
    value_b: float
    delta: float
    interval: Interval


@dataclass(frozen=True)
class McNemarResult:
    a_only: int  # right in A, wrong in B
    b_only: int  # wrong in A, right in B
    p_value: float  # exact two-sided: binomial(a_only + b_only, 1/2)


def bootstrap_interval(
    scorer: AnyScorer, scores: Sequence[SampleScore], clusters: Sequence[str | None], config: StatsConfig
) -> Interval:
    """Percentile bootstrap interval of `scorer.aggregate(scores)`; clustered when samples share a cluster."""
    units = Units.from_clusters(clusters)
    replicates = bootstrap_replicates(scorer, scores, units, config)
    return _percentile_interval(replicates, units, config)


def record_interval(scorer: AnyScorer, records: Sequence[SampleRecord], config: StatsConfig) -> Interval:
    """The interval of the metric over these records as samples.jsonl holds them (pass the official ones, those
    not excluded, for the interval of the value in scores.json)."""
    return bootstrap_interval(scorer, [r.to_sample_score() for r in records], [r.cluster for r in records], config)


def paired_difference(
    scorer_a: AnyScorer,
    scores_a: Sequence[SampleScore],
    scorer_b: AnyScorer,
    scores_b: Sequence[SampleScore],
    clusters: Sequence[str | None],
    config: StatsConfig,
) -> PairedDifference:
    """B - A with a paired bootstrap: each replicate draws the same units for both runs, so per-sample
    agreement between the runs narrows the interval. `scores_a[i]` and `scores_b[i]` must be the same sample."""
    if len(scores_a) != len(scores_b):
        raise ValueError(f"paired bootstrap needs the same samples in both runs ({len(scores_a)} vs {len(scores_b)})")
    units = Units.from_clusters(clusters)
    difference = bootstrap_replicates(scorer_b, scores_b, units, config) - bootstrap_replicates(
        scorer_a, scores_a, units, config
    )
    value_a, value_b = scorer_a.aggregate(scores_a), scorer_b.aggregate(scores_b)
    return PairedDifference(value_a, value_b, value_b - value_a, _percentile_interval(difference, units, config))


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> McNemarResult:
    """McNemar's exact test: under "no difference" each discordant pair is equally likely to go either way."""
    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    a_only, b_only = int(np.sum(a & ~b)), int(np.sum(~a & b))
    discordant = a_only + b_only
    from scipy.stats import binomtest  # imported here: scipy.stats costs ~0.7 s at every run's start

    p_value = binomtest(a_only, discordant, 0.5).pvalue if discordant else 1.0
    return McNemarResult(a_only=a_only, b_only=b_only, p_value=float(p_value))


def sample_correct(score: SampleScore) -> bool | None:
    """Right or wrong for samples scored as one question (stats correct/total with total 1); None otherwise."""
    stats = score.stats
    if "correct" not in stats or stats.get("total", 1.0) != 1.0:
        return None
    return bool(stats["correct"] >= 1.0)


def bootstrap_replicates(
    scorer: AnyScorer, scores: Sequence[SampleScore], units: Units, config: StatsConfig
) -> np.ndarray:
    """`config.bootstrap_iterations` values of the metric, one per resample of units (seeded by config.seed)."""
    if not scores:
        raise ValueError("cannot bootstrap an empty task: it has no scored samples")
    if len(scores) != len(units.of_sample):
        raise ValueError(f"{len(scores)} scores but {len(units.of_sample)} cluster labels")
    keys = sorted({key for s in scores for key in s.stats})
    stats = np.array([[float(s.stats.get(key, 0.0)) for key in keys] for s in scores], dtype=np.float64)
    unit_stats = np.zeros((units.count, len(keys)))
    np.add.at(unit_stats, units.of_sample, stats)
    blocks = _count_blocks(config, units.count)
    if _aggregates_summed_stats(scorer, scores, keys, stats, config.seed):
        return np.concatenate(
            [[_aggregate_sums(scorer, keys, row) for row in counts @ unit_stats] for counts in blocks]
        )
    members: list[list[SampleScore]] = [[] for _ in range(units.count)]
    for score, unit in zip(scores, units.of_sample, strict=True):
        members[unit].append(score)
    return np.array([_aggregate_resample(scorer, members, row) for counts in blocks for row in counts])


def _aggregate_resample(scorer: AnyScorer, members: list[list[SampleScore]], counts: np.ndarray) -> float:
    drawn = np.repeat(np.arange(len(members)), counts.astype(np.int64))
    return scorer.aggregate([score for unit in drawn for score in members[unit]])


def _count_blocks(config: StatsConfig, n_units: int) -> Iterator[np.ndarray]:
    """Resamples as count matrices (iterations x units), drawn in blocks; the same config gives the same draws,
    which is what pairs two runs' replicates."""
    if config.bootstrap_iterations < 1:
        raise ValueError(f"stats.bootstrap_iterations must be >= 1, got {config.bootstrap_iterations}")
    rng = np.random.default_rng(config.seed)
    rows_per_block = max(1, _BLOCK_CELLS // n_units)
    remaining = config.bootstrap_iterations
    while remaining:
        rows = min(rows_per_block, remaining)
        draws = rng.integers(0, n_units, size=(rows, n_units))
        flat = (draws + n_units * np.arange(rows)[:, None]).ravel()
        yield np.bincount(flat, minlength=rows * n_units).reshape(rows, n_units).astype(np.float64)
        remaining -= rows


def _aggregate_sums(scorer: AnyScorer, keys: list[str], sums: np.ndarray) -> float:
    return scorer.aggregate([SampleScore(sample_id="<resample>", stats=dict(zip(keys, sums.tolist(), strict=True)))])


def _aggregates_summed_stats(
    scorer: AnyScorer, scores: Sequence[SampleScore], keys: list[str], stats: np.ndarray, seed: int
) -> bool:
    """True when `aggregate` of one record holding summed stats equals `aggregate` of the records themselves,
    on the whole task and on random subsets with repeats (as resamples have)."""
    rng = np.random.default_rng(seed + 1)
    n = len(scores)
    subsets = [np.arange(n)] + [rng.integers(0, n, size=max(1, n // (2 + k))) for k in range(3)]
    for subset in subsets:
        expected = scorer.aggregate([scores[int(i)] for i in subset])
        try:
            collapsed = _aggregate_sums(scorer, keys, stats[subset].sum(axis=0))
        except Exception:  # noqa: BLE001 - the scorer reads more than stats (categories, detail): general path
            return False
        if not math.isclose(collapsed, expected, rel_tol=_EXACT_TOLERANCE, abs_tol=_EXACT_TOLERANCE):
            return False
    return True


def _percentile_interval(replicates: np.ndarray, units: Units, config: StatsConfig) -> Interval:
    if not 0.0 < config.confidence < 1.0:
        raise ValueError(f"stats.confidence must be between 0 and 1, got {config.confidence}")
    alpha = 1.0 - config.confidence
    low, high = np.quantile(replicates, [alpha / 2, 1.0 - alpha / 2])
    return Interval(
        low=float(low),
        high=float(high),
        confidence=config.confidence,
        iterations=config.bootstrap_iterations,
        method=CLUSTER_PERCENTILE if units.clustered else PERCENTILE,
        cluster_key="cluster" if units.clustered else None,
    )
