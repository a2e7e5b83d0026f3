"""Qwen's tool calls in an answer, decoded as BFCL's Qwen handler decodes them: shared by the AST scorer
(evalkit.scoring.bfcl), multi-turn scoring (bfcl_multi_turn) and the multi-turn agent loops that act on each step
(tasks/bfcl_multi_turn.py).

Follows ShishirPatil/gorilla @ cd9429c, berkeley-function-call-leaderboard/bfcl_eval/model_handler/local_inference/
qwen_fc.py (QwenFCHandler._extract_tool_calls, decode_ast) and utils.py (is_function_calling_format_output,
is_empty_output): every `<tool_call>\\n...\\n</tool_call>` block is parsed as JSON; if any block is not a JSON object
the answer holds no call; each object becomes {name: arguments} (an object without "name" or "arguments" fails
decoding).
"""

from __future__ import annotations

import json
import re
from typing import Any

TOOL_CALL = re.compile(r"<tool_call>\n(.*?)\n</tool_call>", re.DOTALL)

Call = dict[str, dict[str, Any]]  # {function name: {parameter: value}}


def extracted_tool_calls(text: str) -> list[Any]:
    """QwenFCHandler._extract_tool_calls: each `<tool_call>` block, parsed as JSON where it parses, else its text."""
    blocks: list[Any] = []
    for block in TOOL_CALL.findall(text):
        try:
            blocks.append(json.loads(block))
        except ValueError:
            blocks.append(block)
    return blocks


def tool_call_objects(text: str) -> list[dict[str, Any]] | None:
    """The JSON object of each `<tool_call>` block; None when any block is not one (both decoders then give no
    call)."""
    blocks = extracted_tool_calls(text)
    return None if any(not isinstance(b, dict) for b in blocks) else blocks


def decode_tool_calls(text: str) -> list[Call] | None:
    """QwenFCHandler.decode_ast: the calls in `<tool_call>` blocks; [] when a block is not a JSON object; None
    when decoding fails (an object without "name" or "arguments", or arguments that are not an object)."""
    blocks = tool_call_objects(text)
    if blocks is None:
        return []
    try:
        return [{b["name"]: dict(b["arguments"].items())} for b in blocks]
    except (KeyError, AttributeError, TypeError):
        return None


def is_call_list(decoded: Any) -> bool:
    """utils.is_function_calling_format_output: a list of one-key dicts whose value is a dict ([] included)."""
    return isinstance(decoded, list) and all(
        isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), dict) for item in decoded
    )


def has_call(decoded: list[Call] | None) -> bool:
    """Not utils.is_empty_output: a decoded, well-formed, non-empty call list."""
    return decoded is not None and is_call_list(decoded) and bool(decoded) and not (len(decoded) == 1
                                                                                    and not decoded[0])
