"""VLMEvalKit's rule-based answer matching for lettered multiple choice (MMStar, AI2D) and yes/no questions
(HallusionBench), without its optional GPT fallback (VLMEvalKit's `exact_matching` policy: an answer the rules
cannot read is wrong).

Follows open-compass/VLMEvalKit @ e8e78f05: vlmeval/utils/matching_util.py (can_infer_option, can_infer_text,
can_infer), vlmeval/smp/misc.py (process_punctuation), vlmeval/dataset/utils/yorn.py (YOrN_Extraction).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ChoiceQuestion, ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer

REFUSALS = (
    "Sorry, I can't help with images of people yet.", "I can't process this file.",
    "I'm sorry, but without the image provided", "Cannot determine the answer",
)
API_FAILURE = "Failed to obtain answer via API"  # VLMEvalKit's own error text: no letter is read from it
NO_ANSWER = "Z"  # VLMEvalKit's letter for a refusal: never an option, so wrong
_SEPARATORS = ".()[],:;!*#{}"
_VERBOSE_ANSWER = re.compile(r"(?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**")
_PUNCTUATION = (";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?",
                "!")
_COMMA_IN_NUMBER = re.compile(r"(\d)(,)(\d)")
_LONE_PERIOD = re.compile(r"(?<!\d)\.(?!\d)")
_PERIODS_REMOVED = int(re.UNICODE)  # the official call passes re.UNICODE as sub's count: at most 32 periods go


def infer_option(answer: str, letters: list[str]) -> str | None:
    """A letter named alone near the end of the answer (one of the options exactly once), else "Z" for a refusal
    or a bare "Z", else the letter of "answer is X"; None when none applies or the answer holds VLMEvalKit's API
    error text."""
    if API_FAILURE in answer:
        return None
    if any(refusal in answer for refusal in REFUSALS):
        return NO_ANSWER
    words = answer
    for char in _SEPARATORS:
        words = words.replace(char, " ")
    splits = [w.strip() for w in words.split()]
    named = [letter for letter in letters if letter in splits]
    if len(named) == 1:
        for letter in letters:
            if letter in splits and splits.index(letter) > len(splits) - 5:
                return letter
    elif not named and sum(c in splits for c in (NO_ANSWER, "")) == 1:
        return NO_ANSWER
    match = _VERBOSE_ANSWER.search(answer)
    if match and match.group(1).upper() in letters:
        return match.group(1).upper()
    return None


def infer_text(answer: str, options: Mapping[str, str]) -> str | None:
    """The one option whose text occurs in a not-too-long answer (lowercased)."""
    answer = answer.lower()
    if len(answer) > 2 * sum(len(str(v)) for v in options.values()):
        return None
    found = [letter for letter, text in options.items() if str(text).lower() in answer]
    return found[0] if len(found) == 1 else None


def can_infer(answer: str, options: Mapping[str, str]) -> str | None:
    return infer_option(answer, list(options)) or infer_text(answer, options)


def process_punctuation(text: str) -> str:
    out = text
    for mark in _PUNCTUATION:
        if mark + " " in text or " " + mark in text or _COMMA_IN_NUMBER.search(text) is not None:
            out = out.replace(mark, "")
        else:
            out = out.replace(mark, " ")
    return _LONE_PERIOD.sub("", out, count=_PERIODS_REMOVED)


def yes_or_no(output: str) -> str:
    """"Yes" or "No" when exactly one of the two words occurs, else "Unknown"."""
    words = process_punctuation(output.lower()).split()
    if ("yes" in words) != ("no" in words):
        return "Yes" if "yes" in words else "No"
    return "Unknown"


@register_scorer("vlmeval_mcq")
class VLMEvalChoiceScorer(ItemAccuracyScorer):
    """Accuracy of the letter `can_infer` reads; an answer it cannot read is wrong."""

    name = "vlmeval_mcq"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng  # the rules draw nothing
        question = ChoiceQuestion.of(item.reference)
        letter = can_infer(answer, dict(question.options))
        return graded(item, letter == question.answer, letter)
