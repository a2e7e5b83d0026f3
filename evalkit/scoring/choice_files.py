"""Readers of the official prediction files of the answer-extraction benchmarks into `ScoreInput`s.

Each reader keeps the official scoring order (it decides the order of random fallback draws) and fills the
categories the official script reports. Each task's spec (tasks/) names its reader in its OfficialFormat.

Items without a model output, as each official script treats them (`strict` counts every one of them wrong):
- MMMU main_eval_only.py scores the ids of the predictions file only: an answer-dict id without a prediction is
  not counted. With `strict` it is read as a failed (wrong) item. main_parse_and_eval.py skips an absent subject
  folder; `strict` refuses such a folder, since the items of a missing subject are unknown.
- MMAU evaluation.py skips an item without `model_output` (the scorer excludes it; a null output, on which the
  script would crash, is treated the same).
- Video-MME eval_your_results.py drops a question whose extraction is empty (the scorer excludes it); a question
  without `response` would raise there and is read as unanswered.
- MathVision evaluate.py scores every line of the answer file (a line without `response` would raise there: read as
  failed and counted wrong, in both modes).
- MMMU-Pro evaluate.py and MathVista calculate_score.py count every row of the file (a row without `response` /
  `extraction` would raise there); such a row is read as failed and counted wrong, in both modes.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.mathvision import MathVisionProblem, MathVisionScorer, mathvision_categories
from evalkit.scoring.mathvista import MathVistaProblem, MathVistaScorer, mathvista_categories
from evalkit.scoring.mmau import MMAUScorer
from evalkit.scoring.mmmu import OFFICIAL_SUBJECT_ORDER, MMMUScorer, mmmu_categories, subject_of
from evalkit.scoring.mmmu_pro import MMMUProScorer
from evalkit.scoring.videomme import VideoMMEScorer


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _load_jsonl(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_mmmu(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    predictions, references, strict = files.predictions, files.references, files.strict
    if predictions.is_dir():
        if references is not None:
            raise ValueError("--references is not used with a per-subject output folder (answers are inline)")
        return MMMUScorer(mode="parse"), _mmmu_parse_items(predictions, strict)
    if references is None:
        raise ValueError("an eval-only predictions file needs --references (the answer dict, answer_dict_val.json)")
    return MMMUScorer(mode="eval_only"), _mmmu_eval_only_items(predictions, references, strict)


def _mmmu_parse_items(folder: Path, strict: bool) -> list[ScoreInput]:
    """<folder>/<Subject>/output.json in the official subject order; absent subjects are skipped, as officially."""
    absent = [s for s in OFFICIAL_SUBJECT_ORDER if not (folder / s / "output.json").exists()]
    if strict and absent:
        raise ValueError(f"--strict needs every subject, and {folder} has no <Subject>/output.json for "
                         f"{', '.join(absent)}: their items are unknown, so they cannot be counted wrong")
    items = []
    for subject in OFFICIAL_SUBJECT_ORDER:
        path = folder / subject / "output.json"
        if subject in absent:
            continue
        for row in _load_json(path):
            options = {letter: row["index2ans"][letter] for letter in row.get("all_choices", [])}
            answer = row["answer"] if isinstance(row["answer"], str) else tuple(row["answer"])
            items.append(ScoreInput(
                sample_id=row["id"],
                prediction=row["response"],
                reference=ChoiceQuestion(answer, options, row["question_type"]),
                categories=mmmu_categories(subject),
            ))
    if not items:
        raise ValueError(f"no <Subject>/output.json under {folder}")
    return items


def _mmmu_eval_only_items(predictions: Path, references: Path, strict: bool) -> list[ScoreInput]:
    """Predicted ids only, as main_eval_only.py scores them (an id absent from the answer dict is an error);
    `strict` adds every other id of the answer dict without a prediction."""
    predicted: dict[str, str | None] = _load_json(predictions)
    answers: dict[str, dict[str, Any]] = _load_json(references)
    order = {subject: i for i, subject in enumerate(OFFICIAL_SUBJECT_ORDER)}
    ids = list(predicted) + ([i for i in answers if i not in predicted] if strict else [])
    items = []
    for sample_id in sorted(ids, key=lambda i: order.get(subject_of(i), len(order))):
        if sample_id not in answers:
            raise ValueError(f"{sample_id!r} is not in the answer dict {references}")
        if not isinstance(predicted.get(sample_id, ""), str):
            raise ValueError(f"{sample_id!r}: the prediction must be a string")
        truth = answers[sample_id]["ground_truth"]
        items.append(ScoreInput(
            sample_id=sample_id,
            prediction=predicted.get(sample_id),
            reference=ChoiceQuestion(
                truth if isinstance(truth, str) else tuple(truth), {}, answers[sample_id]["question_type"]
            ),
            categories=mmmu_categories(subject_of(sample_id)),
        ))
    return items


def read_mmmu_pro(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    items = []
    for row in _load_jsonl(files.predictions):
        texts = ast.literal_eval(str(row["options"]))  # evaluate.py accepts a list or its string form
        options = {chr(ord("A") + i): text for i, text in enumerate(texts)}
        response = row.get("response")
        items.append(ScoreInput(
            sample_id=str(row["id"]),
            # evaluate.py scores a dict response (an API error object) as the empty string
            prediction="" if isinstance(response, dict) else response,
            reference=ChoiceQuestion(row["answer"], options),
            categories={**mmmu_categories(row["subject"]), "difficulty": row["topic_difficulty"]},
        ))
    return MMMUProScorer(), items


def read_mathvista(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    predictions, references = files.predictions, files.references
    results: dict[str, dict[str, Any]] = _load_json(predictions)
    truth: dict[str, dict[str, Any]] = _load_json(references) if references else {}
    items = []
    for pid, problem in results.items():
        answer = problem["answer"] if "answer" in problem else truth[pid]["answer"]
        extraction = problem.get("extraction")
        items.append(ScoreInput(
            sample_id=pid,
            # the official code applies str()/float() to non-string extractions; str() first gives the same result
            prediction=None if "extraction" not in problem else str(extraction),
            reference=MathVistaProblem(
                answer=answer,
                question_type=problem["question_type"],
                answer_type=problem["answer_type"],
                choices=tuple(problem["choices"] or ()),
                precision=None if problem.get("precision") is None else int(problem["precision"]),
            ),
            categories=mathvista_categories(problem.get("metadata", {})),
        ))
    return MathVistaScorer(), items


def read_mathvision(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """MATH-V's answer file (JSON lines with `id` and `response`), its answers from data/test.jsonl
    (--references), scored from the response as the repository's evaluate.py run does (regen_answer=True)."""
    if files.references is None:
        raise ValueError("MATH-V answer files hold no gold answers: give --references data/test.jsonl")
    questions = {row["id"]: row for row in _load_jsonl(files.references)}
    items = []
    for line in _load_jsonl(files.predictions):
        if line["id"] not in questions:
            raise ValueError(f"{files.predictions}: id {line['id']!r} is not in {files.references}")
        question = questions[line["id"]]
        response = line.get("response")
        items.append(ScoreInput(
            sample_id=str(line["id"]),
            prediction=response if isinstance(response, str) else None,
            reference=MathVisionProblem(str(question["answer"]), tuple(question["options"])),
            categories=mathvision_categories(question["subject"], question["level"]),
        ))
    return MathVisionScorer(), items


def read_mmau(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    predictions = files.predictions
    rows: list[dict[str, Any]] = _load_json(predictions)
    if not any("model_output" in row for row in rows) and any("model_prediction" in row for row in rows):
        raise ValueError("the official evaluation.py reads the key 'model_output', this file has 'model_prediction'")
    items = []
    for row in rows:
        output = row.get("model_output")
        items.append(ScoreInput(
            sample_id=row["id"],
            prediction=output if isinstance(output, str) else None,
            reference=ChoiceQuestion(row["answer"], {chr(ord("A") + i): c for i, c in enumerate(row["choices"])}),
            categories={"task": row["task"], "difficulty": row["difficulty"], "sub_category": row["sub-category"]},
        ))
    return MMAUScorer(), items


def read_videomme(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    predictions = files.predictions
    videos: list[dict[str, Any]] = _load_json(predictions)
    items = []
    for video in videos:
        categories = {
            "duration": video["duration_category"],
            "domain": video["video_category"],
            "sub_category": video["video_subcategory"],
        }
        for question in video["questions"]:
            items.append(ScoreInput(
                sample_id=question["question_id"],
                prediction=question.get("response"),
                reference=question["answer"],
                categories={**categories, "task_type": question["task_type"]},
            ))
    return VideoMMEScorer(), items
