"""Reasoning (Thinking) outputs: the answer is the text after the reasoning block. An output whose block
never closed has no answer; it is scored as given an empty answer and counted."""

from __future__ import annotations

from dataclasses import dataclass

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"


@dataclass(frozen=True)
class SplitOutput:
    answer: str
    reasoning: str
    closed: bool


def split_reasoning(text: str) -> SplitOutput:
    """Split at the last `</think>`. Qwen3 Thinking templates open the block in the prompt, so an output may
    hold only the closing tag; without a closing tag the reasoning never ended and there is no answer."""
    if THINK_CLOSE in text:
        reasoning, _, answer = text.rpartition(THINK_CLOSE)
        return SplitOutput(answer=answer.strip(), reasoning=reasoning.replace(THINK_OPEN, "", 1).strip(), closed=True)
    # The prompt opens the block, so no closing tag means the reasoning ran out of tokens: no answer.
    return SplitOutput(answer="", reasoning=text.replace(THINK_OPEN, "", 1).strip(), closed=False)
