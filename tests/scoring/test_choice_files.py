"""Readers of the official prediction formats: fields, order, categories and errors, on small files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.config import ConfigError
from evalkit.official_files import PredictionFormatError, read_official
from evalkit.scoring.base import PredictionFiles


def load_choice_predictions(task: str, predictions: Path, references: Path | None):
    return read_official(task, PredictionFiles(predictions, references))


def _write(path: Path, content: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _mmmu_row(sample_id: str, response: str) -> dict:
    return {"id": sample_id, "question_type": "multiple-choice", "answer": "A", "all_choices": ["A", "B"],
            "index2ans": {"A": "x", "B": "y"}, "response": response}


def test_mmmu_folder_in_official_subject_order(tmp_path: Path) -> None:
    _write(tmp_path / "Math" / "output.json", [_mmmu_row("validation_Math_1", "(A)")])
    _write(tmp_path / "Agriculture" / "output.json", [_mmmu_row("validation_Agriculture_1", "B")])
    scorer, items = load_choice_predictions("mmmu_val", tmp_path, None)
    assert scorer.name == "mmmu" and [i.sample_id for i in items] == ["validation_Agriculture_1", "validation_Math_1"]
    assert items[1].categories == {"subject": "Math", "discipline": "Science"}


def test_mmmu_eval_only_needs_references(tmp_path: Path) -> None:
    predictions = _write(tmp_path / "out.json", {"validation_Math_1": "A"})
    with pytest.raises(PredictionFormatError, match="needs --references"):
        load_choice_predictions("mmmu_val", predictions, None)
    answers = _write(tmp_path / "answers.json", {"validation_Math_1": {"question_type": "multiple-choice",
                                                                        "ground_truth": ["A", "B"]}})
    _, items = load_choice_predictions("mmmu_val", predictions, answers)
    assert items[0].reference.answer == ("A", "B")


def test_mmmu_pro_dict_response_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    row = {"id": "1", "options": "['a', 'b']", "answer": "B", "subject": "Art", "topic_difficulty": "Easy",
           "response": {"error": "x"}}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    _, items = load_choice_predictions("mmmu_pro_vision", path, None)
    assert items[0].prediction == "" and dict(items[0].reference.options) == {"A": "a", "B": "b"}
    assert items[0].categories["difficulty"] == "Easy"


def test_mathvista_answer_from_references(tmp_path: Path) -> None:
    problem = {"question_type": "free_form", "answer_type": "integer", "choices": None, "precision": None,
               "extraction": 7, "metadata": {"task": "math word problem", "skills": ["arithmetic reasoning"]}}
    predictions = _write(tmp_path / "out.json", {"5": problem})
    references = _write(tmp_path / "testmini.json", {"5": {"answer": "7"}})
    _, items = load_choice_predictions("mathvista_testmini", predictions, references)
    assert (items[0].prediction, items[0].reference.answer) == ("7", "7")
    assert items[0].categories == {"task": "math word problem", "skill:arithmetic reasoning": "arithmetic reasoning"}


def test_mmau_missing_output_and_wrong_key(tmp_path: Path) -> None:
    row = {"id": "q", "choices": ["a", "b"], "answer": "a", "task": "sound", "difficulty": "easy",
           "sub-category": "x"}
    _, items = load_choice_predictions("mmau_test_mini", _write(tmp_path / "a.json", [row]), None)
    assert items[0].prediction is None
    with pytest.raises(PredictionFormatError, match="model_output"):
        load_choice_predictions("mmau_test_mini", _write(tmp_path / "b.json", [{**row, "model_prediction": "a"}]), None)


def test_videomme_fields(tmp_path: Path) -> None:
    video = {"duration_category": "short", "video_category": "Knowledge", "video_subcategory": "Law",
             "questions": [{"question_id": "001-1", "task_type": "OCR Problems", "answer": "C", "response": "C"}]}
    _, items = load_choice_predictions("videomme", _write(tmp_path / "r.json", [video]), None)
    assert items[0].reference == "C" and items[0].categories == {
        "duration": "short", "domain": "Knowledge", "sub_category": "Law", "task_type": "OCR Problems"}


def test_unreadable_file_names_file_and_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(PredictionFormatError, match=r"bad\.json(.|\n)*expected: Video-MME results JSON"):
        load_choice_predictions("videomme", bad, None)
    with pytest.raises(ConfigError, match="unknown task 'nope'; valid tasks: .*mmmu_val"):
        load_choice_predictions("nope", bad, None)
