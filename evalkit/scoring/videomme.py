"""Video-MME answer extraction and scoring.

Follows BradyFU/Video-MME evaluation/eval_your_results.py at 464ff3629ad8aa99c8dbbc23b4a65049b9a11648 (file last
changed 4e7566d, deleted upstream in 49a2e67): extract_characters_regex, accuracy over answered questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer
from evalkit.scoring.registry import register_scorer

# The official list misses two commas, so Python glues "The best option is" to "The correct option is" and
# "Best answer:" to "Best option:"; those phrases are therefore NOT removed (and "Best answer: C" extracts the
# "B" of "Best"). Kept as the script runs.
ANSWER_PREFIXES: tuple[str, ...] = (
    "The best answer is",
    "The correct answer is",
    "The answer is",
    "The answer",
    "The best option is" "The correct option is",
    "Best answer:" "Best option:",
)

def extract_letter(response: str, prefixes: tuple[str, ...] = ANSWER_PREFIXES) -> str:
    """The first capital A-D left after removing the answer prefixes; "" when there is none. (The official
    'more than 10 words and no A-D -> ""' rule gives "" exactly when this search does, so it needs no branch.)
    WorldSense (VLMEvalKit) runs the same function with two more prefixes."""
    text = response.strip()
    for prefix in prefixes:
        text = text.replace(prefix, "")
    match = re.search(r"[ABCD]", text)
    return match[0] if match else ""


@register_scorer("videomme")
class VideoMMEScorer(AccuracyScorer):
    """The official denominator is the answered questions: one whose extraction is empty (no letter, or no
    prediction at all) is excluded from numerator and denominator, overall and in every category."""

    name = "videomme"
    official_denominator = "answered questions (a letter A-D extracted from the response)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        letter = "" if item.prediction is None else extract_letter(item.prediction)
        return SampleScore(
            sample_id=item.sample_id,
            stats={"correct": float(letter == item.reference), "total": 1.0},
            extracted=letter,
            failed=item.prediction is None,
            excluded=letter == "",
            categories=item.categories,
        )
