"""Bootstrap intervals, paired differences and McNemar's test against hand-computed and simulated answers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from evalkit.config import StatsConfig
from evalkit.scoring.base import SampleScore
from evalkit.stats import (
    CLUSTER_PERCENTILE,
    PERCENTILE,
    Units,
    bootstrap_interval,
    bootstrap_replicates,
    mcnemar_exact,
    paired_difference,
    sample_correct,
)


class Accuracy:
    name, metric, lower_is_better = "acc", "accuracy", False

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return 100.0 * sum(s.stats["correct"] for s in scores) / sum(s.stats["total"] for s in scores)


class CorpusErrorRate:
    name, metric, lower_is_better = "wer", "WER", True

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return 100.0 * sum(s.stats["errors"] for s in scores) / sum(s.stats["ref_words"] for s in scores)


class MeanUtteranceRate(CorpusErrorRate):
    """Not additive: a mean of per-utterance rates. Must take the per-resample path and still be exact."""

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return 100.0 * float(np.mean([s.stats["errors"] / s.stats["ref_words"] for s in scores]))


class OpaqueErrorRate(CorpusErrorRate):
    """Additive, but refuses the collapsed record (as a scorer reading `detail` would): the general path."""

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        if any(s.sample_id == "<resample>" for s in scores):
            raise KeyError("detail")
        return super().aggregate(scores)


def acc(values: Sequence[int]) -> list[SampleScore]:
    return [SampleScore(str(i), {"correct": float(v), "total": 1.0}) for i, v in enumerate(values)]


def utterances(pairs: Sequence[tuple[int, int]]) -> list[SampleScore]:
    return [SampleScore(str(i), {"errors": float(e), "ref_words": float(r)}) for i, (e, r) in enumerate(pairs)]


def frequencies(values: np.ndarray) -> dict[float, float]:
    keys, counts = np.unique(np.round(values, 6), return_counts=True)
    return {float(k): c / len(values) for k, c in zip(keys, counts, strict=True)}


def test_corpus_metric_is_recomputed_on_each_resample():
    # Two utterances, 1/2 and 3/4 errors. Resamples {1,1}, {1,2} (twice as likely), {2,2} give corpus rates
    # 2/4, 4/6, 6/8. A mean of utterance rates would give 62.5 for the mixed resample instead of 66.67.
    scores = utterances([(1, 2), (3, 4)])
    replicates = bootstrap_replicates(CorpusErrorRate(), scores, Units.from_clusters([None, None]), StatsConfig(20000))
    freq = frequencies(replicates)
    assert sorted(freq) == [50.0, 66.666667, 75.0]
    assert freq[50.0] == pytest.approx(0.25, abs=0.015)
    assert freq[66.666667] == pytest.approx(0.50, abs=0.015)
    assert freq[75.0] == pytest.approx(0.25, abs=0.015)


def test_non_additive_scorer_takes_the_exact_general_path():
    scores = utterances([(1, 2), (3, 4)])
    replicates = bootstrap_replicates(MeanUtteranceRate(), scores, Units.from_clusters([None, None]), StatsConfig(4000))
    assert sorted(frequencies(replicates)) == [50.0, 62.5, 75.0]


def test_fast_and_general_paths_agree_exactly():
    rng = np.random.default_rng(3)
    scores = utterances(list(zip(rng.integers(0, 4, 300), rng.integers(3, 15, 300), strict=True)))
    units = Units.from_clusters([f"c{i // 4}" for i in range(300)])
    config = StatsConfig(bootstrap_iterations=200, seed=11)
    fast = bootstrap_replicates(CorpusErrorRate(), scores, units, config)
    general = bootstrap_replicates(OpaqueErrorRate(), scores, units, config)
    np.testing.assert_allclose(fast, general, rtol=1e-12)


def test_accuracy_interval_matches_the_enumerated_bootstrap_distribution():
    # Samples right, right, wrong: the resampled number right is Binomial(3, 2/3), so the metric is 0, 33.3, 66.7,
    # 100 with probabilities 1/27, 6/27, 12/27, 8/27 (cumulative .037, .259, .704, 1). A 60% interval takes the
    # 20th and 80th percentiles: 33.33 and 100.
    interval = bootstrap_interval(Accuracy(), acc([1, 1, 0]), [None] * 3, StatsConfig(20000, confidence=0.6, seed=5))
    assert interval.low == pytest.approx(100 / 3)
    assert interval.high == pytest.approx(100.0)
    assert (interval.method, interval.iterations, interval.confidence) == (PERCENTILE, 20000, 0.6)


def test_interval_width_matches_the_binomial_standard_error():
    # p = 0.7, n = 2000: the bootstrap standard error is sqrt(p(1-p)/n) = 1.025 points; a 95% interval spans
    # about 2 * 1.96 * 1.025 = 4.02 points.
    scores = acc([1] * 1400 + [0] * 600)
    interval = bootstrap_interval(Accuracy(), scores, [None] * 2000, StatsConfig(4000))
    assert interval.high - interval.low == pytest.approx(4.02, rel=0.08)
    assert interval.low < 70.0 < interval.high


def test_coverage_of_the_95_percent_interval():
    rng = np.random.default_rng(2024)
    true_p, n, draws = 0.7, 150, 200
    covered = 0
    for draw in range(draws):
        scores = acc(rng.random(n) < true_p)
        interval = bootstrap_interval(Accuracy(), scores, [None] * n, StatsConfig(500, seed=draw))
        covered += interval.low <= 100 * true_p <= interval.high
    assert 0.90 <= covered / draws <= 0.99


def test_clustered_interval_is_wider_on_clustered_data():
    # 60 videos x 8 questions; a video's questions are all right or all wrong: only 60 independent outcomes.
    rng = np.random.default_rng(7)
    video_right = rng.random(60) < 0.6
    scores = acc(np.repeat(video_right, 8))
    clusters = [f"video{i // 8}" for i in range(480)]
    config = StatsConfig(2000)
    clustered = bootstrap_interval(Accuracy(), scores, clusters, config)
    plain = bootstrap_interval(Accuracy(), scores, [None] * 480, config)
    assert clustered.method == CLUSTER_PERCENTILE and clustered.cluster_key == "cluster"
    # perfectly correlated clusters of 8: the width grows by about sqrt(8) = 2.8
    assert 2.2 < (clustered.high - clustered.low) / (plain.high - plain.low) < 3.5


def test_singleton_clusters_are_the_plain_bootstrap():
    scores = acc([1, 0, 1, 1, 0, 1, 1, 1])
    config = StatsConfig(300, seed=4)
    singletons = bootstrap_interval(Accuracy(), scores, [f"c{i}" for i in range(8)], config)
    plain = bootstrap_interval(Accuracy(), scores, [None] * 8, config)
    assert (singletons.low, singletons.high, singletons.method) == (plain.low, plain.high, PERCENTILE)


def test_same_seed_same_interval_and_another_seed_differs():
    scores = acc(np.random.default_rng(1).random(500) < 0.5)
    first = bootstrap_interval(Accuracy(), scores, [None] * 500, StatsConfig(500, seed=1))
    again = bootstrap_interval(Accuracy(), scores, [None] * 500, StatsConfig(500, seed=1))
    other = bootstrap_interval(Accuracy(), scores, [None] * 500, StatsConfig(500, seed=2))
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)


def test_paired_difference_of_a_run_with_itself_is_exactly_zero():
    scores = acc(np.random.default_rng(2).random(300) < 0.6)
    result = paired_difference(Accuracy(), scores, Accuracy(), scores, [None] * 300, StatsConfig(500))
    assert (result.delta, result.interval.low, result.interval.high) == (0.0, 0.0, 0.0)


def test_paired_interval_is_narrower_than_independent_intervals():
    # B differs from A on 6 of 400 samples (4 lost, 2 gained): delta -0.5 points.
    a = (np.random.default_rng(9).random(400) < 0.6).astype(int)
    b = a.copy()
    right, wrong = np.flatnonzero(a == 1)[:4], np.flatnonzero(a == 0)[:2]
    b[right], b[wrong] = 0, 1
    config = StatsConfig(2000)
    result = paired_difference(Accuracy(), acc(a), Accuracy(), acc(b), [None] * 400, config)
    assert result.delta == pytest.approx(-0.5)
    alone = bootstrap_interval(Accuracy(), acc(a), [None] * 400, config)
    assert result.interval.high - result.interval.low < 0.4 * (alone.high - alone.low)


def test_paired_difference_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="same samples"):
        paired_difference(Accuracy(), acc([1, 0]), Accuracy(), acc([1]), [None, None], StatsConfig(10))


def test_mcnemar_exact_hand_cases():
    # 5 discordant pairs one way, 1 the other: p = 2 * (C(6,0) + C(6,1)) / 2^6 = 14/64
    a = [1, 1, 1, 1, 1, 0, 1, 0]
    b = [0, 0, 0, 0, 0, 1, 1, 0]
    result = mcnemar_exact([bool(x) for x in a], [bool(x) for x in b])
    assert (result.a_only, result.b_only) == (5, 1)
    assert result.p_value == pytest.approx(14 / 64)
    # 3 discordant, all one way: p = 2 / 2^3
    assert mcnemar_exact([True] * 3, [False] * 3).p_value == pytest.approx(0.25)
    assert mcnemar_exact([True, False], [True, False]).p_value == 1.0


def test_sample_correct_only_for_single_question_stats():
    assert sample_correct(SampleScore("a", {"correct": 1.0, "total": 1.0})) is True
    assert sample_correct(SampleScore("a", {"correct": 0.0, "total": 1.0})) is False
    assert sample_correct(SampleScore("a", {"errors": 2.0, "ref_words": 9.0})) is None


def test_empty_task_is_a_clear_error():
    with pytest.raises(ValueError, match="empty task"):
        bootstrap_interval(Accuracy(), [], [], StatsConfig())
