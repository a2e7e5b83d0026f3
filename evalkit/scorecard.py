"""Scoring a task's records: split reasoning, run the task's scorer in dataset order, aggregate with the
official breakdowns and a bootstrap interval. Used by `evalkit run`, `evalkit rescore` and `evalkit score`
on a samples.jsonl, so a finished run can always be re-scored without the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from evalkit.config import RunConfig, StatsConfig, TaskConfig
from evalkit.judges.panel import JudgedScorer, JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.run_folder import SampleRecord, TaskScore
from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.reasoning import split_reasoning
from evalkit.scoring.registry import build_scorer
from evalkit.stats import record_interval
from evalkit.types import MediaRef


def score_records(
    task: TaskConfig, records: Sequence[SampleRecord], *, reasoning: bool, stats: StatsConfig,
    judges: JudgePanel | None = None, media: Mapping[str, tuple[MediaRef, ...]] | None = None,
) -> tuple[TaskScore, list[SampleRecord]]:
    """The task's official and strict numbers (scoring/base.py's outcome policy), with the official interval.
    `judges` scores a judged task (evalkit.judges); without it such a task is reported not scored. `media`: each
    sample's media by sample id, for judges that see them (a run has them; a run folder alone does not)."""
    scorer = build_scorer(task.scorer.name, **task.scorer.options)
    prepared = with_answers(records, reasoning)
    inputs = score_inputs(prepared, media or {})
    if isinstance(scorer, JudgedScorer):
        judged = (judges or JudgePanel(JudgeConfig(), None)).score(scorer, inputs)
        outcomes = judged.scores
    else:
        judged, outcomes = None, scorer.score(inputs)
    scored = [
        replace(r, extracted=s.extracted, fallback=s.fallback, excluded=s.excluded, stats=dict(s.stats),
                score_detail=dict(s.detail))
        for r, s in zip(prepared, outcomes, strict=True)
    ]
    # a sample fails at generation (its record) or at scoring (a judge without a verdict)
    sample_scores = [replace(r.to_sample_score(), failed=r.failed or s.failed)
                     for r, s in zip(scored, outcomes, strict=True)]
    aggregate = aggregate_with_categories(scorer, sample_scores)
    official = [r for r in scored if not r.excluded]
    not_scored = judged is not None and not judged.scored
    score = TaskScore(
        task=task.name,
        metric=aggregate.metric,
        value=None if not_scored else aggregate.value,
        strict_value=None if not_scored else aggregate.strict_value,
        lower_is_better=scorer.lower_is_better,
        n=aggregate.n,
        n_failed=aggregate.n_failed,
        n_excluded=aggregate.n_excluded,
        denominator=aggregate.denominator,
        official_denominator=scorer.official_denominator,
        n_fallback=aggregate.n_fallback,
        n_reasoning_unclosed=sum(r.reasoning_closed is False for r in scored),
        by_category={} if not_scored else aggregate.by_category,
        scorer={"name": task.scorer.name, "options": dict(task.scorer.options)},
        interval=record_interval(scorer, official, stats) if official and not not_scored else None,
        judge=judged.report if judged else None,
    )
    return score, scored


def score_run(
    cfg: RunConfig, records_by_task: Mapping[str, Sequence[SampleRecord]], judges: JudgePanel | None = None,
    media: Mapping[str, Mapping[str, tuple[MediaRef, ...]]] | None = None, on_cluster: bool = False,
) -> tuple[dict[str, TaskScore], list[SampleRecord]]:
    """Every task of a run, in suite order: its score, and all records with their score fields filled in.
    `media`: per task, each sample's media by sample id (score_records). With `on_cluster` (cluster=ray), the tasks
    without a judge are scored as Ray tasks (evalkit.cluster.ray_scoring); judged tasks are scored here, beside
    their judges' cache, their judge calls answered by the judges' engines (on the cluster with cluster=ray)."""
    elsewhere: dict[str, tuple[TaskScore, list[SampleRecord]]] = {}
    if on_cluster:
        from evalkit.cluster.ray_scoring import score_on_cluster

        unjudged = {name: (task, records_by_task[name]) for name, task in cfg.tasks.items() if not _judged(task)}
        elsewhere = score_on_cluster(cfg.cluster, unjudged, cfg.model.reasoning, cfg.stats)
    scores: dict[str, TaskScore] = {}
    final: list[SampleRecord] = []
    for name, task in cfg.tasks.items():
        scores[name], scored = elsewhere.get(name) or score_records(
            task, records_by_task[name], reasoning=cfg.model.reasoning, stats=cfg.stats, judges=judges,
            media=(media or {}).get(name),
        )
        final.extend(scored)
    return scores, final


def _judged(task: TaskConfig) -> bool:
    return isinstance(build_scorer(task.scorer.name, **task.scorer.options), JudgedScorer)


def run_judges(cfg: RunConfig) -> JudgePanel:
    """The judges of a run, caching their calls beside the run's model responses; their engines run where the
    run's engines do (cluster=ray: as Ray actors)."""
    return JudgePanel(cfg.judge, Path(cfg.cache_dir), (cfg.model, cfg.runner), cfg.cluster)


def with_answers(records: Sequence[SampleRecord], reasoning: bool) -> list[SampleRecord]:
    """Records in dataset order (the order official parsers draw their random fallbacks in), each with the
    text to score: the response, or for reasoning models the part after the reasoning block."""
    return [with_answer(r, reasoning) for r in sorted(records, key=lambda r: r.index)]


def score_inputs(records: Sequence[SampleRecord],
                 media: Mapping[str, tuple[MediaRef, ...]] | None = None) -> list[ScoreInput]:
    media = media or {}
    return [ScoreInput(r.sample_id, None if r.failed else r.answer, r.reference, r.categories, _measurements(r),
                       media.get(r.sample_id, ())) for r in records]  # fmt: skip


def _measurements(record: SampleRecord) -> dict[str, float]:
    """A spoken answer's speaker similarity, and `unheard` when it has audio that no recogniser of the run's
    listening mode could transcribe (proxy mode, a language without a proxy recogniser): not a failure."""
    speech = record.speech or {}
    measured = {} if speech.get("similarity") is None else {"similarity": speech["similarity"]}
    if "asr" in speech and speech.get("transcript") is None and not record.failed:
        measured["unheard"] = 1.0
    return measured


def with_answer(record: SampleRecord, reasoning: bool) -> SampleRecord:
    if record.speech is not None:  # a spoken answer is scored by what the recogniser heard
        return replace(record, answer=None if record.failed else record.speech.get("transcript"), reasoning_closed=None)
    text = (record.response or {}).get("text")
    if record.failed or text is None:
        return replace(record, answer=None, reasoning_closed=None)
    if not reasoning:
        return replace(record, answer=text, reasoning_closed=None)
    split = split_reasoning(text)
    return replace(record, answer=split.answer, reasoning_closed=split.closed)
