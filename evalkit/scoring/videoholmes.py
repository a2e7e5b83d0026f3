"""Video-Holmes answer extraction and scoring.

Follows TencentARC/Video-Holmes @ 52ef8da, evaluate.py: the text of the last <answer>...</answer> (else the whole
response); then the first of A..F written as "X ", "X:" or "[X" (in that letter order), else the first of A..F
appearing anywhere, again in letter order rather than by position (so any capital A in the text wins);
else WRONG. Every question counts (a failed inference is the string "Wrong", which reads as WRONG).
"""

from __future__ import annotations

import re

from evalkit.scoring.choice import LetterMatchScorer
from evalkit.scoring.registry import register_scorer

LETTERS = "ABCDEF"
_ANSWER_TAG = re.compile(r"<answer>\s*(.*?)\s*</answer>", re.DOTALL)


def extract_choice(response: str) -> str | None:
    """The official letter, or None for its "WRONG"."""
    tagged = _ANSWER_TAG.findall(response)
    choice = tagged[-1].strip() if tagged else response
    for letter in LETTERS:
        if f"{letter} " in choice or f"{letter}:" in choice or f"[{letter}" in choice:
            return letter
    return next((letter for letter in LETTERS if letter in choice), None)


@register_scorer("videoholmes")
class VideoHolmesScorer(LetterMatchScorer):
    name = "videoholmes"

    def extract(self, answer: str) -> str | None:
        return extract_choice(answer)
