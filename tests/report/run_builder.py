"""Small run folders for report and compare tests: real SampleRecords and scores documents, with two tiny
scorers registered under test names (an accuracy scorer and a corpus error-rate scorer)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from manifests import made_manifest

from evalkit.run_folder import MANIFEST, SampleRecord, TaskScore, scores_document, write_manifest
from evalkit.scoring.base import SampleScore, ScoreInput, aggregate_with_categories
from evalkit.scoring.registry import register_scorer, scorer_names


class TestAccuracy:
    name = "test_accuracy"
    metric = "accuracy"
    lower_is_better = False
    official_denominator = "every item"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [SampleScore(i.sample_id, {"correct": float(i.prediction == i.reference), "total": 1.0}) for i in items]

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return 100.0 * sum(s.stats["correct"] for s in scores) / sum(s.stats["total"] for s in scores)


class TestErrorRate:
    """Corpus error rate: total errors over total reference words, in %."""

    name = "test_error_rate"
    metric = "WER"
    lower_is_better = True
    official_denominator = "every utterance"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        raise NotImplementedError("records are built with their stats")

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return 100.0 * sum(s.stats["errors"] for s in scores) / sum(s.stats["ref_words"] for s in scores)


for _factory in (TestAccuracy, TestErrorRate):
    if _factory.name not in scorer_names():
        register_scorer(_factory.name)(_factory)


def record(task: str, index: int, stats: dict[str, float], *, answer: str = "A", reference: str = "A",
           cluster: str | None = None, error: str | None = None, excluded: bool = False) -> SampleRecord:  # fmt: skip
    return SampleRecord(
        task=task, sample_id=f"{task}-{index:04d}", index=index, prompt=f"Question {index}?", media=[],
        reference=reference, categories={}, cluster=cluster, cache_key=f"key-{task}-{index}",
        response=None if error else {"text": answer}, error=error, answer=None if error else answer,
        extracted=None if error else answer, stats=stats, excluded=excluded,
    )  # fmt: skip


def accuracy_records(
    task: str, correct: Sequence[bool], clusters: Sequence[str | None] | None = None
) -> list[SampleRecord]:
    return [
        record(task, i, {"correct": float(c), "total": 1.0}, answer="A" if c else "B",
               cluster=clusters[i] if clusters else None)
        for i, c in enumerate(correct)
    ]  # fmt: skip


def flip(records: list[SampleRecord], indices: Sequence[int]) -> list[SampleRecord]:
    """The same records with the listed samples' answers turned from right to wrong or back."""
    out = list(records)
    for i in indices:
        correct = 1.0 - out[i].stats["correct"]
        letter = "A" if correct else "B"
        response = {**(out[i].response or {}), "text": letter}
        out[i] = replace(out[i], stats={"correct": correct, "total": 1.0}, answer=letter, extracted=letter,
                         response=response)  # fmt: skip
    return out


@dataclass(frozen=True)
class TaskSpec:
    records: list[SampleRecord]
    scorer: str = "test_accuracy"


def write_run(folder: Path, tasks: dict[str, TaskSpec], *, model: str = "qwen3_omni_30b_a3b_instruct",
              variant: str = "instruct", with_intervals: bool = False) -> Path:  # fmt: skip
    from evalkit.config import StatsConfig
    from evalkit.scoring.registry import build_scorer
    from evalkit.stats import record_interval

    folder.mkdir(parents=True, exist_ok=True)
    scores = {}
    for name, spec in tasks.items():
        scorer = build_scorer(spec.scorer)
        result = aggregate_with_categories(scorer, [r.to_sample_score() for r in spec.records])
        official = [r for r in spec.records if not r.excluded]
        scores[name] = TaskScore(
            task=name, metric=scorer.metric, value=result.value, strict_value=result.strict_value,
            lower_is_better=scorer.lower_is_better, n=result.n, n_failed=result.n_failed,
            n_excluded=result.n_excluded, denominator=result.denominator,
            official_denominator=scorer.official_denominator, n_fallback=0, n_reasoning_unclosed=0, by_category={},
            scorer={"name": spec.scorer, "options": {}},
            interval=record_interval(scorer, official, StatsConfig()) if with_intervals else None,
        )  # fmt: skip
    stats = {"bootstrap_iterations": 1000, "confidence": 0.95, "seed": 0}
    write_manifest(folder / MANIFEST, made_manifest({"stats": stats}, model=model, variant=variant))
    (folder / "scores.json").write_text(json.dumps(scores_document(scores, {"id": folder.name})), encoding="utf-8")
    lines = [r.to_json() for spec in tasks.values() for r in spec.records]
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
