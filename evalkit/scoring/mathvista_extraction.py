"""MathVista's answer extraction stage, judged: the official pipeline from a model's free-text response to a score.

lupantech/MathVista @ 53d5258, evaluation/extract_answer.py: rules first (an empty response extracts ""; a
multiple-choice response equal to a choice, or a response that parses as the integer / float asked for, is its
own extraction), then the LLM extractor (the official judge `MATHVISTA_EXTRACTION`) for everything else; then
calculate_score.py's normalize-and-compare (evalkit.scoring.mathvista). Beside the judged accuracy the scorer
reports the rule stage alone: what the rules extract, with every item that needs the extractor counted wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evalkit.judges.engine import JudgeItem, Judgement
from evalkit.judges.official import MATHVISTA_EXTRACTION
from evalkit.judges.panel import JudgeRequest, score_single_requests
from evalkit.scoring.base import PredictionFiles, SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, failed_score
from evalkit.scoring.choice_files import read_mathvista
from evalkit.scoring.mathvista import MathVistaProblem, normalize_extraction
from evalkit.scoring.registry import register_scorer


@dataclass(frozen=True)
class MathVistaQuestion:
    """The problem and the query the model was asked (the extractor sees the query, not the image)."""

    problem: MathVistaProblem
    query: str

    @classmethod
    def of(cls, reference: MathVistaQuestion | Mapping[str, Any]) -> MathVistaQuestion:
        """The question itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, MathVistaQuestion):
            return reference
        problem = dict(reference["problem"])
        problem["choices"] = tuple(problem.get("choices") or ())
        return cls(MathVistaProblem(**problem), reference["query"])


def rule_extraction(response: str, problem: MathVistaProblem) -> str | None:
    """extract_answer.py's cases decided without the LLM; None when the LLM must extract."""
    if response == "":
        return ""
    if problem.question_type == "multi_choice" and response in problem.choices:
        return response
    try:
        if problem.answer_type == "integer":
            return str(int(response))
        if problem.answer_type == "float":
            return str(float(response))
    except ValueError:
        pass
    return None


@register_scorer("mathvista_judged")
class MathVistaJudgedScorer(AccuracyScorer):
    """Items' predictions are the model's responses; the official judge extracts where the rules cannot."""

    name = "mathvista_judged"
    official_judges = (MATHVISTA_EXTRACTION,)

    def judge_requests(self, items: Sequence[ScoreInput]) -> list[tuple[JudgeRequest, ...]]:
        requests: list[tuple[JudgeRequest, ...]] = []
        for item in items:
            question = MathVistaQuestion.of(item.reference)
            if item.prediction is None or rule_extraction(item.prediction, question.problem) is not None:
                requests.append(())  # unanswered, or the rules extract the answer
            else:
                fields = {"query": question.query, "response": item.prediction}
                requests.append((JudgeRequest(MATHVISTA_EXTRACTION, JudgeItem(item.sample_id, fields)),))
        return requests

    def score_judged(self, items: Sequence[ScoreInput],
                     judgements: Sequence[tuple[Judgement, ...]]) -> list[SampleScore]:
        return score_single_requests(items, judgements, self._score)

    def _score(self, item: ScoreInput, judgement: Judgement | None) -> SampleScore:
        if item.prediction is None:
            return failed_score(item)
        problem = MathVistaQuestion.of(item.reference).problem
        if judgement is None:  # the rules extracted it
            extraction = rule_extraction(item.prediction, problem)
            if extraction is None:  # judge_requests asked the judge exactly where the rules extract nothing
                raise ValueError(f"sample {item.sample_id}: the rules extract nothing and no judgement was given")
            detail: dict[str, Any] = {"extracted_by": "rules"}
        elif judgement.failed:
            return SampleScore(item.sample_id, {"correct": 0.0, "total": 1.0, "rule_correct": 0.0}, failed=True,
                               categories=item.categories, detail={"judge": judgement.to_json()})
        else:
            extraction = str(judgement.verdict)
            detail = {"extracted_by": "judge", "judge": judgement.to_json()}
        normalized = normalize_extraction(extraction, problem)
        correct = float(normalized.value == problem.answer)
        return SampleScore(
            item.sample_id, {"correct": correct, "total": 1.0, "rule_correct": correct if judgement is None else 0.0},
            extracted=normalized.value, fallback=normalized.fallback, categories=item.categories, detail=detail,
        )

    def rules_only(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        total = sum(s.stats["total"] for s in scores)
        rules = sum(s.stats.get("rule_correct", 0.0) for s in scores)
        return {"rule_stage_only_accuracy": 100.0 * rules / total if total else 0.0}


def read_mathvista_responses(predictions: Path, references: Path | None) -> tuple[MathVistaJudgedScorer,
                                                                                  list[ScoreInput]]:
    """An official MathVista output JSON ({pid: problem with query and response}) as items for the judged
    extraction: the problems as `evalkit score` reads them, each with its query and the model's response."""
    _, problems = read_mathvista(PredictionFiles(predictions, references))
    rows: dict[str, dict[str, Any]] = json.loads(predictions.read_text(encoding="utf-8"))
    items = []
    for item in problems:
        row = rows[item.sample_id]
        response = row.get("response")
        items.append(replace(item, prediction=response if isinstance(response, str) else None,
                             reference=MathVistaQuestion(item.reference, row["query"])))
    return MathVistaJudgedScorer(), items
