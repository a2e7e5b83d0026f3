"""MMMU answer parsing and scoring.

Follows MMMU-Benchmark/MMMU @ bb0b95a945998d91dfef37e969e07d49d1139438, mmmu/utils/eval_utils.py (last changed
aa9b70d), as run by mmmu/main_parse_and_eval.py (mode "parse") and mmmu/main_eval_only.py (mode "eval_only").
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ChoiceQuestion, ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer

DISCIPLINE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Art and Design": ("Art", "Art_Theory", "Design", "Music"),
    "Business": ("Accounting", "Economics", "Finance", "Manage", "Marketing"),
    "Science": ("Biology", "Chemistry", "Geography", "Math", "Physics"),
    "Health and Medicine": (
        "Basic_Medical_Science", "Clinical_Medicine", "Diagnostics_and_Laboratory_Medicine", "Pharmacy",
        "Public_Health",
    ),
    "Humanities and Social Science": ("History", "Literature", "Sociology", "Psychology"),
    "Tech and Engineering": (
        "Agriculture", "Architecture_and_Engineering", "Computer_Science", "Electronics", "Energy_and_Power",
        "Materials", "Mechanical_Engineering",
    ),
}
DISCIPLINE_OF_SUBJECT = {s: d for d, subjects in DISCIPLINE_SUBJECTS.items() for s in subjects}

# main_parse_and_eval.py --subject ALL visits subjects in the order of its short names (acc, agri, arch, ...);
# the seeded random fallbacks are drawn in this order, so a whole run must be scored in it.
OFFICIAL_SUBJECT_ORDER: tuple[str, ...] = (
    "Accounting", "Agriculture", "Architecture_and_Engineering", "Art", "Art_Theory", "Basic_Medical_Science",
    "Biology", "Chemistry", "Clinical_Medicine", "Computer_Science", "Design", "Diagnostics_and_Laboratory_Medicine",
    "Economics", "Electronics", "Energy_and_Power", "Finance", "Geography", "History", "Literature", "Manage",
    "Marketing", "Materials", "Math", "Mechanical_Engineering", "Music", "Pharmacy", "Physics", "Psychology",
    "Public_Health", "Sociology",
)
OFFICIAL_SEED = 42  # eval_utils.py calls random.seed(42) at import

MMMU_LETTER_FORMS: tuple[str, ...] = (" {} ",)
_EDGE_PUNCTUATION = (",", ".", "!", "?", ";", ":", "'")
_OPEN_INDICATORS = ("could be ", "so ", "is ", "thus ", "therefore ", "final ", "answer ", "result ")


@dataclass(frozen=True)
class ParsedChoice:
    letter: str
    fallback: bool  # no candidate found: the letter is a random draw


def subject_of(sample_id: str) -> str:
    """'validation_Art_Theory_12' -> 'Art_Theory' (the official grouping key)."""
    return "_".join(sample_id.split("_")[1:-1])


def mmmu_categories(subject: str) -> dict[str, str]:
    return {"subject": subject, "discipline": DISCIPLINE_OF_SUBJECT.get(subject, "unknown")}


def parse_multiple_choice(
    response: str,
    options: dict[str, str],
    rng: random.Random,
    letter_forms: Sequence[str] = MMMU_LETTER_FORMS,
) -> ParsedChoice:
    """The official candidate search: "(X)" anywhere; else each form in `letter_forms` in turn (MMMU: " X ");
    else, for responses of more than 5 words, options whose text appears. Several candidates: the one whose
    last occurrence is latest. None: a random letter from `rng` (one draw)."""
    letters = list(options)
    for char in _EDGE_PUNCTUATION:  # one char at a time, as the official loop does
        response = response.strip(char)
    padded = f" {response} "

    found_by = "bracket"
    candidates = [c for c in letters if f"({c})" in padded]
    for form in letter_forms:
        if not candidates:
            found_by = "letter"
            candidates = [c for c in letters if form.format(c) in padded]
    if not candidates and len(padded.split()) > 5:
        found_by = "text"
        candidates = [c for c, text in options.items() if text.lower() in padded.lower()]

    if not candidates:
        return ParsedChoice(rng.choice(letters), fallback=True)
    if len(candidates) == 1:
        return ParsedChoice(candidates[0], fallback=False)
    # Ties go to the first candidate (numpy argmax). Letter candidates are located as " X " whatever form found them.
    if found_by == "bracket":
        positions = [padded.rfind(f"({c})") for c in candidates]
    elif found_by == "letter":
        positions = [padded.rfind(f" {c} ") for c in candidates]
    else:
        positions = [padded.lower().rfind(options[c].lower()) for c in candidates]
    return ParsedChoice(candidates[positions.index(max(positions))], fallback=False)


def _as_number(text: str) -> float | None:
    # The official test is Python's float() after removing commas (so "1e3", "inf", "1_0" count as numbers).
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def normalize_open_answer(text: str) -> list[str | float]:
    """A number becomes [float rounded to 2 places]; other text is lower-cased, and a single character is padded
    (" x", "x ") so it cannot match inside a word."""
    text = text.strip()
    number = _as_number(text)
    if number is not None:
        return [round(number, 2)]
    text = text.lower()
    return [f" {text}", f"{text} "] if len(text) == 1 else [text]


def extract_numbers(text: str) -> list[str]:
    """Numbers with thousands commas, then scientific notation, then plain numbers (the official three passes)."""
    with_commas = re.findall(r"-?\b\d{1,3}(?:,\d{3})+\b", text)
    scientific = re.findall(r"-?\d+(?:\.\d+)?[eE][+-]?\d+", text)
    simple = re.findall(r"-?(?:\d+\.\d+|\.\d+|\d+\b)(?![eE][+-]?\d+)(?![,\d])", text)
    return with_commas + scientific + simple


def _key_tails(response: str) -> list[str]:
    """Per line, the shortest tail after an indicator word ("=" too on the last line); the whole response if none."""
    response = response.strip().strip(".").lower()
    # The official sentence split r"\.\s(?=[A-Z])|\n" runs after lower-casing, so only newlines split.
    lines = response.split("\n")
    tails = []
    for index, line in enumerate(lines):
        indicators = _OPEN_INDICATORS + (("=",) if index == len(lines) - 1 else ())
        shortest: str | None = None
        for indicator in indicators:
            if indicator in line:
                tail = line.split(indicator)[-1].strip()
                if not shortest or len(tail) < len(shortest):
                    shortest = tail
        if shortest and shortest.strip() not in _EDGE_PUNCTUATION:
            tails.append(shortest)
    return tails or [response]


def parse_open(response: str) -> tuple[str | float, ...]:
    """Candidate answers of an open question: key tails plus every number in them, normalized, deduplicated."""
    tails = _key_tails(response)
    raw = tails + [n for tail in tails for n in extract_numbers(tail)]
    return tuple(dict.fromkeys(v for item in raw for v in normalize_open_answer(item)))


def is_open_correct(answer: str | Sequence[str], predictions: Sequence[str | float]) -> bool:
    """A string prediction is right if it contains a normalized answer string; a number if it equals one."""
    answers = [answer] if isinstance(answer, str) else list(answer)
    normalized = [v for a in answers for v in normalize_open_answer(a)]
    for pred in predictions:
        if isinstance(pred, str):
            if any(isinstance(a, str) and a in pred for a in normalized):
                return True
        elif pred in normalized:
            return True
    return False


def is_choice_correct(answer: str | Sequence[str], letter: str) -> bool:
    return letter == answer if isinstance(answer, str) else letter in answer


@register_scorer("mmmu")
class MMMUScorer(ItemAccuracyScorer):
    """MMMU val. mode "parse": raw responses through the official parsers (seeded random fallback, seed 42,
    one generator per `score` call, draws in item order). mode "eval_only": predictions are already parsed
    (a letter for multiple choice; open answers still go through the open parser, as main_eval_only.py does)."""

    name = "mmmu"

    def __init__(self, mode: Literal["parse", "eval_only"] = "parse", seed: int = OFFICIAL_SEED) -> None:
        if mode not in ("parse", "eval_only"):
            raise ValueError(f"mode must be 'parse' or 'eval_only', got {mode!r}")
        self.mode = mode
        self.seed = seed

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        question = ChoiceQuestion.of(item.reference)
        if question.question_type != "multiple-choice":
            parsed = parse_open(answer)
            return graded(item, is_open_correct(question.answer, parsed), repr(list(parsed)))
        if self.mode == "parse":
            choice = parse_multiple_choice(answer, dict(question.options), rng)
            return graded(item, is_choice_correct(question.answer, choice.letter), choice.letter, choice.fallback)
        return graded(item, is_choice_correct(question.answer, answer), answer)
