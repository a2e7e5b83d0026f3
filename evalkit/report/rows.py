"""What a report says, before any format: per task our value and interval beside the published numbers, the
aggregates made of the run's tasks (VoiceBench Overall), and all of them placed into the paper's tables. Renderers
(tables.py, html.py) only lay this out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean

from evalkit.registry import ReportedKey, TaskAggregate, all_aggregates, all_specs
from evalkit.report.reference import Column, PaperTable, PublishedScores, load_published_scores
from evalkit.run_folder import Interval, RunFolder, TaskScore
from evalkit.scoring.registry import build_scorer
from evalkit.scoring.tts import is_proxy_metric
from evalkit.stats import record_interval

INSIDE = "inside"
OUTSIDE = "outside"


@dataclass(frozen=True)
class TaskRow:
    task: str
    score: TaskScore
    interval: Interval | None  # from scores.json, else recomputed from samples.jsonl; None when neither can
    table: PaperTable | None
    column: Column | None
    qwen_model: str | None  # the published Qwen3-Omni column matching the run's variant
    qwen_value: float | None
    baselines: dict[str, float]  # Gemini / GPT-4o / CosyVoice numbers of the same paper table
    missing: tuple[str, ...] = ()  # an aggregate's members the run lacks or did not score

    @property
    def delta(self) -> float | None:
        """Ours minus published Qwen3-Omni, in the metric's units."""
        if self.qwen_value is None or self.score.value is None:
            return None
        return self.score.value - self.qwen_value

    @property
    def label(self) -> str:
        """The task, with how a judged task's number was made: not scored, or by which judge."""
        if self.missing:
            return f"{self.task} (NOT SCORED: {', '.join(self.missing)} missing or not scored)"
        judge = self.score.judge
        if not judge:
            return self.task
        if judge["status"] == "not scored":
            return f"{self.task} (NOT SCORED: no judge configured)"
        who = "a SUBSTITUTE judge" if judge["substitute"] else "the official judge"
        himself = "; the judge is the model under test" if judge.get("judge_is_model_under_test") else ""
        return f"{self.task} (judged by {who}, {judge['spec']['model']}{himself})"

    @property
    def verdict(self) -> str | None:
        """Whether the published Qwen3-Omni number lies inside our interval."""
        if self.qwen_value is None or self.interval is None:
            return None
        return INSIDE if self.interval.low <= self.qwen_value <= self.interval.high else OUTSIDE


@dataclass(frozen=True)
class PaperLayout:
    """One paper table restricted to the benchmarks this run covers: rows are the paper's models plus the run."""

    table: PaperTable
    columns: tuple[Column, ...]
    ours: dict[Column, TaskRow]


@dataclass(frozen=True)
class RunReport:
    run: RunFolder
    rows: tuple[TaskRow, ...]
    layouts: tuple[PaperLayout, ...]

    @property
    def title(self) -> str:
        return f"{self.run.model_name} ({self.run.variant}) - {self.run.path.name}"


def build_report(run: RunFolder, published: PublishedScores | None = None) -> RunReport:
    published = published or load_published_scores()
    specs = all_specs()
    rows = [_task_row(run, published, name, score, specs[name].reported if name in specs else ())
            for name, score in sorted(run.scores.items())]  # a task no longer registered: outside the tables
    for aggregate in all_aggregates().values():
        if any(member.task in run.scores for member in aggregate.members):
            score, missing = aggregate_score(aggregate, run.scores)
            intervals = {row.task: row.interval for row in rows}
            score.interval = None if missing else combined_interval(aggregate, score, intervals)
            rows.append(_task_row(run, published, aggregate.name, score, aggregate.reported, missing))
    return RunReport(run=run, rows=tuple(rows), layouts=_layouts(tuple(rows)))


def combined_interval(aggregate: TaskAggregate, score: TaskScore,
                      intervals: Mapping[str, Interval | None]) -> Interval | None:
    """An interval for a mean of independent tasks (its members are disjoint sample sets): each member's interval
    taken as a normal one of its half-width, scaled; the mean's half-width is sqrt(sum of squares) / members.
    None unless every member has an interval at one confidence level."""
    members = [(m, intervals.get(m.task)) for m in aggregate.members]
    if score.value is None or any(i is None for _, i in members):
        return None
    known = [(m, i) for m, i in members if i is not None]
    if len({i.confidence for _, i in known}) != 1:
        return None
    half = math.sqrt(sum((m.scale * (i.high - i.low) / 2) ** 2 for m, i in known)) / len(known)
    return Interval(low=score.value - half, high=score.value + half, confidence=known[0][1].confidence,
                    iterations=min(i.iterations for _, i in known),
                    method="normal combination of the members' intervals")


def aggregate_score(aggregate: TaskAggregate, scores: Mapping[str, TaskScore]) -> tuple[TaskScore, tuple[str, ...]]:
    """The aggregate as a task score over the members the run has, and the members it lacks or did not score.
    Its value (official and strict) is the mean of every member's scaled value, None while one is missing; each
    member's scaled value is its category; counts are the members' sums. Its interval is set by the report
    (`combined_interval`), from the members' intervals."""
    present = {m.task: (m, scores[m.task]) for m in aggregate.members if m.task in scores}
    missing = tuple(m.task for m in aggregate.members if m.task not in present or present[m.task][1].value is None)
    directions = {score.lower_is_better for _, score in present.values()}
    if len(directions) > 1:
        raise ValueError(f"aggregate {aggregate.name!r} mixes metrics where lower is better with ones where higher is")
    scaled = {task: s.value * member.scale for task, (member, s) in present.items() if s.value is not None}
    stricts = [s.strict_value * member.scale for member, s in present.values() if s.strict_value is not None]
    totals = [score for _, score in present.values()]
    return TaskScore(
        task=aggregate.name, metric=aggregate.metric,
        value=None if missing else fmean(scaled.values()),
        strict_value=fmean(stricts) if not missing and len(stricts) == len(aggregate.members) else None,
        lower_is_better=directions.pop() if directions else False,
        n=sum(s.n for s in totals), n_failed=sum(s.n_failed for s in totals),
        n_excluded=sum(s.n_excluded for s in totals), denominator=sum(s.denominator for s in totals),
        official_denominator=f"the mean of {len(aggregate.members)} tasks' official values, each scaled",
        n_fallback=sum(s.n_fallback for s in totals), n_reasoning_unclosed=sum(s.n_reasoning_unclosed for s in totals),
        by_category=scaled,
        scorer={"name": "mean_of_tasks", "options": {"members": {m.task: m.scale for m in aggregate.members}}},
    ), missing


def _task_row(run: RunFolder, published: PublishedScores, name: str, score: TaskScore,
              reported: tuple[ReportedKey, ...], missing: tuple[str, ...] = ()) -> TaskRow:
    # a proxy measurement (spoken answers heard by stand-in models) is never set beside the paper's number
    located = published.locate(reported, run.variant) if reported and not is_proxy_metric(score.metric) else None
    table, column = located if located else (None, None)
    qwen_model = table.qwen_model(run.variant) if table else None
    return TaskRow(
        task=name,
        score=score,
        interval=score.interval or (_recomputed_interval(run, name, score) if name in run.scores else None),
        table=table,
        column=column,
        qwen_model=qwen_model,
        qwen_value=table.value(qwen_model, column) if table and qwen_model and column else None,
        baselines=({m: v for m in table.other_models() if (v := table.value(m, column)) is not None}
                   if table and column else {}),
        missing=missing,
    )


def _recomputed_interval(run: RunFolder, name: str, score: TaskScore) -> Interval | None:
    """Older runs and hand-made score files lack intervals; recompute them when the samples are there."""
    if not run.has_samples:
        return None
    records = [r for r in run.records(name) if not r.excluded]
    if not records:
        return None
    scorer = build_scorer(score.scorer["name"], **score.scorer.get("options", {}))
    return record_interval(scorer, records, run.stats_config)


def _layouts(rows: tuple[TaskRow, ...]) -> tuple[PaperLayout, ...]:
    by_table: dict[str, tuple[PaperTable, dict[Column, TaskRow]]] = {}
    for row in rows:
        if row.table is not None and row.column is not None:
            by_table.setdefault(row.table.name, (row.table, {}))[1][row.column] = row
    return tuple(
        PaperLayout(table=table, columns=tuple(c for c in table.columns if c in ours), ours=ours)
        for table, ours in by_table.values()
    )
