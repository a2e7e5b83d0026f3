"""MathVista's normalize-and-compare step on extracted answers."""

from __future__ import annotations

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.mathvista import (
    MathVistaProblem,
    MathVistaScorer,
    Normalized,
    edit_distance,
    normalize_extraction,
)

MC = MathVistaProblem(answer="12 cm", question_type="multi_choice", answer_type="text",
                      choices=("10 cm", "12 cm", "14 cm"))


@pytest.mark.parametrize(
    ("extraction", "value", "fallback"),
    [
        ("B", "12 cm", False),  # a letter indexes the choices
        ("(b) 12", "12 cm", False),  # "(x)" -> upper-cased letter
        ("12 cm", "12 cm", False),  # exact choice text
        ("14cm", "14 cm", True),  # nearest by edit distance
        ("D", "10 cm", True),  # a letter past the choices is text: nearest ("10 cm", first on ties)
        ("", "10 cm", True),
    ],
)
def test_multiple_choice(extraction: str, value: str, fallback: bool) -> None:
    assert normalize_extraction(extraction, MC) == Normalized(value, fallback)


def test_ignore_empty_extractions() -> None:
    assert normalize_extraction(" ", MC, ignore_empty=True).value is None


@pytest.mark.parametrize(
    ("answer_type", "precision", "extraction", "value"),
    [
        ("integer", None, "3.9", "3"),  # int(float(x)) truncates
        ("integer", None, "three", None),
        ("float", 1, "2.25", "2.2"),  # Python round: banker's on the binary value
        ("float", 2, "1.5", "1.5"),
        ("float", None, "1.5", None),
        ("list", None, "[1, 2]", "[1, 2]"),
    ],
)
def test_free_form(answer_type: str, precision: int | None, extraction: str, value: str | None) -> None:
    problem = MathVistaProblem(answer="x", question_type="free_form", answer_type=answer_type, precision=precision)
    assert normalize_extraction(extraction, problem).value == value


def test_unknown_answer_type_raises() -> None:
    with pytest.raises(ValueError):
        normalize_extraction("a", MathVistaProblem(answer="a", question_type="free_form", answer_type="text"))


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3


def test_scorer() -> None:
    items = [ScoreInput("1", "B", MC), ScoreInput("2", "A", MC), ScoreInput("3", None, MC)]
    scores = MathVistaScorer().score(items)
    assert [s.stats["correct"] for s in scores] == [1.0, 0.0, 0.0] and scores[2].failed
    assert MathVistaScorer().aggregate(scores) == pytest.approx(100 / 3)
