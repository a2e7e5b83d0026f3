"""WritingBench: one judge request per criterion, the official JSON check, and calculate_scores.py's Overall and
domain scores on a made-up case; end to end through the panel with a fake judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.cli import main as cli
from evalkit.judges.engine import Judgement
from evalkit.judges.official import WRITINGBENCH
from evalkit.judges.panel import JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.judges.verdicts import parse_verdict
from evalkit.scoring.base import ScoreInput, aggregate_with_categories, official_scores
from evalkit.scoring.writingbench import WritingBenchQuery, WritingBenchScorer, judged_response

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "judges" / "writingbench_made_up.json"
CRITERION = {"name": "Clarity", "criteria_description": "Is it clear?", "1-2": "Unclear.", "9-10": "Crystal clear."}


def query(index: str, criteria: int = 2, answer: str | None = "A clear memo.", **categories: str) -> ScoreInput:
    reference = WritingBenchQuery(index, f"Write memo {index}.",
                                  tuple(str({**CRITERION, "name": f"C{k}"}) for k in range(criteria)))
    return ScoreInput(index, answer, reference, categories)


def test_equals_the_official_calculate_scores_on_a_made_up_case() -> None:
    case = json.loads(CASE.read_text(encoding="utf-8"))
    items, judged = [], []
    for row in case["queries"]:
        items.append(query(str(row["index"]), criteria=len(row["judge_texts"]), domain1=row["domain1"],
                           domain2=row["domain2"]))
        judged.append(tuple(Judgement(f"{row['index']}#{k}", parse_verdict("json_score_1_to_10", text, {}))
                            for k, text in enumerate(row["judge_texts"], 1)))
    scorer = WritingBenchScorer()
    result = aggregate_with_categories(scorer, scorer.score_judged(items, judged))
    assert result.value == pytest.approx(10 * case["official"]["overall"], abs=1e-9)  # the leaderboard's x10
    for domain, mean in case["official"]["domain1"].items():
        assert result.by_category[domain] == pytest.approx(10 * mean, abs=1e-9)
    assert result.n == case["official"]["queries"] and result.n_failed == 0


def test_the_judge_sees_the_answer_after_the_reasoning() -> None:
    assert judged_response("<think>plan</think>\n\nThe memo.") == "The memo."
    assert judged_response("No reasoning </think> here.") == "No reasoning </think> here."


def fake_claude(body: dict) -> tuple[int, dict]:
    text = user_text(body)
    if "'name': 'C1'" in text and "memo 2" in text:
        return 200, {"content": '{"score": 11, "reason": "off the scale"}'}
    score = 8 if "'name': 'C0'" in text else 5
    return 200, {"content": f'```json\n{{"score": {score}, "reason": "fine"}}\n```'}


def test_one_request_per_criterion_failing_closed(start_judge_server, tmp_path: Path) -> None:
    server = start_judge_server([WRITINGBENCH.model], fake_claude)
    items = [query("1", criteria=2), query("2", criteria=3)]
    panel = JudgePanel(JudgeConfig(use="official", base_url=server.base_url, api_key_env=KEY_ENV), tmp_path)
    judged = panel.score(WritingBenchScorer(), items)
    panel.close()
    assert (judged.report["requests"], judged.report["calls_made"], judged.report["failed"]) == (5, 5, 1)
    body = server.bodies[0]
    assert body["temperature"] == 1.0 and body["top_p"] == 0.95 and body["max_tokens"] == 2048
    assert "** Criteria **\n```{'name': 'C" in user_text(body) and "'1-2': 'Unclear.'" in user_text(body)
    first, second = judged.scores
    assert first.stats == {"correct": pytest.approx(1.3), "total": 2.0} and first.extracted == "8 5"
    assert second.failed and second.excluded and "2#2: unparsable verdict" in second.detail["error"]
    assert WritingBenchScorer().aggregate(official_scores(judged.scores)) == pytest.approx(65.0)  # (8 + 5) / 2 x10


def test_score_command_judges_generate_response_output(start_judge_server, tmp_path: Path, capsys) -> None:
    server = start_judge_server([WRITINGBENCH.model], fake_claude)
    criterion = {**CRITERION, "name": "C0"}
    (tmp_path / "bench.jsonl").write_text("".join(json.dumps(row) + "\n" for row in [
        {"index": 1, "domain1": "Education", "domain2": "Memos", "lang": "en", "query": "Write memo 1.",
         "checklist": [criterion, {**criterion, "name": "C1"}]},
        {"index": 2, "domain1": "Education", "domain2": "Memos", "lang": "en", "query": "Write memo 2.",
         "checklist": [criterion]}]))
    (tmp_path / "responses.jsonl").write_text(json.dumps({"index": 1, "response": "<think>x</think>\n\nA memo."}))
    assert cli(["score", "--task", "writingbench", "--predictions", str(tmp_path / "responses.jsonl"),
                "--references", str(tmp_path / "bench.jsonl"), "--json", "--judge-cache", str(tmp_path / "cache"),
                "--judgements", str(tmp_path / "verdicts.jsonl"), "--judge", "use=official",
                f"base_url={server.base_url}", f"api_key_env={KEY_ENV}"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # query 1: C0 8, C1 5 -> 65; query 2 has no response: failed, left out of the official number
    assert (result["value"], result["n_failed"], result["judge"]["requests"]) == (pytest.approx(65.0), 1, 2)
    assert "A memo." in user_text(server.bodies[0]) and "<think>" not in user_text(server.bodies[0])
    lines = [json.loads(line) for line in (tmp_path / "verdicts.jsonl").read_text().splitlines()]
    assert [(line["sample_id"], line["verdict"]) for line in lines] == [("1#1", 8.0), ("1#2", 5.0)]
