"""MathVision's rule scorer against MATH-V's own evaluate.py.

tests/fixtures/official_cases/mathvision.json is evalkit's case: made-up responses (boxed answers, answer phrases,
option letters first or last, option texts, equivalent LaTeX, wrong numbers, refusals, blanks) to 300 real
MATH-V test questions, with what the official script (run outside this repository, its source in the case's
`source`) extracted and judged for each, and the accuracy it printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.commands.score import load_predictions
from evalkit.scoring.base import PredictionFiles, ScoreInput, aggregate_with_categories
from evalkit.scoring.mathvision import MathVisionProblem, MathVisionScorer, extract_answer, is_equal

CASE = json.loads((Path(__file__).parents[1] / "fixtures" / "official_cases" / "mathvision.json").read_text())


def _items() -> list[ScoreInput]:
    return [ScoreInput(i["id"], i["response"], MathVisionProblem(i["answer"], tuple(i["options"])),
                       {"subject": i["subject"], "level": f"level{i['level']}"}) for i in CASE["items"]]


def _percent(printed: str) -> float:
    """'143/300=47.67%' -> 100 * 143 / 300."""
    correct, total = printed.split("=")[0].split("/")
    return 100 * int(correct) / int(total)


def test_official_script_per_item_and_accuracy():
    scores = MathVisionScorer().score(_items())
    assert [s.extracted for s in scores] == [i["official_extraction"] for i in CASE["items"]]
    assert [bool(s.stats["correct"]) for s in scores] == [i["official_correct"] for i in CASE["items"]]
    result = aggregate_with_categories(MathVisionScorer(), scores)
    assert result.value == pytest.approx(_percent(CASE["official_all"]))  # 143/300
    for level, printed in CASE["official_by_level"].items():
        assert result.by_category[level] == pytest.approx(_percent(printed))


@pytest.mark.parametrize("response, extracted", [
    ("Thus the area is \\boxed{\\dfrac{\\sqrt{3}}{2}} square units.", "\\frac{\\sqrt{3}}{2}"),
    ("First \\boxed{3}, then corrected: \\boxed{5}", "5"),  # several boxes: the last one
    ("The answer is (C).", "c"),  # " (C)." at the end: the letter, lower-cased as find_math_answer does
    ("B\nbecause the others are longer", "b"),
    ("So the total is 42.", "42"),  # a number after the last "is "
    ("The final answer is 7. The answer is 8.", "8"),  # each phrase cuts at its last occurrence
    ("x = 12 cm", "12cm"),  # after "=", spaces removed; "cm" is not a unit it strips
    ("", ""),
])
def test_extraction(response, extracted):
    assert extract_answer(response) == extracted


@pytest.mark.parametrize("first, second, equal", [
    ("$\\frac{1}{2}$", "0.5", True),  # LaTeX values rounded to 2 decimals
    ("$5 \\sqrt{3}$", "8.66", True),
    ("2\\pi", "6.28", True),
    ("(3,-4)", "(3.0,-4)", True),  # tuples evaluated element-wise
    ("A", "a", True),  # case-insensitive text
    ("1:2", "0.5", True),  # latex2sympy reads a ratio as a quotient
    ("7", " ", False),  # a blank side is never equal
    ("\\frac{1}{3}", "0.33", True),
    ("\\frac{1}{3}", "0.34", False),
])
def test_is_equal(first, second, equal):
    assert is_equal(first, second) is equal


def test_option_text_counts_and_failed_sample_is_wrong():
    problem = MathVisionProblem("B", ("$2 \\pi$", "$4 \\pi$", "1", "2", "3"))
    scores = MathVisionScorer().score([ScoreInput("a", "so \\boxed{4\\pi}", problem), ScoreInput("b", None, problem)])
    assert [s.stats["correct"] for s in scores] == [1.0, 0.0]
    assert scores[1].failed


def test_official_answer_file(tmp_path: Path) -> None:
    """MATH-V's file layout: answers in JSON lines, the questions (data/test.jsonl) apart."""
    questions, answers = tmp_path / "test.jsonl", tmp_path / "answers.jsonl"
    questions.write_text("".join(json.dumps({k: i[k] for k in ("id", "answer", "options", "subject", "level")}) + "\n"
                                 for i in CASE["items"]))
    answers.write_text("".join(json.dumps({"id": i["id"], "response": i["response"]}) + "\n" for i in CASE["items"]))
    scorer, items = load_predictions("mathvision", PredictionFiles(answers, questions))
    assert items[0].categories == {"subject": CASE["items"][0]["subject"], "level": f"level{CASE['items'][0]['level']}"}
    assert aggregate_with_categories(scorer, scorer.score(items)).value == pytest.approx(_percent(CASE["official_all"]))
    with pytest.raises(ValueError, match="--references data/test.jsonl"):
        load_predictions("mathvision", PredictionFiles(answers))
