"""The judged text benchmarks end to end: `evalkit run` on their smoke variants with the tiny model and a fake judge
serving both official judge models, then `evalkit rescore` from the judge cache (the references read back from
samples.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.cli import main as cli
from evalkit.judges.official import ARENA_HARD_V2, CREATIVE_WRITING_V3, WRITINGBENCH

TASKS = ("arena_hard_v2_smoke", "arena_hard_v2_creative_writing_smoke", "creative_writing_v3_smoke",
         "writingbench_smoke")


def fake_judges(body: dict) -> tuple[int, dict]:
    text = user_text(body)
    if text.startswith("<|User Prompt|>"):
        return 200, {"content": "A tie: [[A=B]]"}
    if "[PROMPT START]" in text:
        return 200, {"content": "[Scores]\n\nElegant Prose: 14\n\nPurple Prose: 6\n"}  # mean(14, 20 - 6) = 14
    return 200, {"content": '{"score": 7, "reason": "adequate"}'}


@pytest.mark.slow
def test_judged_text_tasks_run_and_rescore_from_the_cache(start_judge_server, tiny_model_dir: Path,
                                                          tmp_path: Path) -> None:
    server = start_judge_server(sorted({ARENA_HARD_V2.model, CREATIVE_WRITING_V3.model, WRITINGBENCH.model}),
                                fake_judges)
    out = tmp_path / "run"
    assert cli(["run", "model=tiny_random", f"model.path={tiny_model_dir}", f"tasks=[{','.join(TASKS)}]",
                f"output_dir={out}", f"cache_dir={tmp_path / 'cache'}", "judge.use=official",
                f"judge.base_url={server.base_url}", f"judge.api_key_env={KEY_ENV}",
                # each bootstrap resample of Arena-Hard refits its Bradley-Terry model (20 ms): 100, not 1000
                "stats.bootstrap_iterations=100"]) == 0
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))["tasks"]
    expected = {  # value, judge requests: two games per Arena-Hard question, one per piece, one per criterion
        "arena_hard_v2_smoke": (50.0, 4), "arena_hard_v2_creative_writing_smoke": (50.0, 2),
        "creative_writing_v3_smoke": (70.0, 2), "writingbench_smoke": (70.0, 3)}
    for task, (value, requests) in expected.items():
        judge = scores[task]["judge"]
        assert (scores[task]["value"], judge["requests"], judge["calls_made"], judge["failed"]) == \
            (pytest.approx(value), requests, requests, 0), task
    assert len(server.bodies) == 11
    assert cli(["rescore", str(out)]) == 0
    rescored = json.loads((out / "scores.json").read_text(encoding="utf-8"))["tasks"]
    assert all(rescored[t]["judge"]["calls_made"] == 0 and rescored[t]["value"] == scores[t]["value"] for t in TASKS)
    assert len(server.bodies) == 11
    assert "writingbench_smoke (judged by the official judge, claude-3-7-sonnet-20250219)" in \
        (out / "report.md").read_text(encoding="utf-8")
