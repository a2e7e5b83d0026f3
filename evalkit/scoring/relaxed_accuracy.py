"""ChartQA's relaxed accuracy: a number within 5% of the gold number, anything else an exact (case-insensitive)
match; an item is right when its answer is right against any of its gold answers.

Follows open-compass/VLMEvalKit @ e8e78f05, vlmeval/dataset/utils/vqa_eval.py (relaxed_correctness, from
google-research/pix2struct metrics.py; process_line with method "relaxed_accuracy": the prediction stripped; the
item's score the max over its answers; a gold string that reads as a Python list is that list of answers, as
process_line's `istype(answer, list)` / `eval` make it). A gold value of 0 has no relative change: it is compared as
text.
"""

from __future__ import annotations

import ast
import random

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer

MAX_RELATIVE_CHANGE = 0.05


def _to_float(text: str) -> float | None:
    try:
        return float(text.rstrip("%")) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        return None


def relaxed_correct(target: str, prediction: str) -> bool:
    predicted, gold = _to_float(prediction), _to_float(target)
    if predicted is not None and gold:
        return abs(predicted - gold) / abs(gold) <= MAX_RELATIVE_CHANGE
    return prediction.lower() == target.lower()


def gold_answers(reference: str | list) -> list[str]:
    """The accepted answers: a list as given, a string holding a Python list literal as its items, else the one."""
    if not isinstance(reference, str):
        return [str(a) for a in reference]
    try:
        parsed = ast.literal_eval(reference)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return [reference]
    return [str(a) for a in parsed] if isinstance(parsed, list) else [reference]


@register_scorer("relaxed_accuracy")
class RelaxedAccuracyScorer(ItemAccuracyScorer):
    """References: the gold answer, or a list of accepted answers."""

    name = "relaxed_accuracy"
    metric = "relaxed_accuracy"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        prediction = answer.strip()
        return graded(item, any(relaxed_correct(a, prediction) for a in gold_answers(item.reference)), prediction)
