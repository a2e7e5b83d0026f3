"""MathVista testmini (AI4Math/MathVista, split testmini, 1,000 problems): score-only for now. `evalkit score`
reads MathVista's official output JSON (the answers extracted by its LLM step) and scores it as
calculate_score.py does; there is no loader yet (the extraction step needs a judge model).
"""

from __future__ import annotations

from evalkit.config import DatasetConfig, ScorerConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, TaskSpec, register, reported_in
from evalkit.scoring.choice_files import read_mathvista

register(TaskSpec(
    name="mathvista_testmini",
    title="MathVista testmini, 1,000 problems (score-only: `evalkit score` on MathVista's output JSON)",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="AI4Math/MathVista", split="testmini"),
    scorer=ScorerConfig("mathvista"),
    official_format=OfficialFormat(
        read_mathvista,
        "MathVista output JSON {pid: {extraction, choices, question_type, answer_type, precision, answer?, "
        "metadata}}; --references testmini.json supplies answers the output lacks",
        takes=("references",),
    ),
    reported=reported_in(VISION_TABLES, "MathVista", "testmini", "accuracy"),
))
