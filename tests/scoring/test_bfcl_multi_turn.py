"""BFCL-v3 multi-turn scoring against the official runner's verdicts, and its decoding, refusals and records."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from evalkit.scoring.base import PredictionFiles
from evalkit.scoring.bfcl import BFCLScorer, MultiTurnItem
from evalkit.scoring.bfcl_multi_turn import REFUSED, api_methods, decode_execute, judge_multi_turn, judge_recorded
from tasks.bfcl import read_gorilla_results

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "bfcl_multi_turn_case.json"
SINGLE_CASE = CASE.with_name("bfcl_case.json")
FILES = api_methods(["GorillaFileSystem"])


def items() -> list[dict]:
    return json.loads(CASE.read_text(encoding="utf-8"))["items"]


def item_of(raw: dict) -> MultiTurnItem:
    entry = {key: raw[key] for key in ("id", "initial_config", "involved_classes")}
    return MultiTurnItem(raw["category"], entry, tuple(tuple(turn) for turn in raw["ground_truth"]))


def write_lines(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


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
    executor = importlib.import_module("bfcl_eval.eval_checker.multi_turn_eval.multi_turn_utils")
    assert not [key for key in vars(executor) if key.startswith("evalkit_")]
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


def test_gorilla_result_files_score_with_the_leaderboard_overall(tmp_path):
    """`evalkit score --task bfcl_v3`'s reader: gorilla's data and result layout, a single-turn and two multi-turn
    categories, an item without a result recorded as failed."""
    data, results = tmp_path / "data", tmp_path / "result"
    (data / "possible_answer").mkdir(parents=True)
    results.mkdir()
    single = json.loads(SINGLE_CASE.read_text(encoding="utf-8"))["items"][0]  # a right first answer
    write_lines(data / "BFCL_v3_simple.json", [{"id": single["id"], "function": single["functions"],
                                                "question": [[{"role": "user", "content": "made up"}]]}])
    write_lines(data / "possible_answer" / "BFCL_v3_simple.json", [{"id": single["id"],
                                                                    "ground_truth": single["ground_truth"]}])
    write_lines(results / "BFCL_v3_simple_result.json", [{"id": single["id"], "result": single["outputs"][0]}])
    for raw, answer in zip(items()[:2], (items()[0]["outputs"][0], None), strict=True):
        category = raw["category"]
        write_lines(data / f"BFCL_v3_{category}.json", [{k: raw[k] for k in ("id", "initial_config",
                                                                             "involved_classes")}])
        write_lines(data / "possible_answer" / f"BFCL_v3_{category}.json", [{"id": raw["id"],
                                                                             "ground_truth": raw["ground_truth"]}])
        write_lines(results / f"BFCL_v3_{category}_result.json", [] if answer is None else [{"id": raw["id"],
                                                                                             "result": answer}])
    scorer, inputs = read_gorilla_results(PredictionFiles(results, references=data))
    scores = scorer.score(inputs)
    assert [(s.sample_id, s.stats["correct"], s.failed) for s in scores] == [
        (items()[0]["id"], 1.0, False), (items()[1]["id"], 0.0, True), (single["id"], 1.0, False)]
    numbers = BFCLScorer.breakdown(scores)
    assert numbers["multi_turn_overall"] == pytest.approx(50.0)
    assert scorer.aggregate(scores) == pytest.approx((100 + 50) / 2)  # non-live and multi-turn overalls present
    assert not judge_recorded(item_of(items()[0]), "Error during inference: timeout").valid
