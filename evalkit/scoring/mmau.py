"""MMAU answer matching and scoring.

Follows Sakshi113/MMAU @ 110127f54c0dfba3faa5ec9feee4a7e4148679c5, evaluation.py (last changed 7468292):
string_match on lower-cased word sets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, ChoiceQuestion, failed_score, graded
from evalkit.scoring.registry import register_scorer


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def matches_answer(prediction: str, answer: str, choices: Sequence[str]) -> bool:
    """Right iff the prediction holds every word of the answer and no word that only other choices have
    (choices with exactly the answer's word set are ignored). An empty prediction, or a bare letter, is wrong."""
    predicted = words(prediction)
    if not predicted:
        return False
    answer_words = words(answer)
    other_words: set[str] = set()
    for choice in choices:
        choice_words = words(choice)
        if choice_words != answer_words:
            other_words |= choice_words - answer_words
    return answer_words <= predicted and predicted.isdisjoint(other_words)


@register_scorer("mmau")
class MMAUScorer(AccuracyScorer):
    """evaluation.py skips an item without `model_output` from every denominator: a sample without a prediction
    is excluded from the official number (and wrong in the strict one)."""

    name = "mmau"
    official_denominator = "items with a model output"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        if item.prediction is None:
            return replace(failed_score(item), excluded=True)
        question = ChoiceQuestion.of(item.reference)
        correct = matches_answer(item.prediction, str(question.answer), list(question.options.values()))
        return graded(item, correct)
