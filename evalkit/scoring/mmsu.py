"""MMSU answer extraction and scoring.

Follows dingdongwang/MMSU_Bench @ f0ef334, mmsu_evaluation.py: the response stripped, newlines removed; its answer
is its first character if that is A-D, else its second-to-last character if that is A-D ("The answer is A.");
otherwise the response is "Wrong format" and the script skips it (`continue`): it leaves the denominator. Right iff
the chosen option's text equals answer_gt. Deviation: for an empty or "None" response the script reuses the
previous record's letter (a stale variable); evalkit scores it wrong and keeps it in the denominator.
"""

from __future__ import annotations

from collections.abc import Sequence

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, ChoiceQuestion, failed_score
from evalkit.scoring.registry import register_scorer

LETTERS = "ABCD"


def extract_letter(response: str) -> str | None:
    """The official letter; None for a response in the wrong format."""
    text = response.strip().replace("\n", "")
    if text[:1] in LETTERS and text:
        return text[0]
    if len(text) > 1 and text[-2] in LETTERS:
        return text[-2]
    return None


@register_scorer("mmsu")
class MMSUScorer(AccuracyScorer):
    name = "mmsu"
    official_denominator = "responses in the official format (a letter first, or second to last)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        if item.prediction is None:
            return failed_score(item)
        question = ChoiceQuestion.of(item.reference)
        empty = item.prediction.strip() in ("", "None")
        letter = None if empty else extract_letter(item.prediction)
        correct = letter is not None and question.options.get(letter) == question.answer
        return SampleScore(item.sample_id, {"correct": float(correct), "total": 1.0}, extracted=letter,
                           excluded=letter is None and not empty, categories=item.categories)
