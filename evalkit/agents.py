"""Agent loops: conversations whose next request depends on acting on the model's previous answer (BFCL-v3
multi-turn: the model calls simulated APIs, sees what they return, and calls again).

A task offers a loop for some of its samples (TaskSpec.agent). Such a sample is the loop's item: its messages are the
opening request, and its id names the item's record, which holds the gathered answer that the scorer reads. Unlike
evalkit.turns' chains, a loop's requests are not known in advance; the run asks each loop for its next step after
every round. A run generates in rounds: each round sends the next step of every active loop of every task (beside
that round's chain turns) in one engine stream, so batching stays across samples.

Every step is journaled as its own record, id `<item>@<turn>.<step>`, the moment it is answered; when its loop ends
the item's record is journaled. A resumed run replays each unfinished item's journaled steps in order (the loop
takes each recorded answer again, which rebuilds its environment: the simulated APIs are deterministic) and asks
for the first step without a record: a kill loses at most the steps in flight and repeats none. Scoring reads item
records only; the step records leave samples.jsonl when the run finalizes it.

A step's budget is what the context leaves, up to the task's max_new_tokens (evalkit.pipeline._steps). A step that
fails (engine, media, token budget) fails its item with that step's reason and stage, so a resumed run
retries it as it retries any such failure; a step whose answer is empty or not UTF-8 (an "output" failure) is the
model's answer and the loop acts on it. The loop itself may fail an item (AgentFailure, stage "output": the model's
answer cannot go on, e.g. a call the official handler cannot render into the next prompt).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from evalkit.config import TaskConfig
from evalkit.run_folder import SampleRecord
from evalkit.scorecard import with_answer
from evalkit.scoring.reasoning import THINK_CLOSE
from evalkit.types import Message, Response, Sample

OUTPUT_STAGE = "output"  # the model's answer: kept on resume (evalkit.pipeline), scored as wrong


@dataclass(frozen=True)
class Step:
    """One request of a loop: where it stands (turn, step within the turn) and the whole conversation it sends."""

    turn: int
    step: int
    messages: tuple[Message, ...]


class AgentFailure(Exception):
    """The model's answer leaves the loop unable to go on; the item is recorded failed with this reason."""


class AgentLoop(Protocol):
    """One item's loop. `next_step` is the request to answer next (None: the loop has ended); `take` gives the loop
    the model's answer to that request (the text after any reasoning block), which it acts on; `answer` is the
    item's gathered answer, as its scorer reads it; `close` frees the loop's environment."""

    def next_step(self) -> Step | None: ...

    def take(self, answer: str) -> None: ...

    def answer(self) -> str: ...

    def close(self) -> None: ...


Agent = Callable[[TaskConfig, Sample], "AgentLoop | None"]  # a task's loop for a sample; None: a plain sample


def step_id(item: str, turn: int, step: int) -> str:
    return f"{item}@{turn}.{step}"


def step_answer(record: SampleRecord, reasoning: bool) -> str:
    """The text a loop takes from a step's record: the answer after any reasoning block; an empty or broken output
    (an "output" failure) is still the model's answer."""
    if record.error_stage == OUTPUT_STAGE:
        record = replace(record, error=None, error_stage=None)
    return with_answer(record, reasoning).answer or ""


@dataclass
class ActiveItem:
    """An item whose loop runs: its task, place in the task, sample, loop, the step it asks for next and the
    records of the steps answered so far."""

    task: TaskConfig
    index: int
    sample: Sample
    loop: AgentLoop
    step: Step | None = None
    steps: list[SampleRecord] = field(default_factory=list)
    failure: SampleRecord | None = None  # the record that failed the item: its error and stage are the item's

    @property
    def step_sample(self) -> Sample:
        """The next step as a request's sample: the item's id, turn and step, and the step's conversation."""
        assert self.step is not None
        return replace(self.sample, sample_id=step_id(self.sample.sample_id, self.step.turn, self.step.step),
                       messages=self.step.messages, reference=None)


class AgentRounds:
    """The loops of a run: the items still to answer, their next steps round by round, and their item records."""

    def __init__(self, items: Sequence[ActiveItem], looped: set[tuple[str, str]], reasoning: bool):
        self.active = list(items)
        self.looped = looped  # (task, sample id) of every item with a loop, answered or not
        self.reasoning = reasoning

    @classmethod
    def start(cls, tasks: Mapping[str, TaskConfig], agents: Mapping[str, Agent], samples: Mapping[str, list[Sample]],
              answered: Iterable[tuple[str, str]], journal: Mapping[tuple[str, str], SampleRecord],
              reasoning: bool) -> AgentRounds:
        """Every looped item of `tasks` without an answered record, its loop replayed through its journaled steps."""
        done, items, looped = set(answered), [], set()
        for name, agent in agents.items():
            for index, sample in enumerate(samples[name]):
                loop = agent(tasks[name], sample)
                if loop is None:
                    continue
                looped.add((name, sample.sample_id))
                if (name, sample.sample_id) in done:
                    loop.close()
                    continue
                items.append(_replayed(ActiveItem(tasks[name], index, sample, loop), journal, reasoning))
        return cls(items, looped, reasoning)

    def __bool__(self) -> bool:
        return bool(self.active)

    def advance(self, answered: Sequence[SampleRecord]) -> list[SampleRecord]:
        """Each active loop takes its step's record from this round; the records of the items that ended."""
        by_key = {record.key: record for record in answered}
        for item in self.active:
            record = by_key.get((item.task.name, item.step_sample.sample_id))
            if record is not None:  # a round holds every active step; a stopped round may lack some
                item.failure = _take(item, record, self.reasoning)
        return self.retire_ended()

    def retire_ended(self) -> list[SampleRecord]:
        """The records of the items whose loop ended (or failed), which leave the active ones. At the start of a run,
        those that ended in replay: killed after their last step, before their record was written."""
        ended = [item for item in self.active if item.step is None or item.failure is not None]
        self.active = [item for item in self.active if item not in ended]
        for item in ended:
            item.loop.close()
        return [item_record(item, self.reasoning) for item in ended]

    def close(self) -> None:
        for item in self.active:
            item.loop.close()


def _take(item: ActiveItem, record: SampleRecord, reasoning: bool) -> SampleRecord | None:
    """The loop takes one step's record and moves on; a failed step, or an answer the loop cannot go on from, is
    returned as the item's failure."""
    if record.failed and record.error_stage != OUTPUT_STAGE:
        return replace(record, error=f"step {record.sample_id}: {record.error}")
    item.steps.append(record)
    try:
        item.loop.take(step_answer(record, reasoning))
        item.step = item.loop.next_step()
    except AgentFailure as exc:
        return replace(record, error=f"{record.sample_id}: {exc}", error_stage=OUTPUT_STAGE)
    return None


def _replayed(item: ActiveItem, journal: Mapping[tuple[str, str], SampleRecord], reasoning: bool) -> ActiveItem:
    """The item's loop through the steps the journal holds answered, in order; a failed step is asked again."""
    item.step = item.loop.next_step()
    while item.step is not None:
        record = journal.get((item.task.name, item.step_sample.sample_id))
        if record is None or (record.failed and record.error_stage != OUTPUT_STAGE):
            break
        item.failure = _take(item, record, reasoning)
        if item.failure is not None:
            break  # the loop cannot go on from this answer: the item ends failed, as it did when first answered
    return item


def item_record(item: ActiveItem, reasoning: bool) -> SampleRecord:
    """The item's record: its gathered answer, the token counts and time of all its steps, its first step's
    prompt; failed with the failing step's reason and stage. A reasoning model's answer follows an empty
    reasoning block (each step's answer was taken after its own), so scoring reads it as the answer."""
    responses = [r.response or {} for r in item.steps]
    text = item.loop.answer()

    def total(key: str) -> Any:
        values = [r[key] for r in responses if r.get(key) is not None]
        return sum(values) if values else None

    response = Response(text=f"{THINK_CLOSE}\n\n{text}" if reasoning else text, prompt_tokens=total("prompt_tokens"),
                        output_tokens=total("output_tokens"), latency_s=total("latency_s"))
    failure = item.failure
    first = item.steps[0] if item.steps else failure
    sample = item.sample
    return SampleRecord(
        task=item.task.name, sample_id=sample.sample_id, index=item.index, prompt=first.prompt if first else "",
        media=[], reference=sample.reference, categories=dict(sample.categories), cluster=sample.cluster,
        cache_key="", response=response.fields(), error=None if failure is None else failure.error,
        error_stage=None if failure is None else failure.error_stage,
        cache_hit=bool(item.steps) and all(r.cache_hit for r in item.steps),
    )
