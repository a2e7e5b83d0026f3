"""BFCL-v3 multi-turn scoring against the official runner's verdicts, and its decoding, refusals and records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils

from evalkit.scoring.bfcl import BFCLScorer
from evalkit.scoring.bfcl_multi_turn import (
    REFUSED,
    MultiTurnItem,
    api_methods,
    decode_execute,
    judge_multi_turn,
    load_items,
    read_results,
    score_results,
)

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "bfcl_multi_turn_case.json"
FILES = api_methods(["GorillaFileSystem"])


def items() -> list[dict]:
    return json.loads(CASE.read_text(encoding="utf-8"))["items"]


def item_of(raw: dict) -> MultiTurnItem:
    entry = {key: raw[key] for key in ("id", "initial_config", "involved_classes")}
    return MultiTurnItem(raw["category"], entry, tuple(tuple(turn) for turn in raw["ground_truth"]))


def block(name: str, arguments: object) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def test_every_verdict_equals_the_official_runners():
    """33 made-up answers (the ground truth in one step or one call a step, a call dropped, an argument changed, an
    extra call, a turn missing, undecodable steps, calls a turn early, a call where none is expected, arguments as a
    JSON string, a call to no API) to 3 items on GorillaFileSystem and MathAPI."""
    mismatches = [(raw["id"], n) for raw in items()
                  for n, (answer, official) in enumerate(zip(raw["outputs"], raw["official_valid"], strict=True))
                  if judge_multi_turn(item_of(raw), answer).valid != official]
    assert mismatches == []


def test_checks_are_independent_and_leave_no_instances():
    raw = items()[0]
    assert judge_multi_turn(item_of(raw), raw["outputs"][0]).valid  # the ground truth itself
    assert judge_multi_turn(item_of(raw), raw["outputs"][0]).valid  # again, on fresh instances
    assert not [key for key in vars(multi_turn_utils) if key.startswith("evalkit_")]
    verdict = judge_multi_turn(item_of(raw), raw["outputs"][0][:-1])
    assert (verdict.valid, verdict.error_type) == (False, "multi_turn:force_terminated")


def test_decoding_as_decode_execute():
    assert decode_execute(block("cd", {"folder": "docs"}) + "\n" + block("ls", {}), FILES) == ["cd(folder='docs')",
                                                                                                 "ls()"]
    assert decode_execute(block("cd", json.dumps({"folder": "docs"})), FILES) == ["cd(folder='docs')"]
    assert decode_execute("<tool_call>\nnot json\n</tool_call>", FILES) == []
    assert decode_execute('<tool_call>\n{"name": "cd"}\n</tool_call>', FILES) is None
    assert decode_execute(block("cd", [1]), FILES) is None


def test_calls_to_no_api_method_are_refused_not_run():
    assert decode_execute(block("open", {"file": "x.txt", "mode": "w"}), FILES) == [REFUSED]
    assert decode_execute(block("__import__('os').system", {}), FILES) == [REFUSED]
    assert decode_execute(block("cd", {"folder='a',x": 1}), FILES) == [REFUSED]


def test_records_and_the_multi_turn_overall(tmp_path):
    raw = items()
    scores = score_results([item_of(r) for r in raw], {raw[0]["id"]: raw[0]["outputs"][0],
                                                       raw[1]["id"]: raw[1]["outputs"][2]})
    assert [(s.stats["correct"], s.failed) for s in scores] == [(1.0, False), (0.0, False), (0.0, True)]
    assert BFCLScorer.breakdown(scores)["multi_turn_overall"] == pytest.approx((100 + 0 + 0) / 3)
    bad = tmp_path / "result.json"
    bad.write_text(json.dumps({"id": "multi_turn_base_0", "result": "text"}) + "\n")
    with pytest.raises(ValueError, match="multi_turn_base_0"):
        read_results(bad)
    with pytest.raises(ValueError, match="not a BFCL-v3 multi-turn category"):
        load_items(tmp_path, "simple")
