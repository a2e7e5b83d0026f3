"""Dependent-turn chains: multi-turn benchmarks (Multi-IF) whose turn k+1 request holds the model's own answers to
turns 1..k.

A conversation is a chain of Samples, each later turn naming the turn it continues (`Sample.follows`) and holding
only its new user message. A run generates in rounds by depth: every opening turn of every task in one engine
stream, then every second turn whose first was answered, and so on, so batching stays across samples. Each turn is
journaled as its own record the moment it is answered, so a crash loses at most the turns in flight; a resumed run
rebuilds the next round's conversations from the journal. A turn whose earlier turn failed is recorded as failed
(stage "previous_turn") and tried again when a resumed run retries that turn.

Earlier answers enter the conversation as the text scored (after any reasoning block): Qwen3's chat templates keep
only that part of earlier assistant turns, and a Thinking model's reasoning is not its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from evalkit.config import ConfigError
from evalkit.types import Message, Sample, TextPart

PREVIOUS_TURN_STAGE = "previous_turn"


def turn_depths(task: str, samples: Sequence[Sample]) -> dict[str, int]:
    """Each sample's depth in its conversation (0: an opening turn). A turn must follow an earlier sample of the
    same task: the error names the sample otherwise."""
    depths: dict[str, int] = {}
    for sample in samples:
        if sample.follows is None:
            depths[sample.sample_id] = 0
        elif sample.follows in depths:
            depths[sample.sample_id] = depths[sample.follows] + 1
        else:
            raise ConfigError(
                f"task {task!r}: sample {sample.sample_id!r} follows {sample.follows!r}, which is not an earlier "
                "sample of the task; a later turn must come after the turn it continues"
            )
    return depths


def conversation(sample: Sample, by_id: Mapping[str, Sample], answers: Mapping[str, str]) -> tuple[Message, ...]:
    """The whole conversation a turn sends: each earlier turn's messages and the model's answer to it, then this
    turn's messages. `answers` holds the answer of every earlier turn, by sample id."""
    if sample.follows is None:
        return sample.messages
    previous = by_id[sample.follows]
    reply = Message(role="assistant", parts=(TextPart(answers[previous.sample_id]),))
    return (*conversation(previous, by_id, answers), reply, *sample.messages)


def resolved(sample: Sample, by_id: Mapping[str, Sample], answers: Mapping[str, str]) -> Sample:
    """The turn as a request sends it: its whole conversation as its messages."""
    return replace(sample, messages=conversation(sample, by_id, answers))


def earlier_turns(sample: Sample, by_id: Mapping[str, Sample]) -> list[str]:
    """The ids of the turns before this one, oldest first."""
    chain: list[str] = []
    while sample.follows is not None:
        chain.insert(0, sample.follows)
        sample = by_id[sample.follows]
    return chain
