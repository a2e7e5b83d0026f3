"""What a report says, before any format: per task our value and interval beside the published numbers, and the
run's tasks placed into the paper's tables. Renderers (tables.py, html.py) only lay this out."""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.registry import all_specs
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

    @property
    def delta(self) -> float | None:
        """Ours minus published Qwen3-Omni, in the metric's units."""
        if self.qwen_value is None or self.score.value is None:
            return None
        return self.score.value - self.qwen_value

    @property
    def label(self) -> str:
        """The task, with how a judged task's number was made: not scored, or by which judge."""
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
    rows = tuple(_task_row(run, published, name, score) for name, score in sorted(run.scores.items()))
    return RunReport(run=run, rows=rows, layouts=_layouts(rows))


def _task_row(run: RunFolder, published: PublishedScores, name: str, score: TaskScore) -> TaskRow:
    spec = all_specs().get(name)  # a task no longer registered is shown outside the paper's tables
    # a proxy measurement (spoken answers heard by stand-in models) is never set beside the paper's number
    located = published.locate(spec.reported, run.variant) if spec and not is_proxy_metric(score.metric) else None
    table, column = located if located else (None, None)
    qwen_model = table.qwen_model(run.variant) if table else None
    return TaskRow(
        task=name,
        score=score,
        interval=score.interval or _recomputed_interval(run, name, score),
        table=table,
        column=column,
        qwen_model=qwen_model,
        qwen_value=table.value(qwen_model, column) if table and qwen_model and column else None,
        baselines=({m: v for m in table.other_models() if (v := table.value(m, column)) is not None}
                   if table and column else {}),
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
