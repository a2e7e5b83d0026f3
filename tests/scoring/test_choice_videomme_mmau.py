"""Video-MME extraction and denominators; MMAU's word-set matcher and its missing-prediction rule."""

from __future__ import annotations

import pytest

from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.mmau import MMAUScorer, matches_answer
from evalkit.scoring.videomme import VideoMMEScorer, extract_letter


@pytest.mark.parametrize(
    ("response", "letter"),
    [
        ("The best answer is C.", "C"),  # prefix removed, then the first capital A-D
        ("The answer is D", "D"),
        ("  (B) two  ", "B"),
        ("c", ""),  # lower case does not count
        ("", ""),
        ("I am not sure.", ""),
        ("Best answer: C", "B"),  # "Best answer:" is glued to "Best option:" in the official list: not removed
        ("The best option is D", "D"),  # not removed either, but holds no capital A-D before D
        ("After watching the clip, I would choose option C", "A"),  # the "A" of "After"
        ("one two three four five six seven eight nine ten eleven", ""),  # long, no letter
        ("one two three four five six seven eight nine ten eleven D", "D"),  # long, with a letter
    ],
)
def test_extract_letter(response: str, letter: str) -> None:
    assert extract_letter(response) == letter


def _videomme_items() -> list[ScoreInput]:
    return [
        ScoreInput("1", "A", "A", {"duration": "short"}),
        ScoreInput("2", "B", "A", {"duration": "short"}),
        ScoreInput("3", "no idea", "A", {"duration": "long"}),
        ScoreInput("4", None, "A", {"duration": "long"}),
    ]


def test_videomme_official_counts_answered_and_strict_counts_all() -> None:
    scorer = VideoMMEScorer()
    scores = scorer.score(_videomme_items())
    assert [(s.failed, s.excluded) for s in scores] == [(False, False), (False, False), (False, True), (True, True)]
    result = aggregate_with_categories(scorer, scores)
    assert (result.value, result.strict_value) == (50.0, 25.0)  # 1 of 2 answered; 1 of all 4
    assert (result.n, result.n_failed, result.n_excluded, result.denominator) == (4, 1, 2, 2)
    assert result.by_category == {"short": 50.0}  # official: "long" has no answered question


CHOICES = ["Man", "Woman", "Child", "Robot"]


@pytest.mark.parametrize(
    ("prediction", "correct"),
    [
        ("man.", True),  # case and punctuation ignored
        ("The answer is Man", True),  # extra words that no other choice has are fine
        ("Woman", False),
        ("B", False),  # a bare letter
        ("", False),
        ("It could be man or woman", False),  # a word only another choice has
        ("not a robot, a man", False),
    ],
)
def test_mmau_matcher(prediction: str, correct: bool) -> None:
    assert matches_answer(prediction, "Man", CHOICES) is correct


def test_mmau_shared_words_and_identical_choices() -> None:
    choices = ["acoustic guitar", "electric guitar", "guitar acoustic"]
    assert matches_answer("an acoustic guitar", "acoustic guitar", choices)  # "guitar" is shared, not excluded
    assert not matches_answer("acoustic electric guitar", "acoustic guitar", choices)


def test_mmau_missing_prediction_is_excluded_officially_and_wrong_strictly() -> None:
    question = ChoiceQuestion("Man", dict(zip("ABCD", CHOICES, strict=True)))
    items = [ScoreInput("1", "man", question), ScoreInput("2", None, question)]
    scores = MMAUScorer().score(items)
    assert scores[1].failed and scores[1].excluded
    result = aggregate_with_categories(MMAUScorer(), scores)
    assert (result.value, result.strict_value, result.denominator) == (100.0, 50.0, 1)
