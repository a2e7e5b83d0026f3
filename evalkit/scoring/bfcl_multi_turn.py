"""BFCL-v3's four multi-turn categories (multi_turn_base, miss_func, miss_param, long_context), scored from recorded
answers: for every turn of an item, the model's raw response at each step (gorilla's result files hold them as
`result`: a list of turns, each a list of step responses).

Generating those answers needs a loop the run does not have (the model calls the benchmark's simulated APIs, sees
their results and calls again, up to 20 steps a turn, new functions arriving mid-conversation in miss_func), so
this module scores answers recorded elsewhere, such as by gorilla's own generation; see the README's BFCL notes.

Follows ShishirPatil/gorilla @ cd9429c, berkeley-function-call-leaderboard/bfcl_eval:
- each step is decoded as QwenFCHandler.decode_execute does (model_handler/local_inference/qwen_fc.py with
  utils.convert_to_function_call): the `<tool_call>` blocks as `name(key=repr(value),...)` calls; a step whose
  decoding fails or holds no call is left out (eval_runner.py multi_turn_runner);
- an answer with fewer or more turns than the item is wrong (multi_turn_runner: force-terminated);
- the rest is the official checker itself, multi_turn_checker.py from PyPI's bfcl-eval 2025.8.6.2 (that package's
  bfcl_eval folder is file for file gorilla @ cd9429c): the model's calls and the ground truth's are executed turn by
  turn in fresh instances of the simulated APIs (GorillaFileSystem, TwitterAPI, ...), and after every turn that
  expects calls the instances' states must be equal and every ground-truth result must be among the model's
  results so far.

One deviation: the official executor runs each call string with eval() in its own module, so a call to anything
but a method of the item's simulated APIs would run as Python there (a builtin such as open(), or code in a
function or argument name); such a call is replaced by one that fails, as an unknown function does, instead of
being run. It changes no API's state either way, so only a result string that a ground-truth call also returns
could tell the two apart.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils
from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker

from evalkit.scoring.base import SampleScore
from evalkit.scoring.bfcl import CATEGORY, MULTI_TURN, TOOL_CALL, Verdict

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
REFUSED = "evalkit_refused_call()"  # fails as an unknown function does: a NameError recorded as the call's result


@dataclass(frozen=True)
class MultiTurnItem:
    """One multi-turn item: its question row (the checker reads id, initial_config and involved_classes) and, per
    turn, the ground-truth calls (an empty turn expects none)."""

    category: str
    entry: Mapping[str, Any]
    ground_truth: tuple[tuple[str, ...], ...]


def api_methods(classes: Sequence[str]) -> frozenset[str]:
    """The public methods of the simulated APIs named (multi_turn_utils.CLASS_FILE_PATH_MAPPING's classes): the
    names the official executor binds to an instance."""
    names: set[str] = set()
    for class_name in classes:
        api = getattr(importlib.import_module(multi_turn_utils.CLASS_FILE_PATH_MAPPING[class_name]), class_name)
        names.update(n for n, member in inspect.getmembers(api, callable) if not n.startswith("_"))
    return frozenset(names)


def _call(name: Any, arguments: Any, methods: frozenset[str]) -> str:
    """utils.convert_to_function_call for one call; a call to no API method, or with a key that is not an
    identifier, is refused (REFUSED runs in its place)."""
    if isinstance(name, list | dict):
        raise TypeError("unhashable function name")  # the official {name: arguments} fails so
    if isinstance(arguments, str):
        arguments = json.loads(arguments)
    pairs = arguments.items()  # not a dict: decoding fails, as in the official code
    if name not in methods or not all(isinstance(k, str) and IDENTIFIER.fullmatch(k) for k, _ in pairs):
        return REFUSED
    return f"{name}({','.join(f'{key}={value!r}' for key, value in pairs)})"


def decode_execute(text: str, methods: frozenset[str]) -> list[str] | None:
    """QwenFCHandler.decode_execute: the step's calls as Python call strings; [] when a block is not a JSON object;
    None when decoding fails (a block without "name" or "arguments", arguments that are not an object)."""
    blocks: list[Any] = []
    for block in TOOL_CALL.findall(text):
        try:
            blocks.append(json.loads(block))
        except ValueError:
            blocks.append(block)
    if any(not isinstance(b, dict) for b in blocks):
        return []
    try:
        return [_call(b["name"], b["arguments"], methods) for b in blocks]
    except (KeyError, AttributeError, TypeError, ValueError):
        return None


def _executed_steps(turn: Sequence[str], methods: frozenset[str]) -> list[list[str]]:
    """multi_turn_runner: the steps that decode to at least one call."""
    decoded = [decode_execute(step, methods) for step in turn]
    return [calls for calls in decoded if calls and calls != [""]]


def judge_multi_turn(item: MultiTurnItem, turns: Sequence[Sequence[str]]) -> Verdict:
    """One answer's verdict, as eval_runner.py's multi_turn_runner gives it."""
    if len(turns) != len(item.ground_truth):
        return Verdict(False, "multi_turn:force_terminated",
                       f"{len(turns)} answered turns for {len(item.ground_truth)} turns")
    methods = api_methods(item.entry["involved_classes"])
    decoded = [_executed_steps(turn, methods) for turn in turns]
    # the official executor keeps every instance in its module's globals, named after the model, item and class;
    # a fresh name per check keeps checks apart, and its instances are dropped afterwards
    name = f"evalkit_{uuid.uuid4().hex}"
    try:
        result = multi_turn_checker(decoded, [list(t) for t in item.ground_truth], dict(item.entry), item.category,
                                    name)
    finally:
        for key in [k for k in vars(multi_turn_utils) if k.startswith(name)]:
            del vars(multi_turn_utils)[key]
    if result["valid"]:
        return Verdict(True)
    return Verdict(False, result["error_type"], str(result.get("error_message", "")))


def _lines(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON lines ({exc})") from exc


def load_items(data_dir: Path, category: str) -> list[MultiTurnItem]:
    """A category's items from gorilla's bfcl_eval/data at cd9429c (BFCL_v3_<category>.json and its possible
    answers)."""
    if category not in MULTI_TURN:
        raise ValueError(f"{category!r} is not a BFCL-v3 multi-turn category; they are {list(MULTI_TURN)}")
    answers_path = data_dir / "possible_answer" / f"BFCL_v3_{category}.json"
    truths = {row["id"]: row["ground_truth"] for row in _lines(answers_path)}
    items = []
    for row in _lines(data_dir / f"BFCL_v3_{category}.json"):
        if row["id"] not in truths:
            raise ValueError(f"{answers_path}: no ground truth for item {row['id']!r}")
        items.append(MultiTurnItem(category, row, tuple(tuple(turn) for turn in truths[row["id"]])))
    return items


def read_results(path: Path) -> dict[str, list[list[str]]]:
    """A gorilla result file (JSON lines with "id" and "result", a list of turns of step responses), by id."""
    results = {}
    for row in _lines(path):
        turns = row.get("result")
        if not (isinstance(turns, list) and all(isinstance(t, list) and all(isinstance(s, str) for s in t)
                                                for t in turns)):
            raise ValueError(f"{path}: item {row.get('id')!r}: 'result' is not a list of turns of step responses")
        results[row["id"]] = turns
    return results


def score_results(items: Sequence[MultiTurnItem], results: Mapping[str, Sequence[Sequence[str]]]) -> list[SampleScore]:
    """Every item's score (an item without a result is a failed, wrong one), with its category for
    BFCLScorer.breakdown's multi-turn overall."""
    scores = []
    for item in items:
        sample_id = str(item.entry["id"])
        turns = results.get(sample_id)
        verdict = Verdict(False, "failed", "no result") if turns is None else judge_multi_turn(item, turns)
        scores.append(SampleScore(sample_id, {"correct": float(verdict.valid)}, failed=turns is None,
                                  categories={CATEGORY: item.category},
                                  detail={"error_type": verdict.error_type, "error": verdict.error}))
    return scores
