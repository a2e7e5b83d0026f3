"""Scoring a task's records: split reasoning, run the task's scorer in dataset order, aggregate with the
official breakdowns and a bootstrap interval. Used by `evalkit run`, `evalkit rescore` and `evalkit score`
on a samples.jsonl, so a finished run can always be re-scored without the model."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Mapping, Sequence

from evalkit.config import RunConfig, StatsConfig, TaskConfig
from evalkit.results import SampleRecord, TaskScore
from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.reasoning import split_reasoning
from evalkit.scoring.registry import build_scorer
from evalkit.stats import bootstrap_interval


def score_records(
    task: TaskConfig,
    records: Sequence[SampleRecord],
    *,
    reasoning: bool,
    stats: StatsConfig,
    failed_counts_as_wrong: bool = True,
) -> tuple[TaskScore, list[SampleRecord]]:
    scorer = build_scorer(task.scorer.name, **task.scorer.options)
    prepared = with_answers(records, reasoning)
    inputs = score_inputs(prepared)
    scored = [
        replace(r, extracted=s.extracted, fallback=s.fallback, stats=dict(s.stats), score_detail=dict(s.detail))
        for r, s in zip(prepared, scorer.score(inputs))
    ]
    counted = scored if failed_counts_as_wrong else [r for r in scored if not r.failed]
    sample_scores = [r.to_sample_score() for r in counted]
    aggregate = aggregate_with_categories(scorer, sample_scores)
    interval = bootstrap_interval(scorer, sample_scores, [r.cluster for r in counted], stats) if counted else None
    score = TaskScore(
        task=task.name,
        metric=aggregate.metric,
        value=aggregate.value,
        lower_is_better=scorer.lower_is_better,
        n=len(scored),
        n_failed=sum(r.failed for r in scored),
        n_fallback=aggregate.n_fallback,
        n_reasoning_unclosed=sum(r.reasoning_closed is False for r in scored),
        by_category=aggregate.by_category,
        scorer={"name": task.scorer.name, "options": dict(task.scorer.options)},
        paper=asdict(task.paper) if task.paper else None,
        interval=interval,
        extra={"failed_counts_as_wrong": failed_counts_as_wrong, "n_scored": len(counted), **aggregate.secondary},
    )
    return score, scored


def score_run(
    cfg: RunConfig, records_by_task: Mapping[str, Sequence[SampleRecord]]
) -> tuple[dict[str, TaskScore], list[SampleRecord]]:
    """Every task of a run, in suite order: its score, and all records with their score fields filled in."""
    scores: dict[str, TaskScore] = {}
    final: list[SampleRecord] = []
    for name, task in cfg.tasks.items():
        scores[name], scored = score_records(
            task, records_by_task[name], reasoning=cfg.model.reasoning, stats=cfg.stats,
            failed_counts_as_wrong=cfg.failures.failed_counts_as_wrong,
        )
        final.extend(scored)
    return scores, final


def with_answers(records: Sequence[SampleRecord], reasoning: bool) -> list[SampleRecord]:
    """Records in dataset order (the order official parsers draw their random fallbacks in), each with the
    text to score: the response, or for reasoning models the part after the reasoning block."""
    return [_with_answer(r, reasoning) for r in sorted(records, key=lambda r: r.index)]


def score_inputs(records: Sequence[SampleRecord]) -> list[ScoreInput]:
    return [ScoreInput(r.sample_id, None if r.failed else r.answer, r.reference, r.categories) for r in records]


def _with_answer(record: SampleRecord, reasoning: bool) -> SampleRecord:
    text = (record.response or {}).get("text")
    if record.failed or text is None:
        return replace(record, answer=None, reasoning_closed=None)
    if not reasoning:
        return replace(record, answer=text, reasoning_closed=None)
    split = split_reasoning(text)
    return replace(record, answer=split.answer, reasoning_closed=split.closed)
