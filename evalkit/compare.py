"""The regression gate between two runs on the same samples: per task, the paired bootstrap interval of B - A
(of the official numbers), McNemar's exact test and the flipped samples for right/wrong tasks, and whether B
regressed beyond a threshold. McNemar and the flips pair items answered in both runs: an item one run failed or
left unanswered (excluded by the benchmark's protocol) is no flip; how many there were is shown per run.

Runs that cover different tasks or different samples are not compared at all: the mismatch is reported, never
silently intersected, because a score on a different sample set is a different number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from evalkit.run_folder import RunFolder, SampleRecord, TaskScore
from evalkit.scoring.base import in_place_official
from evalkit.scoring.registry import build_scorer
from evalkit.stats import McNemarResult, PairedDifference, mcnemar_exact, paired_difference, sample_correct

_SHOWN_IDS = 10  # sample ids listed per mismatch


class IncomparableRuns(ValueError):
    """The two runs cannot be compared; the message lists every mismatch."""


@dataclass(frozen=True)
class Thresholds:
    """How much worse (in the metric's units) a task may get before the gate fails, per task or by default."""

    default: float = 0.0
    per_task: Mapping[str, float] = field(default_factory=dict)

    def of(self, task: str) -> float:
        return self.per_task.get(task, self.default)

    @classmethod
    def parse(cls, specs: list[str]) -> Thresholds:
        """`0.5` sets the default; `task=1.0` sets one task. Values are non-negative metric units."""
        default, per_task = 0.0, {}
        for spec in specs:
            name, _, text = spec.rpartition("=")
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"--threshold {spec!r}: expected a number or TASK=NUMBER") from None
            if value < 0:
                raise ValueError(f"--threshold {spec!r}: a threshold is how much worse is tolerated, so >= 0")
            if name:
                per_task[name] = value
            else:
                default = value
        return cls(default=default, per_task=per_task)


@dataclass(frozen=True)
class TaskComparison:
    task: str
    metric: str
    lower_is_better: bool
    n: int
    difference: PairedDifference  # B - A
    threshold: float
    mcnemar: McNemarResult | None  # right/wrong tasks only, over the items answered in both runs
    right_to_wrong: tuple[str, ...]  # sample ids right in A, wrong in B (both answered)
    wrong_to_right: tuple[str, ...]
    n_answered_both: int
    unanswered_a: int  # failed or excluded in A
    unanswered_b: int
    # sample ids whose output text differs: between two runs of one config (e.g. runner.batch_size=1 against
    # the default) this is the engine's nondeterminism, the floor under any score difference
    output_changed: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def worsening(self) -> float:
        """How much worse B is than A, in metric units (negative when B is better)."""
        delta = self.difference.delta
        return delta if self.lower_is_better else -delta

    @property
    def significant(self) -> bool:
        interval = self.difference.interval
        return interval.low > 0 or interval.high < 0

    @property
    def regressed(self) -> bool:
        return self.worsening > self.threshold and self.significant


@dataclass(frozen=True)
class Comparison:
    run_a: str
    run_b: str
    tasks: tuple[TaskComparison, ...]

    @property
    def regressed(self) -> bool:
        return any(t.regressed for t in self.tasks)


def compare_runs(run_a: RunFolder, run_b: RunFolder, thresholds: Thresholds) -> Comparison:
    problems = _task_set_problems(run_a, run_b)
    for task in sorted(set(run_a.scores) & set(run_b.scores)):
        problems += _sample_set_problems(task, run_a.records(task), run_b.records(task))
        score_a, score_b = run_a.scores[task], run_b.scores[task]
        if (score_a.metric, score_a.lower_is_better) != (score_b.metric, score_b.lower_is_better):
            problems.append(f"task {task}: metric {score_a.metric} in A but {score_b.metric} in B")
    unknown = sorted(set(thresholds.per_task) - set(run_a.scores))
    if unknown:
        problems.append(f"--threshold names task(s) not in the runs: {', '.join(unknown)}")
    if problems:
        raise IncomparableRuns("\n".join(problems))
    compared = tuple(_compare_task(run_a, run_b, task, thresholds.of(task)) for task in sorted(run_a.scores))
    return Comparison(run_a=str(run_a.path), run_b=str(run_b.path), tasks=compared)


def _task_set_problems(run_a: RunFolder, run_b: RunFolder) -> list[str]:
    only_a, only_b = sorted(set(run_a.scores) - set(run_b.scores)), sorted(set(run_b.scores) - set(run_a.scores))
    problems = []
    if only_a:
        problems.append(f"tasks only in A ({run_a.path}): {', '.join(only_a)}")
    if only_b:
        problems.append(f"tasks only in B ({run_b.path}): {', '.join(only_b)}")
    return problems


def _sample_set_problems(task: str, records_a: list[SampleRecord], records_b: list[SampleRecord]) -> list[str]:
    ids_a, ids_b = [r.sample_id for r in records_a], [r.sample_id for r in records_b]
    if not ids_a:
        return [f"task {task}: no samples in samples.jsonl of A"]
    if ids_a == ids_b:
        return []
    only_a, only_b = sorted(set(ids_a) - set(ids_b)), sorted(set(ids_b) - set(ids_a))
    if not only_a and not only_b:
        return [f"task {task}: same sample ids in a different order (dataset order changed between the runs)"]
    problems = []
    for side, ids in (("A", only_a), ("B", only_b)):
        if ids:
            shown = ", ".join(ids[:_SHOWN_IDS]) + (f", ... ({len(ids)} in all)" if len(ids) > _SHOWN_IDS else "")
            problems.append(f"task {task}: {len(ids)} sample(s) only in {side}: {shown}")
    return problems


def _compare_task(run_a: RunFolder, run_b: RunFolder, task: str, threshold: float) -> TaskComparison:
    score_a, score_b = run_a.scores[task], run_b.scores[task]
    records_a, records_b = run_a.records(task), run_b.records(task)
    scores_a = [r.to_sample_score() for r in records_a]
    scores_b = [r.to_sample_score() for r in records_b]
    difference = paired_difference(
        _scorer(score_a), in_place_official(scores_a), _scorer(score_b), in_place_official(scores_b),
        [r.cluster for r in records_a], run_a.stats_config,
    )
    answered_a, answered_b = [_answered(r) for r in records_a], [_answered(r) for r in records_b]
    both = [i for i, (a, b) in enumerate(zip(answered_a, answered_b, strict=True)) if a and b]
    # every sample plainly right or wrong (not an error-rate task): then `is True` reads each verdict as it is
    right_wrong = all(c is not None for c in (*map(sample_correct, scores_a), *map(sample_correct, scores_b)))
    correct_a = [sample_correct(scores_a[i]) is True for i in both]
    correct_b = [sample_correct(scores_b[i]) is True for i in both]
    ids = [records_a[i].sample_id for i in both]
    return TaskComparison(
        task=task,
        metric=score_a.metric,
        lower_is_better=score_a.lower_is_better,
        n=len(records_a),
        difference=difference,
        threshold=threshold,
        mcnemar=mcnemar_exact(correct_a, correct_b) if right_wrong else None,
        right_to_wrong=tuple(i for i, a, b in zip(ids, correct_a, correct_b, strict=True)
                             if right_wrong and a and not b),
        wrong_to_right=tuple(i for i, a, b in zip(ids, correct_a, correct_b, strict=True)
                             if right_wrong and b and not a),
        n_answered_both=len(both),
        unanswered_a=len(records_a) - sum(answered_a),
        unanswered_b=len(records_b) - sum(answered_b),
        output_changed=tuple(a.sample_id for a, b in zip(records_a, records_b, strict=True)
                             if _output(a) != _output(b)),
        notes=tuple(_notes(score_a, score_b, difference)),
    )


def _answered(record: SampleRecord) -> bool:
    return not (record.failed or record.excluded)


def _output(record: SampleRecord) -> str | None:
    return (record.response or {}).get("text")


def _scorer(score: TaskScore):
    return build_scorer(score.scorer["name"], **score.scorer.get("options", {}))


def _notes(score_a: TaskScore, score_b: TaskScore, difference: PairedDifference) -> list[str]:
    """Things a reader of the gate must know: the runs scored differently, or scores.json disagrees with the
    official value recomputed from samples (e.g. a version 1 run that left failed samples out)."""
    notes = []
    if score_a.scorer != score_b.scorer:
        notes.append(f"scorers differ: A {score_a.scorer}, B {score_b.scorer}")
    for side, score, value in (("A", score_a, difference.value_a), ("B", score_b, difference.value_b)):
        if score.value is None:
            notes.append(f"{side}: the task was NOT SCORED (a judged task run without a judge)")
        elif abs(score.value - value) > 1e-6 * max(1.0, abs(value)):
            notes.append(
                f"{side}: scores.json says {score.value:.4f}, samples recompute to {value:.4f} (official denominator)"
            )
    return notes
