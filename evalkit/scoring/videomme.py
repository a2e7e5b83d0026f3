"""Video-MME answer extraction and scoring.

Follows BradyFU/Video-MME evaluation/eval_your_results.py at 464ff3629ad8aa99c8dbbc23b4a65049b9a11648 (file last
changed 4e7566d, deleted upstream in 49a2e67): extract_characters_regex, accuracy over answered questions.
"""

from __future__ import annotations

import re
from typing import Literal, Sequence

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

Denominator = Literal["answered", "all"]


def extract_letter(response: str) -> str:
    """The first capital A-D left after removing the answer prefixes; "" when there is none. (The official
    'more than 10 words and no A-D -> ""' rule gives "" exactly when this search does, so it needs no branch.)"""
    text = response.strip()
    for prefix in ANSWER_PREFIXES:
        text = text.replace(prefix, "")
    match = re.search(r"[ABCD]", text)
    return match[0] if match else ""


@register_scorer("videomme")
class VideoMMEScorer(AccuracyScorer):
    """`denominator="answered"` (official) drops questions whose extraction is empty from numerator and
    denominator; "all" counts them wrong. The other denominator is given by `secondary`."""

    name = "videomme"

    def __init__(self, denominator: Denominator = "answered") -> None:
        if denominator not in ("answered", "all"):
            raise ValueError(f"denominator must be 'answered' or 'all', got {denominator!r}")
        self.denominator = denominator

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        # A missing prediction is unanswered: outside the official denominator, counted wrong under "all".
        letter = "" if item.prediction is None else extract_letter(item.prediction)
        stats = {"correct": float(letter == item.reference), "answered": float(letter != ""), "all": 1.0}
        return SampleScore(
            sample_id=item.sample_id,
            stats={**stats, "total": stats[self.denominator]},
            extracted=letter,
            failed=item.prediction is None,
            categories=item.categories,
        )

    def secondary(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        """Accuracy under the other denominator, and how many questions had no extractable letter."""
        other = "all" if self.denominator == "answered" else "answered"
        counted = sum(s.stats[other] for s in scores)
        correct = sum(s.stats["correct"] for s in scores)
        return {
            f"accuracy_over_{other}": 100.0 * correct / counted if counted else 0.0,
            "n_unanswered": sum(1.0 - s.stats["answered"] for s in scores),
        }
