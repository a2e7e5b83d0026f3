"""CountBench (CountBenchQA): right when the gold count, as text, occurs in the answer.

Follows open-compass/VLMEvalKit @ e8e78f05, vlmeval/dataset/image_vqa.py CountBenchQA.evaluate: `ans in pred` on
the strings, every item in the denominator. (So "12" is right for gold "2": the official rule, kept.)
"""

from __future__ import annotations

import random

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer


@register_scorer("countbench")
class CountBenchScorer(ItemAccuracyScorer):
    name = "countbench"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        return graded(item, str(item.reference) in answer, answer.strip())
