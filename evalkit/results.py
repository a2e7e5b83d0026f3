"""The result schema: one `SampleRecord` per line of samples.jsonl, one `TaskScore` per task in scores.json.

These types are the contract between the pipeline (which writes them), and rescoring, statistics, comparison
and reports (which read them). Reading never needs the model: every number can be recomputed from records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from evalkit.scoring.base import SampleScore

SCHEMA_VERSION = 1


@dataclass
class SampleRecord:
    task: str
    sample_id: str
    index: int  # position in the task's dataset order; scoring runs in this order
    prompt: str  # rendered with the model's chat template, media as placeholder tokens
    media: list[dict[str, Any]]  # provenance of every media item, in prompt order
    reference: Any
    categories: dict[str, str]
    cluster: str | None
    cache_key: str
    response: dict[str, Any] | None  # Response fields; None until answered
    error: str | None = None  # why the sample failed; None if it did not
    error_stage: str | None = None  # "media" | "runner" | "output": runner failures are retried on resume
    cache_hit: bool = False
    # filled by scoring
    answer: str | None = None  # the text scored: the response after any reasoning block
    reasoning_closed: bool | None = None  # None when the model does not reason
    extracted: str | None = None
    fallback: bool = False
    stats: dict[str, float] = field(default_factory=dict)
    score_detail: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def key(self) -> tuple[str, str]:
        return (self.task, self.sample_id)

    def to_sample_score(self) -> SampleScore:
        return SampleScore(
            sample_id=self.sample_id,
            stats=self.stats,
            extracted=self.extracted,
            fallback=self.fallback,
            failed=self.failed,
            categories=self.categories,
            detail=self.score_detail,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, default=_jsonable)

    @classmethod
    def from_json(cls, line: str) -> "SampleRecord":
        return cls(**json.loads(line))


@dataclass
class Interval:
    low: float
    high: float
    confidence: float
    iterations: int
    method: str  # "percentile bootstrap" or "cluster percentile bootstrap"
    cluster_key: str | None = None


@dataclass
class TaskScore:
    task: str
    metric: str
    value: float
    lower_is_better: bool
    n: int
    n_failed: int
    n_fallback: int
    n_reasoning_unclosed: int
    by_category: dict[str, float]
    scorer: dict[str, Any]  # name and options as configured
    paper: dict[str, str] | None  # benchmark/subset in results/reference
    interval: Interval | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # scorer-specific secondary numbers


def read_samples(path: Path) -> Iterator[SampleRecord]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield SampleRecord.from_json(line)
            except (json.JSONDecodeError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a samples.jsonl record ({exc})") from exc


def read_scores(path: Path) -> dict[str, TaskScore]:
    data = json.loads(path.read_text(encoding="utf-8"))
    scores = {}
    for name, entry in data["tasks"].items():
        interval = entry.pop("interval", None)
        scores[name] = TaskScore(**entry, interval=Interval(**interval) if interval else None)
    return scores


def scores_document(scores: Mapping[str, TaskScore], run: Mapping[str, Any]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "run": dict(run), "tasks": {k: asdict(v) for k, v in scores.items()}}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
