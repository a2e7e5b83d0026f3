"""BFCL-v3 multi-turn generation: the loop (evalkit.agents) in which the model calls the item's simulated APIs, step
by step, turn by turn, as the leaderboard's handler runs a Qwen FC model.

Follows ShishirPatil/gorilla @ cd9429ccf3d4d04156affe883c495b3b047e6b64, berkeley-function-call-leaderboard/bfcl_eval
(PyPI's bfcl-eval 2025.8.6.2 holds the same files):
- the functions offered (_llm_response_generation.py process_multi_turn_test_case): the docs of every involved class
  (multi_turn_func_doc/, MULTI_TURN_FUNC_DOC_FILE_MAPPING), in class order, without miss_func's held-out ones; each
  with the Python note (utils.func_doc_language_specific_pre_processing), in the tools system turn of the
  single-turn categories (QwenFCHandler._format_prompt; no other system prompt: the handler adds none for FC models);
- the loop (base_handler.py inference_multi_turn_prompting): each turn's user messages join the conversation (a
  held-out turn's message is DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING over the held-out docs, as
  Python prints their list; the tools turn stays as it was); then step after step: the model answers; the answer
  is decoded (QwenFCHandler.decode_execute, evalkit.scoring.bfcl_multi_turn.decode_execute: a call to no API
  method is refused, never run); no call, or a failed decoding, ends the turn; otherwise the calls run on the
  item's instances (multi_turn_utils.execute_multi_turn_func_call; state carries over every step and turn of the
  item) and their results join the conversation; after MAXIMUM_STEP_LIMIT (20) + 1 executed steps in a turn the
  item is force-terminated: its later turns are never asked, so the checker fails it unless it was the last turn;
- the conversation as the handler renders it (QwenFCHandler._parse_query_response_prompting and _format_prompt):
  an answer with `<tool_call>` blocks comes back as those calls re-serialized (`{"name": ..., "arguments":
  json.dumps(...)}`, a newline before every call but one equal to the first), else as its text; the results of one
  step come back as one user turn of `<tool_response>` blocks. A block the handler cannot re-serialize (not a JSON
  object, no name or arguments) fails the item when a next step needs the conversation, as the handler's next
  query raises there (the item's result is then an inference error).
The gathered answer is gorilla's result shape, the JSON list of turns of step answers, scored by judge_recorded.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from evalkit.agents import AgentFailure, Step
from evalkit.config import TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.scoring.bfcl import MultiTurnItem
from evalkit.scoring.bfcl_multi_turn import api_instances, api_methods, decode_execute, execute
from evalkit.scoring.bfcl_tool_calls import extracted_tool_calls
from evalkit.types import Message, Role, Sample, TextPart

MAXIMUM_STEP_LIMIT = 20  # constants/default_prompts.py
ADDITIONAL_FUNCTION_PROMPT = (  # DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_PROMPTING
    "{functions}\nI have updated some more functions you can choose from. What about now?"
)
FUNCTION_DOCS = {  # constants/category_mapping.py MULTI_TURN_FUNC_DOC_FILE_MAPPING, under multi_turn_func_doc/
    "GorillaFileSystem": "gorilla_file_system.json", "MathAPI": "math_api.json", "MessageAPI": "message_api.json",
    "TwitterAPI": "posting_api.json", "TicketAPI": "ticket_api.json", "TradingBot": "trading_bot.json",
    "TravelAPI": "travel_booking.json", "VehicleControlAPI": "vehicle_control.json",
}


def data_folder(config: TaskConfig) -> Path:
    """gorilla's bfcl_eval/data folder (dataset.local_path)."""
    return resolve_path(str(config.dataset.local_path))


def offered_functions(folder: Path, row: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    """process_multi_turn_test_case: the docs offered from the start, and per held-out turn (its index as text)
    the docs that arrive then."""
    docs = [doc for name in row["involved_classes"]
            for doc in _docs(folder / "multi_turn_func_doc" / FUNCTION_DOCS[name])]
    held_out: dict[str, list[Any]] = {}
    for turn, names in row.get("missed_function", {}).items():
        held_out[turn] = []
        for name in names:
            index = next(i for i, doc in enumerate(docs) if doc["name"] == name)
            held_out[turn].append(docs.pop(index))
    return docs, held_out


@lru_cache(maxsize=16)
def _docs(path: Path) -> tuple[dict[str, Any], ...]:
    """One class's function docs (JSON lines); callers copy before changing one."""
    return tuple(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _rendered_call(call: Any) -> str:
    """One extracted `<tool_call>` object as _format_prompt writes it back."""
    try:
        if "function" in call:
            call = call["function"]
        arguments = call["arguments"]
        return ('<tool_call>\n{"name": "' + call["name"] + '", "arguments": '
                + (arguments if isinstance(arguments, str) else json.dumps(arguments)) + "}\n</tool_call>")
    except (KeyError, TypeError) as exc:
        raise AgentFailure(f"a <tool_call> block the official handler cannot write back into the conversation "
                           f"({type(exc).__name__}: {exc}): {call!r}") from exc


def assistant_text(answer: str) -> str:
    """The model's answer as the next prompt holds it: its calls re-serialized, or its text if it has none."""
    calls = extracted_tool_calls(answer)
    if not calls:
        return answer
    return "".join(("\n" if call != calls[0] else "") + _rendered_call(call) for call in calls)


def tool_results(results: list[str]) -> str:
    """One step's results, the user turn of consecutive "tool" messages as _format_prompt renders it."""
    return "\n".join(f"<tool_response>\n{result}\n</tool_response>" for result in results)


class MultiTurnLoop:
    """One item's loop (evalkit.agents.AgentLoop); the simulated API instances live until `close`."""

    def __init__(self, item: MultiTurnItem, tools: Message, held_out: dict[str, list[Any]]):
        self.item, self.held_out = item, held_out
        self.methods = api_methods(item.entry["involved_classes"])
        self.questions: list[list[dict[str, str]]] = item.entry["question"]
        self.history: list[tuple[str, str]] = []  # (role, content) after the tools turn, as the handler keeps it
        self.tools = tools
        self.turns: list[list[str]] = []
        self.step = 0
        self.ended = False
        self._instances = ExitStack()
        self._name = self._instances.enter_context(api_instances())
        self._begin(0)

    def _begin(self, turn: int) -> None:
        messages = self.questions[turn]
        if str(turn) in self.held_out:
            messages = [{"role": "user", "content": ADDITIONAL_FUNCTION_PROMPT.format(
                functions=self.held_out[str(turn)])}]
        self.history += [(m["role"], m["content"]) for m in messages]
        self.turns.append([])
        self.step = 0

    def next_step(self) -> Step | None:
        if self.ended:
            return None
        messages, results = [self.tools], []
        for role, content in [*self.history, ("", "")]:
            if role == "tool":
                results.append(content)
                continue
            if results:  # one step's results: one user turn
                messages.append(Message(role="user", parts=(TextPart(tool_results(results)),)))
                results = []
            if role:
                text = assistant_text(content) if role == "assistant" else content
                messages.append(Message(role=cast(Role, role), parts=(TextPart(text),)))
        return Step(len(self.turns) - 1, self.step, tuple(messages))

    def take(self, answer: str) -> None:
        self.turns[-1].append(answer)
        self.history.append(("assistant", answer))
        calls = decode_execute(answer, self.methods)
        if not calls:  # no call, or decoding failed: the turn ends
            if len(self.turns) == len(self.questions):
                self.ended = True
            else:
                self._begin(len(self.turns))
            return
        self.history += [("tool", result) for result in execute(self.item, calls, self._name)]
        self.step += 1
        self.ended = self.step > MAXIMUM_STEP_LIMIT  # force-terminated

    def answer(self) -> str:
        return json.dumps(self.turns, ensure_ascii=False)

    def close(self) -> None:
        self._instances.close()


def multi_turn_loop(config: TaskConfig, sample: Sample) -> MultiTurnLoop | None:
    """bfcl_v3's agent: a loop for each multi-turn item (its reference a MultiTurnItem), None for the others."""
    if not isinstance(sample.reference, MultiTurnItem):
        return None
    _, held_out = offered_functions(data_folder(config), dict(sample.reference.entry))
    return MultiTurnLoop(sample.reference, sample.messages[0], held_out)  # the item's opening: tools, first turn
