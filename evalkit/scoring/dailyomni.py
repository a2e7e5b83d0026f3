"""Daily-Omni answer extraction and scoring.

Follows Lliar-liar/Daily-Omni @ fccb838, test_model/Qwen2.5-Omni/testmodel.py (the script for the Qwen Omni
family): the text after the last "assistant" (if the word occurs at all) is stripped; its answer is its first
character when that is a letter a-d in either case, upper-cased (so "Based on ..." reads as B); otherwise the
whole text, which then never equals a letter. Right iff it equals the answer letter. Items whose inference failed
are skipped ("Skipped/Failed items") and accuracy divides by the processed ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, failed_score
from evalkit.scoring.registry import register_scorer

_AFTER_ASSISTANT = re.compile(r"assistant\s*([\s\S]*)$")
_LEADING_LETTER = re.compile(r"\s*([A-D])", re.IGNORECASE)


def extract_answer(output: str) -> str:
    """The official extraction: a letter A-D, or the (stripped) text itself when none leads it."""
    after = _AFTER_ASSISTANT.search(output)
    text = after.group(1).strip() if after else output
    letter = _LEADING_LETTER.match(text)
    return letter.group(1).upper() if letter else text


@register_scorer("dailyomni")
class DailyOmniScorer(AccuracyScorer):
    name = "dailyomni"
    official_denominator = "processed questions (an item whose inference failed is skipped)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        if item.prediction is None:
            return replace(failed_score(item), excluded=True)
        answer = extract_answer(item.prediction)
        # The official compare strips and upper-cases both sides; an empty answer is wrong.
        correct = bool(answer) and answer.strip().upper() == str(item.reference).strip().upper()
        return SampleScore(item.sample_id, {"correct": float(correct), "total": 1.0}, extracted=answer,
                           categories=item.categories)
