"""MMMU and MMMU-Pro parsers, branch by branch, with hand-worked expectations."""

from __future__ import annotations

import random

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.mmmu import (
    MMMUScorer,
    extract_numbers,
    is_open_correct,
    normalize_open_answer,
    parse_multiple_choice,
    parse_open,
    subject_of,
)
from evalkit.scoring.mmmu_pro import MMMUProScorer, letter_after_answer_label, parse_mmmu_pro

OPTIONS = {"A": "red apple", "B": "green pear", "C": "blue plum", "D": "pear"}


class NoDraw(random.Random):
    def choice(self, seq):  # type: ignore[override]
        raise AssertionError("a random fallback was drawn")


@pytest.mark.parametrize(
    ("response", "letter"),
    [
        ("(B)", "B"),  # bracket
        ("I pick (C) not (A).", "A"),  # several brackets: the one whose last occurrence is latest
        ("B", "B"),  # bare letter, padded with spaces
        ("B.", "B"),  # trailing punctuation stripped before padding
        ("'C'", "C"),  # quotes stripped
        ("A or maybe D", "D"),  # two letters: the later one
        ("The fruit in the picture is a blue plum for sure", "C"),  # >5 words: option text
        ("it is a green pear, not a pear at all", "D"),  # texts "green pear" and "pear": "pear" occurs last
    ],
)
def test_mmmu_multiple_choice_branches(response: str, letter: str) -> None:
    assert parse_multiple_choice(response, OPTIONS, NoDraw()).letter == letter


def test_mmmu_text_search_needs_more_than_five_words() -> None:
    rng = random.Random(7)
    parsed = parse_multiple_choice("a blue plum", OPTIONS, rng)
    assert parsed.fallback and parsed.letter == random.Random(7).choice(list(OPTIONS))


def test_mmmu_letter_inside_word_is_not_a_candidate() -> None:
    # "Bob" holds B but not " B "; six words so text search runs and finds nothing -> random draw
    assert parse_multiple_choice("Bob ate it all very quickly", OPTIONS, random.Random(1)).fallback


def test_mmmu_open_key_tails_and_numbers() -> None:
    # the shortest tail after an indicator; plus its numbers, rounded floats
    assert set(parse_open("The speed is 7 feet per second")) == {"7 feet per second", 7.0}
    assert set(parse_open("x = 3.14159")) == {3.14}  # "=" on the last line; the tail is itself a number
    assert set(parse_open("so the answer is B")) == {" b", "b "}  # one character: padded both ways
    assert set(parse_open("No indicator here")) == {"no indicator here"}


def test_mmmu_open_equals_only_on_last_line() -> None:
    assert set(parse_open("a = 5\nthat is all")) == {"all"}


def test_mmmu_open_trivial_tail_is_dropped() -> None:
    assert set(parse_open("the answer is :")) == {"the answer is :"}


def test_extract_numbers_three_passes() -> None:
    # the passes overlap as officially: "234" (after the comma) and "5" (the exponent) come back as plain numbers
    assert extract_numbers("1,234 and 2e5 and -3.5 and 7") == ["1,234", "2e5", "234", "5", "-3.5", "7"]


def test_normalize_open_answer() -> None:
    assert normalize_open_answer(" 1,000.456 ") == [1000.46]
    assert normalize_open_answer("Paris") == ["paris"]
    assert normalize_open_answer("x") == [" x", "x "]


@pytest.mark.parametrize(
    ("answer", "predictions", "correct"),
    [
        ("Paris", ("it is paris",), True),  # substring of a string prediction
        ("3.429", (3.43,), True),  # float rounded to 2 places
        (("24/7", "3.429"), ("24/7 ft/s",), True),  # any of several answers
        ("7", ("17 feet",), False),  # numbers never match inside strings
        ("7", (7.0,), True),
        ("x", ("box",), False),  # padded single character
    ],
)
def test_is_open_correct(answer, predictions, correct) -> None:
    assert is_open_correct(answer, predictions) is correct


def test_subject_of() -> None:
    assert subject_of("validation_Art_Theory_12") == "Art_Theory"


def _item(i: int, prediction: str | None, answer: str = "B", qtype: str = "multiple-choice") -> ScoreInput:
    return ScoreInput(f"validation_Math_{i}", prediction, ChoiceQuestion(answer, OPTIONS, qtype), {"subject": "Math"})


def test_mmmu_scorer_seeded_fallbacks_follow_item_order() -> None:
    items = [_item(1, "no idea"), _item(2, "(B)"), _item(3, "nothing")]
    scores = MMMUScorer().score(items)
    rng = random.Random(42)
    assert [s.extracted for s in scores] == [rng.choice("ABCD"), "B", rng.choice("ABCD")]
    assert [s.fallback for s in scores] == [True, False, True]


def test_mmmu_scorer_eval_only_and_failed() -> None:
    items = [_item(1, "B"), _item(2, "(B)"), _item(3, "the answer is 12", "12", "open"), _item(4, None)]
    scores = MMMUScorer(mode="eval_only").score(items)
    assert [s.stats["correct"] for s in scores] == [1.0, 0.0, 1.0, 0.0]  # "(B)" is taken as is
    assert scores[3].failed and scores[3].stats["total"] == 1.0
    assert MMMUScorer().aggregate(scores) == 50.0
    with pytest.raises(ValueError):
        MMMUScorer(mode="other")  # type: ignore[arg-type]


# ---- MMMU-Pro ----

LETTERS = list("ABCDEFGHIJ")


def test_answer_label_rule() -> None:
    assert letter_after_answer_label("blah (A) ... Answer: C", LETTERS) == "C"
    assert letter_after_answer_label("Answer: A ... Answer: 42", LETTERS) is None  # only the last label counts
    assert letter_after_answer_label("Answer: C or D", LETTERS) is None  # not unique
    assert letter_after_answer_label("no label", LETTERS) is None


def test_mmmu_pro_letter_forms() -> None:
    options = {letter: f"option {letter.lower()}" for letter in LETTERS}
    assert parse_mmmu_pro("(E) is right", options, NoDraw()).letter == "E"  # bracket first
    assert parse_mmmu_pro("Pick:G", options, NoDraw()).letter == "G"  # "G " after padding; MMMU needs " G "
    assert parse_mmmu_pro("H.J", options, NoDraw()).letter == "J"  # "J " at the padded end
    assert parse_mmmu_pro("x H.y", options, NoDraw()).letter == "H"  # third form "H."
    # two "X " candidates, neither as " X ": every position is -1, so the first candidate (numpy argmax)
    assert parse_mmmu_pro("xC xA", options, NoDraw()).letter == "A"


def test_mmmu_pro_answer_label_beats_candidates() -> None:
    options = dict(zip(LETTERS, LETTERS, strict=True))
    assert parse_mmmu_pro("(A) looks right but Answer: D", options, NoDraw()).letter == "D"


def test_mmmu_pro_scorer_seed_option() -> None:
    question = ChoiceQuestion("A", dict(zip("ABCD", ["w", "x", "y", "z"], strict=True)))
    items = [ScoreInput(str(i), "", question) for i in range(20)]
    first = [s.extracted for s in MMMUProScorer(seed=3).score(items)]
    assert first == [s.extracted for s in MMMUProScorer(seed=3).score(items)]
    rng = random.Random(3)
    assert first == [rng.choice("ABCD") for _ in items]
    assert all(s.fallback for s in MMMUProScorer().score(items))
