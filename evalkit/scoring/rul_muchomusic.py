"""RUL-MuchoMusic answer extraction and scoring.

Follows yongyizang/AreYouReallyListening @ d3971de, ExampleAudioEval/qwen_2_audio.py, extract_answer (one-shot
evaluation, 5 options A-E): the last "[[X]]"; else the last letter after "answer is / chose / choose / select /
guess is / I choose / I select / I guess" (any case); else the first of A..E written as "option X", "Option X" or
"(X)" (in letter order); else the first option whose text occurs in the response (case-insensitive, in the order
shown); else nothing. Right iff the chosen option's text is the correct answer. Every question counts.
"""

from __future__ import annotations

import random
import re

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ChoiceQuestion, ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer

LETTERS = "ABCDE"
_BRACKETED = re.compile(r"\[\[([A-E])\]\]")
_AFTER_PHRASE = re.compile(r"(?:answer is|chose|choose|select|guess is|I choose|I select|I guess) ([A-E])\b",
                           re.IGNORECASE)


def extract_letter(response: str, options: dict[str, str]) -> str:
    """The official letter, or "" when none is found."""
    for pattern in (_BRACKETED, _AFTER_PHRASE):
        found = pattern.findall(response)
        if found:
            return found[-1].upper()
    for letter in LETTERS:
        if f"option {letter}" in response or f"Option {letter}" in response or f"({letter})" in response:
            return letter
    lowered = response.lower()
    return next((letter for letter, text in options.items() if text and text.lower() in lowered), "")


@register_scorer("rul_muchomusic")
class RULMuchoMusicScorer(ItemAccuracyScorer):
    name = "rul_muchomusic"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        question = ChoiceQuestion.of(item.reference)
        letter = extract_letter(answer, dict(question.options))
        return graded(item, question.options.get(letter) == question.answer, letter or None)
