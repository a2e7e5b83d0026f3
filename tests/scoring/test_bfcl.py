"""BFCL-v3's AST and relevance checks against the official gorilla code's verdicts, and its overall numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.bfcl import BFCLItem, BFCLScorer, judge, standardize_string
from evalkit.scoring.bfcl_tool_calls import decode_tool_calls

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "bfcl_case.json"


def items() -> list[dict]:
    return json.loads(CASE.read_text(encoding="utf-8"))["items"]


def reference(item: dict) -> BFCLItem:
    truth = item["ground_truth"]
    return BFCLItem(item["category"], tuple(item["functions"]), None if truth is None else tuple(truth))


def test_every_verdict_equals_the_official_checkers():
    """217 made-up answers (right, wrong value, missing or extra parameter, wrong type, reordered, repeated, no
    call, broken JSON, wrong name, int/float swapped; Java and JavaScript literals of every declared type, read and
    misread) to 18 items over all single-turn categories."""
    mismatches = [(item["id"], output) for item in items()
                  for output, official in zip(item["outputs"], item["official_valid"], strict=True)
                  if judge(reference(item), output).valid != official]
    assert mismatches == []


def test_the_overalls_follow_the_leaderboard_aggregation():
    case = json.loads(CASE.read_text(encoding="utf-8"))
    scorer = BFCLScorer()
    scores = scorer.score([ScoreInput(item["id"], item["outputs"][0], reference(item), {"category": item["category"]})
                           for item in case["items"]])
    numbers = scorer.breakdown(scores)
    assert numbers["non_live_simple"] == pytest.approx(100 * case["official_overall"]["non_live_simple"])
    assert numbers["non_live_overall"] == pytest.approx(100 * case["official_overall"]["non_live"])
    assert numbers["live_overall"] == pytest.approx(100 * case["official_overall"]["live"])
    assert scorer.aggregate(scores) == pytest.approx((numbers["non_live_overall"] + numbers["live_overall"]) / 2)


def test_decoding_qwen_tool_calls():
    text = ('<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>\n'
            '<tool_call>\n{"name": "g", "arguments": {}}\n</tool_call>')
    assert decode_tool_calls(text) == [{"f": {"x": 1}}, {"g": {}}]
    assert decode_tool_calls("<tool_call>\nnot json\n</tool_call>") == []  # any non-object block: no calls
    assert decode_tool_calls('<tool_call>\n{"name": "f"}\n</tool_call>') is None  # decoding fails
    assert standardize_string("April 1, 2024") == standardize_string("april 1 2024") == "april12024"


def test_a_missing_answer_is_a_failed_wrong_item():
    item = items()[0]
    [score] = BFCLScorer().score([ScoreInput("x", None, reference(item), {"category": item["category"]})])
    assert score.failed and score.stats["correct"] == 0.0


def test_the_leaderboard_overall_averages_the_multi_turn_overall():
    """generate_leaderboard_csv: multi-turn overall = unweighted mean of its four categories; overall = unweighted
    mean of the non-live, live and multi-turn overalls (hand-computed)."""
    def scores(category: str, right: int, total: int) -> list[SampleScore]:
        return [SampleScore(f"{category}_{i}", {"correct": float(i < right)}, categories={"category": category})
                for i in range(total)]

    everything = [*scores("simple", 3, 4), *scores("java", 1, 2), *scores("javascript", 0, 1),
                  *scores("live_simple", 1, 2), *scores("live_multiple", 2, 2),
                  *scores("multi_turn_base", 1, 4), *scores("multi_turn_long_context", 1, 2)]
    numbers = BFCLScorer.breakdown(everything)
    assert numbers["non_live_simple"] == pytest.approx((75 + 50 + 0) / 3)
    assert numbers["non_live_overall"] == pytest.approx(125 / 3)  # simple is the only non-live group present
    assert numbers["live_overall"] == pytest.approx(75.0)  # pooled: 3 of 4
    assert numbers["multi_turn_overall"] == pytest.approx((25 + 50) / 2)
    assert BFCLScorer().aggregate(everything) == pytest.approx((125 / 3 + 75 + 37.5) / 3)
