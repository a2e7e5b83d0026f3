"""MathVista scoring of already-extracted answers (the LLM extraction step is not part of this module).

Follows lupantech/MathVista @ 53d525874bdde205128e6b160b7357a88277d479, evaluation/calculate_score.py (last changed
e999481; first version ed0d56d gives identical results): normalize_extracted_answer, then exact equality.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer


@dataclass(frozen=True)
class MathVistaProblem:
    answer: str
    question_type: str  # "multi_choice" or "free_form"
    answer_type: str  # "text", "integer", "float", "list"
    choices: tuple[str, ...] = ()
    precision: int | None = None


@dataclass(frozen=True)
class Normalized:
    value: str | None
    fallback: bool  # multiple choice matched by edit distance, not by letter or exact text


def mathvista_categories(metadata: dict) -> dict[str, str]:
    """The task, and one key per skill (skills are a list; a key per skill keeps each group named by the skill)."""
    skills = {f"skill:{skill}": skill for skill in metadata.get("skills", [])}
    return {"task": metadata["task"], **skills} if "task" in metadata else skills


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance over characters (what python-Levenshtein's distance computes)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def most_similar(text: str, choices: Sequence[str]) -> str:
    """The choice nearest in edit distance; the first one on ties."""
    distances = [edit_distance(text, choice) for choice in choices]
    return choices[distances.index(min(distances))]


def normalize_extraction(extraction: str, problem: MathVistaProblem, ignore_empty: bool = False) -> Normalized:
    """Multiple choice: "(x)" -> its upper-cased letter; a letter -> that choice; else the most similar choice.
    Integer: str(int(float(x))). Float: str(round(float(x), precision)). List: the text. Unparsable: None."""
    if problem.question_type == "multi_choice":
        extraction = extraction.strip()
        if ignore_empty and not extraction:
            return Normalized(None, fallback=False)
        bracketed = re.findall(r"\(([a-zA-Z])\)", extraction)
        if bracketed:
            extraction = bracketed[0].upper()
        letters = [chr(ord("A") + i) for i in range(len(problem.choices))]
        if extraction in letters:
            return Normalized(problem.choices[letters.index(extraction)], fallback=False)
        return Normalized(most_similar(extraction, problem.choices), fallback=extraction not in problem.choices)
    try:
        if problem.answer_type == "integer":
            return Normalized(str(int(float(extraction))), fallback=False)
        if problem.answer_type == "float":
            if problem.precision is None:  # int(None) raises in the official code: no prediction
                return Normalized(None, fallback=False)
            return Normalized(str(round(float(extraction), problem.precision)), fallback=False)
    except (ValueError, OverflowError):
        return Normalized(None, fallback=False)
    if problem.answer_type == "list":
        return Normalized(extraction, fallback=False)
    # The official function leaves other free-form answer types undefined (it would raise); none occur in MathVista.
    raise ValueError(f"unknown MathVista answer_type {problem.answer_type!r}")


@register_scorer("mathvista")
class MathVistaScorer(ItemAccuracyScorer):
    """`ignore_empty_extractions` is the official script's flag of the same name (off by default there too)."""

    name = "mathvista"

    def __init__(self, ignore_empty_extractions: bool = False) -> None:
        self.ignore_empty_extractions = ignore_empty_extractions

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng  # MathVista's comparison draws nothing
        problem: MathVistaProblem = item.reference
        normalized = normalize_extraction(answer, problem, self.ignore_empty_extractions)
        return graded(item, normalized.value == problem.answer, normalized.value, normalized.fallback)
