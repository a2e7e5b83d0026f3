"""Creative Writing v3: the official rubric parse and score on a made-up case (the number core/scoring.py gives),
and one judged piece end to end through the panel with a fake judge (the official prompt, with <SEED> kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.judges.engine import Judgement
from evalkit.judges.official import CREATIVE_WRITING_V3
from evalkit.judges.panel import JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.judges.verdicts import Unparsable, parse_verdict
from evalkit.scoring.base import ScoreInput, official_scores
from evalkit.scoring.creative_writing import CreativeWritingPrompt, CreativeWritingScorer

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "judges" / "creative_writing_v3_made_up.json"


def piece(sample_id: str, answer: str | None = "Rain drummed on the roof.") -> ScoreInput:
    return ScoreInput(sample_id, answer, CreativeWritingPrompt(sample_id.split("/")[0], "Write about rain. <SEED>"))


def test_equals_the_official_rubric_score_on_a_made_up_case() -> None:
    case = json.loads(CASE.read_text(encoding="utf-8"))
    options = dict(CREATIVE_WRITING_V3.verdict_options)
    judged = []
    for row in case["pieces"]:
        try:
            judged.append((Judgement(row["id"], parse_verdict("rubric_0_to_20", row["judge_text"], options)),))
        except Unparsable as exc:
            judged.append((Judgement(row["id"], None, f"unparsable verdict: {exc}"),))
    scorer = CreativeWritingScorer()
    scores = scorer.score_judged([piece(row["id"]) for row in case["pieces"]], judged)
    assert scorer.aggregate(official_scores(scores)) == pytest.approx(case["official"]["eqbench_creative_score"],
                                                                        abs=1e-9)
    assert round(scorer.aggregate(official_scores(scores)), 2) == case["official"]["rounded"]
    assert sum(s.excluded for s in scores) == case["official"]["skipped_pieces"] == 4


def test_one_request_per_piece_with_the_official_prompt(start_judge_server, tmp_path: Path) -> None:
    server = start_judge_server([CREATIVE_WRITING_V3.model],
                                lambda body: (200, {"content": "[Scores]\n\nElegant Prose: 15\n\nPurple Prose: 3\n"}))
    items = [piece("1/1"), piece("1/2", answer="   "), piece("2/1", answer=None)]
    panel = JudgePanel(JudgeConfig(use="official", base_url=server.base_url, api_key_env=KEY_ENV), tmp_path)
    judged = panel.score(CreativeWritingScorer(), items)
    panel.close()
    assert len(server.bodies) == 1 and judged.report["requests"] == 1  # an empty piece is not judged
    prompt = user_text(server.bodies[0])
    assert "[PROMPT START]\n\nWrite about rain. <SEED>\n\n[PROMPT END]" in prompt
    assert "- Adherence to Instructions\n- Believable Character Actions\n" in prompt
    assert "lower is better:\nUnearned Transformations, Incongruent Ending Positivity, Overwrought," in prompt
    assert server.bodies[0]["temperature"] == 0.0 and server.bodies[0]["max_tokens"] == 1000
    first, empty, unanswered = judged.scores
    assert first.stats == {"correct": pytest.approx(16 / 20), "total": 1.0}  # mean(15, 20 - 3) = 16
    assert empty.excluded and empty.detail["error"] == "empty answer: nothing to judge" and unanswered.excluded
    assert CreativeWritingScorer().aggregate(official_scores(judged.scores)) == pytest.approx(80.0)  # 16 x5
