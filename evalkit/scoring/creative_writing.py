"""Creative Writing v3's rubric score (EQ-bench/creative-writing-bench @ e7ab009): each piece judged once against
the 22-criterion rubric (core/conversation.py judge()), the piece's score the mean of its parsed criteria on 0..20
with the lower-is-better ones inverted (verdict `rubric_0_to_20`, core/scoring.py), the benchmark's the mean over
pieces x5 (compute_single_benchmark_score_creative's `eqbench_creative_score`, 0..100; it rounds to 2 decimals,
evalkit does not). A piece whose judge text holds no score is left out, as compute_creative_scores skips it.

The judge sees the prompt as written in the prompt file, its `<SEED>` placeholder unreplaced (judge() formats
`self.base_prompt`), while the model was asked the prompt with the iteration's seed modifier in its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.judges.engine import JudgeItem
from evalkit.judges.official import CREATIVE_WRITING_V3
from evalkit.judges.panel import JudgeRequest
from evalkit.judges.templates import CREATIVE_WRITING_V3_CRITERIA
from evalkit.judges.verdicts import Verdict
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.judged_share import JudgedShareScorer
from evalkit.scoring.registry import register_scorer

RUBRIC_MAX = 20.0
# the fixed parts of the judge prompt (core/conversation.py judge())
RUBRIC_FIELDS = {
    "creative_writing_criteria": "\n".join(f"- {name}" for name in CREATIVE_WRITING_V3_CRITERIA),
    "lower_is_better_criteria": ", ".join(dict(CREATIVE_WRITING_V3.verdict_options)["lower_is_better"]),
}


@dataclass(frozen=True)
class CreativeWritingPrompt:
    """A reference: the prompt's id and its text as the prompt file holds it (with `<SEED>`)."""

    prompt_id: str
    base_prompt: str

    @classmethod
    def of(cls, reference: CreativeWritingPrompt | Mapping[str, Any]) -> CreativeWritingPrompt:
        """The prompt itself, or its JSON form as a run's samples.jsonl stores it."""
        return reference if isinstance(reference, CreativeWritingPrompt) else cls(**reference)


@register_scorer("creative_writing_v3")
class CreativeWritingScorer(JudgedShareScorer):
    """Per piece its rubric score as a share of 20 (`correct` of `total` 1): the value is 100 x mean / 20, that is
    the official mean on 0..20 x5."""

    name = "creative_writing_v3"
    metric = "rubric score"
    official_judges = (CREATIVE_WRITING_V3,)

    def requests(self, item: ScoreInput, answer: str) -> tuple[JudgeRequest, ...]:
        if not answer.strip():  # judge() skips an empty generation
            return ()
        prompt = CreativeWritingPrompt.of(item.reference)
        fields = {"writing_prompt": prompt.base_prompt, "test_model_response": answer.strip(), **RUBRIC_FIELDS}
        return (JudgeRequest(CREATIVE_WRITING_V3, JudgeItem(item.sample_id, fields)),)

    def total(self, item: ScoreInput) -> float:
        return 1.0

    def earned(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> tuple[float, float, str]:
        (piece,) = verdicts
        return float(piece) / RUBRIC_MAX, 1.0, f"{float(piece):.4g}"
