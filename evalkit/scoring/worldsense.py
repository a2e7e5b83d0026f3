"""WorldSense answer extraction and scoring.

Follows open-compass/VLMEvalKit, the evaluation the WorldSense README points to: vlmeval/dataset/worldsense.py
@ 00fff54 (WorldSense.evaluate with the default judge `exact_matching`) and vlmeval/dataset/utils/worldsense.py
@ 23757c4 (extract_characters_regex: Video-MME's function with "Answer:" and "Option:" also removed). A response
with no letter goes to extract_option, which under exact matching finds no option text (WorldSense questions
carry their candidates apart) and answers "Z": wrong, and counted. So every question is in the denominator.
"""

from __future__ import annotations

from evalkit.scoring.choice import LetterMatchScorer
from evalkit.scoring.registry import register_scorer
from evalkit.scoring.videomme import ANSWER_PREFIXES, extract_letter

WORLDSENSE_PREFIXES: tuple[str, ...] = (*ANSWER_PREFIXES, "Answer:", "Option:")


@register_scorer("worldsense")
class WorldSenseScorer(LetterMatchScorer):
    name = "worldsense"
    official_denominator = "every question (no letter extracted, or no prediction, is wrong)"

    def extract(self, answer: str) -> str | None:
        return extract_letter(answer, WORLDSENSE_PREFIXES)
