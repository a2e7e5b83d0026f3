"""WorldSense answer extraction and scoring.

Follows open-compass/VLMEvalKit, the evaluation the WorldSense README points to: vlmeval/dataset/worldsense.py
@ 00fff54 (WorldSense.evaluate with the default judge `exact_matching`) and vlmeval/dataset/utils/worldsense.py
@ 23757c4 (extract_characters_regex: Video-MME's function with "Answer:" and "Option:" also removed). A response
with no letter goes to extract_option, which under exact matching finds no option text (WorldSense questions
carry their candidates apart) and answers "Z": wrong, and counted. So every question is in the denominator.
"""

from __future__ import annotations

import random

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer
from evalkit.scoring.videomme import ANSWER_PREFIXES, extract_letter

WORLDSENSE_PREFIXES: tuple[str, ...] = (*ANSWER_PREFIXES, "Answer:", "Option:")


@register_scorer("worldsense")
class WorldSenseScorer(ItemAccuracyScorer):
    name = "worldsense"
    official_denominator = "every question (no letter extracted, or no prediction, is wrong)"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng  # exact matching draws nothing
        letter = extract_letter(answer, WORLDSENSE_PREFIXES)
        return graded(item, letter == item.reference, letter or None)
