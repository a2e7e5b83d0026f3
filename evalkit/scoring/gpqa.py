"""GPQA's answer reading as OpenAI's simple-evals does it (openai/simple-evals @ ee3b031, gpqa_eval.py with
common.py's ANSWER_PATTERN_MULTICHOICE): the FIRST "Answer: X" (any case, spaces or tabs around the colon, an
optional "$" either side of the letter) anywhere in the response; X must equal the correct letter. No letter found
is wrong. The reference is the correct letter after the task's recorded choice shuffle (tasks/gpqa.py).
"""

from __future__ import annotations

import re

from evalkit.scoring.choice import LetterMatchScorer
from evalkit.scoring.registry import register_scorer

ANSWER_LINE = re.compile(r"(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?")


def answer_letter(response: str) -> str | None:
    match = ANSWER_LINE.search(response)
    return match.group(1) if match else None


@register_scorer("gpqa")
class GPQAScorer(LetterMatchScorer):
    name = "gpqa"

    def extract(self, answer: str) -> str | None:
        return answer_letter(answer)
