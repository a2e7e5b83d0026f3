"""Arena-Hard v2: two judge requests per question (both orders), the official battle weights, and the official
show_result.py's number on a made-up case; end to end through the judge panel with a fake GPT-4.1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.cli import main as cli
from evalkit.judges.engine import Judgement
from evalkit.judges.official import ARENA_HARD_V2, ARENA_HARD_V2_CREATIVE
from evalkit.judges.panel import JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.judges.verdicts import Unparsable, parse_verdict
from evalkit.scoring.arena_hard import ArenaHardQuestion, ArenaHardScorer, model_battles
from evalkit.scoring.arena_style import StyleCounts, style_controlled_win_rate, style_differences
from evalkit.scoring.base import ScoreInput, official_scores
from evalkit.scoring.o200k import o200k_encoding

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASE = FIXTURES / "judges" / "arena_hard_v2_made_up.json"
SMOKE = FIXTURES / "smoke" / "arena_hard_v2"


def item(uid: str, category: str, answer: str | None = "my answer") -> ScoreInput:
    question = ArenaHardQuestion(uid, category, f"question {uid}", f"baseline answer {uid}", StyleCounts(5, 0, 0, 0))
    return ScoreInput(uid, answer, question, {"category": category})


def judgement(request_id: str, text: str) -> Judgement:
    try:
        return Judgement(request_id, parse_verdict("pairwise_label", text, {}))
    except Unparsable as exc:
        return Judgement(request_id, None, f"unparsable verdict: {exc}")


def test_battles_follow_show_result() -> None:
    # game 2 (model as A) as is, game 1 (baseline as A) inverted; a decisive label weighs three battles
    assert model_battles("B>A", "A>B") == (1.0, 1.0)
    assert model_battles("A>>B", "A=B") == (0.5, 0.0, 0.0, 0.0)
    assert model_battles("B>>A", "B>>A") == (0.0, 0.0, 0.0, 1.0, 1.0, 1.0)


def test_equals_the_official_show_result_on_a_made_up_case() -> None:
    case = json.loads(CASE.read_text(encoding="utf-8"))
    scorer = ArenaHardScorer(style_control=False)  # the plain battle share (style: tests/scoring/test_arena_style.py)
    items = [item(uid, category) for uid, category, _, _ in case["verdicts"]]
    judged = [tuple(judgement(f"{uid}#game{n}", f"My final verdict: [[{label}]]" if label else "no verdict")
                    for n, label in ((1, game1), (2, game2)))
              for uid, _, game1, game2 in case["verdicts"]]
    scores = scorer.score_judged(items, judged)
    for category, official in case["official"].items():
        kept = official_scores([s for s in scores if s.categories["category"] == category])
        assert len(kept) == official["questions"]
        assert sum(s.stats["total"] for s in kept) == official["battles"]
        assert scorer.aggregate(kept) == pytest.approx(official["win_rate"], abs=1e-9)
    failed = [s for s in scores if s.failed]
    assert len(failed) == 750 - 473 - 238 and all(s.excluded for s in failed)
    assert "q" in failed[0].detail["error"] and "unparsable verdict" in failed[0].detail["error"]


def fake_gpt41(body: dict) -> tuple[int, dict]:
    """Prefers the model's answer, decisively when it is assistant A; garbage for question "bad"."""
    text = user_text(body)
    if "question bad" in text:
        return 200, {"content": "I cannot decide."}
    model_is_a = "<|The Start of Assistant A's Answer|>\nmy answer" in text
    return 200, {"content": "Verdict: [[A>>B]]" if model_is_a else "Verdict: [[B>A]]"}


def test_two_orders_per_question_judged_cached_and_failing_closed(start_judge_server, tmp_path: Path) -> None:
    server = start_judge_server([ARENA_HARD_V2.model], fake_gpt41)
    items = [item("h1", "hard_prompt"), item("c1", "creative_writing"), item("bad", "hard_prompt"),
             item("none", "hard_prompt", answer=None)]
    config = JudgeConfig(use="official", base_url=server.base_url, api_key_env=KEY_ENV)
    scorer = ArenaHardScorer(style_control=False)
    for calls, hits in ((6, 0), (0, 6)):  # three answered questions, two games each; then all from the cache
        panel = JudgePanel(config, tmp_path)
        judged = panel.score(scorer, items)
        panel.close()
        assert (judged.report["calls_made"], judged.report["cache_hits"]) == (calls, hits)
    assert (judged.report["needing_judge"], judged.report["requests"], judged.report["failed"]) == (3, 6, 2)
    assert set(judged.report["specs"]) == {ARENA_HARD_V2.name, ARENA_HARD_V2_CREATIVE.name}
    h1, c1, bad, none = judged.scores
    assert (h1.stats["correct"], h1.stats["total"], h1.extracted) == (4.0, 4.0, "B>A A>>B")  # game 2: three battles
    assert c1.stats == h1.stats and not h1.failed
    assert bad.failed and bad.excluded and set(bad.detail["judges"]) == {"bad#game1", "bad#game2"}
    assert none.failed and none.excluded and "judges" not in none.detail
    assert scorer.aggregate(official_scores(judged.scores)) == 100.0
    assert scorer.aggregate(judged.scores) == pytest.approx(100 * 8 / 12)  # strict: two lost battles each
    systems = {json.dumps(body["messages"][0]) for body in server.bodies}
    creative = [b for b in server.bodies if "question c1" in user_text(b)]
    assert len(systems) == 2 and all("generating your own answer" not in str(b["messages"][0]) for b in creative)
    first_game = next(b for b in server.bodies if "question h1" in user_text(b))
    assert first_game["temperature"] == 0.0 and first_game["max_tokens"] == 16000


def test_without_a_judge_arena_hard_is_not_scored(tmp_path: Path) -> None:
    panel = JudgePanel(JudgeConfig(), tmp_path)
    judged = panel.score(ArenaHardScorer(), [item("h1", "hard_prompt")])
    assert judged.report["status"] == "not scored" and judged.report["requests"] == 2
    assert judged.scores[0].failed and "not scored: no judge configured" in judged.scores[0].detail["error"]


def test_score_command_judges_gen_answer_output(start_judge_server, tmp_path: Path, capsys) -> None:
    """A model's answers in gen_answer.py's format against the smoke fixture's questions and baselines."""
    server = start_judge_server([ARENA_HARD_V2.model], fake_gpt41)
    questions = SMOKE / "question.jsonl"
    answer = {"uid": "a0000000000000e1", "model": "m", "messages": [
        {"role": "user", "content": "q"}, {"role": "assistant", "content": {"answer": "my answer: s[::-1]"}}]}
    (tmp_path / "m.jsonl").write_text(json.dumps(answer) + "\n")
    assert cli(["score", "--task", "arena_hard_v2", "--predictions", str(tmp_path / "m.jsonl"), "--references",
                str(questions), "--json", "--judge-cache", str(tmp_path / "cache"), "--judge", "use=official",
                f"base_url={server.base_url}", f"api_key_env={KEY_ENV}"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # one question answered (won, 4 battles), the other unanswered: left out, in strict an empty answer that lost
    # two battles; the baselines' answers have 9 and 22 tokens (their metadata), no markdown
    answered = style_differences(StyleCounts(len(o200k_encoding().encode("my answer: s[::-1]")), 0, 0, 0),
                                 StyleCounts(9, 0, 0, 0))
    empty = style_differences(StyleCounts(0, 0, 0, 0), StyleCounts(22, 0, 0, 0))
    assert result["value"] == pytest.approx(style_controlled_win_rate(
        np.array([1.0]), np.array([answered]), np.array([4.0])))
    assert result["strict_value"] == pytest.approx(style_controlled_win_rate(
        np.array([1.0, 0.0]), np.array([answered, empty]), np.array([4.0, 2.0])))
    assert (result["n"], result["n_failed"]) == (2, 1) and 99 < result["value"] and result["strict_value"] < 90
    assert result["metric"] == "win rate, style control (length, markdown)" and len(server.bodies) == 2
    assert "Use slicing" in user_text(server.bodies[0])  # the official baseline's answer from model_answer/
