"""MMMU-Pro (standard 10 options and vision) answer parsing and scoring.

Follows MMMU-Benchmark/MMMU @ bb0b95a945998d91dfef37e969e07d49d1139438, mmmu-pro/evaluate.py (last changed
8ac826a): a unique option letter after the last "Answer:", else the MMMU candidate search with two extra letter
forms ("X " and "X."), else a random letter. The official script draws that letter WITHOUT a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ChoiceQuestion, ItemAccuracyScorer, accuracy_percent, graded
from evalkit.scoring.mmmu import ParsedChoice, parse_multiple_choice
from evalkit.scoring.registry import register_scorer

# evaluate.py replaces MMMU's " X " by "X " and adds "X." as a further pass; ties are still located as " X ".
MMMU_PRO_LETTER_FORMS: tuple[str, ...] = ("{} ", "{}.")
ANSWER_LABEL = "Answer:"


def letter_after_answer_label(response: str, letters: Sequence[str]) -> str | None:
    """The one option letter that occurs (as a substring) after the last "Answer:"; None if none or several."""
    position = response.rfind(ANSWER_LABEL)
    if position == -1:
        return None
    tail = response[position + len(ANSWER_LABEL):].strip()
    matches = [letter for letter in letters if letter in tail]
    return matches[0] if len(matches) == 1 else None


def parse_mmmu_pro(response: str, options: dict[str, str], rng: random.Random) -> ParsedChoice:
    letter = letter_after_answer_label(response, list(options))
    if letter is not None:
        return ParsedChoice(letter, fallback=False)
    return parse_multiple_choice(response, options, rng, MMMU_PRO_LETTER_FORMS)


@register_scorer("mmmu_pro")
class MMMUProScorer(ItemAccuracyScorer):
    """Accuracy = parsed letter equals the answer letter. `seed=None` (official) draws fallbacks from fresh
    system entropy; an integer seed makes the fallbacks reproducible (a named deviation)."""

    name = "mmmu_pro"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        question = ChoiceQuestion.of(item.reference)
        choice = parse_mmmu_pro(answer, dict(question.options), rng)
        return graded(item, choice.letter == question.answer, choice.letter, choice.fallback)


SETTING_KEY = "setting"


@register_scorer("mmmu_pro_overall")
class MMMUProOverallScorer(MMMUProScorer):
    """MMMU-Pro's overall score: the mean of the two settings' accuracies (the `setting` category), as the
    MMMU-Pro paper and leaderboard combine standard (10 options) and vision."""

    name = "mmmu_pro_overall"
    official_denominator = "every item; the overall averages the two settings' accuracies"

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        by_setting: dict[str, list[SampleScore]] = {}
        for s in scores:
            by_setting.setdefault(s.categories.get(SETTING_KEY, ""), []).append(s)
        return sum(accuracy_percent(group) for group in by_setting.values()) / len(by_setting) if by_setting else 0.0
