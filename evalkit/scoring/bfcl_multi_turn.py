"""BFCL-v3's four multi-turn categories (multi_turn_base, miss_func, miss_param, long_context), scored from recorded
answers: for every turn of an item, the model's raw response at each step (gorilla's result files hold them as
`result`: a list of turns, each a list of step responses).

evalkit's own runs generate them (tasks/bfcl_multi_turn.py: the model calls the benchmark's simulated APIs through
`execute`, sees their results and calls again); answers recorded elsewhere (gorilla's own generation) are scored
too: `evalkit score --task bfcl_v3` reads gorilla's result files (tasks/bfcl.py read_gorilla_results). BFCLScorer
calls `judge_recorded` for these items either way.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import Any

from evalkit.scoring.bfcl import MultiTurnItem, Verdict
from evalkit.scoring.bfcl_tool_calls import tool_call_objects

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
REFUSED = "evalkit_refused_call()"  # fails as an unknown function does: a NameError recorded as the call's result


def official_modules() -> tuple[ModuleType, ModuleType]:
    """bfcl-eval's executor (multi_turn_utils) and checker modules, imported when multi-turn answers are generated
    or scored; a RuntimeError saying what to install where bfcl-eval is missing."""
    try:
        return (importlib.import_module("bfcl_eval.eval_checker.multi_turn_eval.multi_turn_utils"),
                importlib.import_module("bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker"))
    except ImportError as exc:
        raise RuntimeError("BFCL-v3 multi-turn scoring needs bfcl-eval==2025.8.6.2 (gorilla @ cd9429c's simulated "
                           "APIs); `make` installs it with --no-deps") from exc


def api_methods(classes: Sequence[str]) -> frozenset[str]:
    """The public methods of the simulated APIs named (multi_turn_utils.CLASS_FILE_PATH_MAPPING's classes): the
    names the official executor binds to an instance."""
    official_modules()
    return frozenset().union(*(_class_methods(class_name) for class_name in classes))


@cache
def _class_methods(class_name: str) -> frozenset[str]:
    multi_turn_utils, _ = official_modules()
    api = getattr(importlib.import_module(multi_turn_utils.CLASS_FILE_PATH_MAPPING[class_name]), class_name)
    return frozenset(n for n, _ in inspect.getmembers(api, callable) if not n.startswith("_"))


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
    blocks = tool_call_objects(text)
    if blocks is None:
        return []
    try:
        return [_call(b["name"], b["arguments"], methods) for b in blocks]
    except (KeyError, AttributeError, TypeError, ValueError):
        return None


def _executed_steps(turn: Sequence[str], methods: frozenset[str]) -> list[list[str]]:
    """multi_turn_runner: the steps that decode to at least one call."""
    decoded = [decode_execute(step, methods) for step in turn]
    return [calls for calls in decoded if calls and calls != [""]]


@contextmanager
def api_instances() -> Iterator[str]:
    """A fresh name for the simulated API instances of one execution or check. The official executor keeps every
    instance in its module's globals, named after the model, item and class; a fresh name keeps executions apart,
    and its instances are dropped afterwards."""
    multi_turn_utils, _ = official_modules()
    name = f"evalkit_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        for key in [k for k in vars(multi_turn_utils) if k.startswith(name)]:
            del vars(multi_turn_utils)[key]


def execute(item: MultiTurnItem, calls: Sequence[str], name: str) -> list[str]:
    """multi_turn_utils.execute_multi_turn_func_call as the handler calls it while generating: the calls (from
    decode_execute) run on the item's instances named `name`, whose state carries over from earlier calls; each
    call's result as text ("Error during execution: ..." for one that raises)."""
    multi_turn_utils, _ = official_modules()
    entry = item.entry
    results, _ = multi_turn_utils.execute_multi_turn_func_call(
        list(calls), entry["initial_config"], entry["involved_classes"], name, entry["id"],
        long_context="long_context" in item.category, is_evaL_run=False)
    return [str(result) for result in results]


def judge_multi_turn(item: MultiTurnItem, turns: Sequence[Sequence[str]]) -> Verdict:
    """One answer's verdict, as eval_runner.py's multi_turn_runner gives it."""
    if len(turns) != len(item.ground_truth):
        return Verdict(False, "multi_turn:force_terminated",
                       f"{len(turns)} answered turns for {len(item.ground_truth)} turns")
    methods = api_methods(item.entry["involved_classes"])
    decoded = [_executed_steps(turn, methods) for turn in turns]
    _, checker = official_modules()
    with api_instances() as name:
        result = checker.multi_turn_checker(decoded, [list(t) for t in item.ground_truth], dict(item.entry),
                                            item.category, name)
    if result["valid"]:
        return Verdict(True)
    return Verdict(False, result["error_type"], str(result.get("error_message", "")))


def judge_recorded(item: MultiTurnItem, prediction: str) -> Verdict:
    """The verdict on a recorded answer, the JSON list of turns of step responses; anything else (gorilla writes
    an inference error as text) is wrong, as multi_turn_runner has it."""
    try:
        turns = json.loads(prediction)
    except ValueError:
        turns = None
    if not (isinstance(turns, list) and all(isinstance(t, list) and all(isinstance(s, str) for s in t)
                                            for t in turns)):
        return Verdict(False, "multi_turn:inference_error", "the answer is not a list of turns of step responses")
    return judge_multi_turn(item, turns)
