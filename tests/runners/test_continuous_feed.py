"""The vLLM runner's continuous feeding, against a fake engine that schedules like vLLM: at most max_num_seqs
requests run, the rest wait, each step generates one token per running request."""

from __future__ import annotations

import queue
import threading
from collections import deque
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from evalkit.runners.vllm import feed_continuously
from evalkit.types import NotReady

MAX_NUM_SEQS = 8


@dataclass
class Completion:
    token_ids: list[int]
    text: str
    finish_reason: str = "length"


@dataclass
class Output:
    request_id: str
    finished: bool
    prompt_token_ids: list[int]
    outputs: list[Completion] = field(default_factory=list)


class FakeEngine:
    """Records, at every step, how many requests wait and how many run."""

    def __init__(self, refuse: set[str] = frozenset()):
        self.waiting: deque[tuple[str, int]] = deque()
        self.running: dict[str, int] = {}  # request id -> tokens still to generate
        self.lengths: dict[str, int] = {}
        self.refuse = refuse
        self.depths: list[tuple[int, int]] = []  # (waiting, running) seen by each step
        self.aborted: list[str] = []

    def add_request(self, request_id: str, prompt: str, length: int) -> None:
        if prompt in self.refuse:
            raise ValueError(f"prompt {prompt!r} is too long")
        self.waiting.append((request_id, length))
        self.lengths[request_id] = length

    def step(self) -> list[Output]:
        while self.waiting and len(self.running) < MAX_NUM_SEQS:
            request_id, length = self.waiting.popleft()
            self.running[request_id] = length
        self.depths.append((len(self.waiting), len(self.running)))
        finished = []
        for request_id in list(self.running):
            self.running[request_id] -= 1
            if self.running[request_id] == 0:
                del self.running[request_id]
                n = self.lengths[request_id]
                finished.append(Output(request_id, True, [0, 1], [Completion(list(range(n)), "x" * n)]))
        return finished

    def abort_request(self, request_ids: list[str]) -> None:
        self.aborted.extend(request_ids)


def items(n: int) -> list[tuple[str, int]]:
    """(prompt, output length): lengths 3..9, so requests finish at different steps."""
    return [(f"p{k}", 3 + (k * 5) % 7) for k in range(n)]


def test_the_engine_never_runs_short_while_requests_remain():
    engine = FakeEngine()
    requests = items(100)
    read = []

    def reading(source):
        for item in source:
            read.append(item)
            yield item

    answered = []
    for group in feed_continuously(engine, reading(requests), window=2 * MAX_NUM_SEQS, engine_request=lambda i: i):
        answered.extend(group)
        assert len(read) - len(answered) <= 2 * MAX_NUM_SEQS  # the input is read only as the engine has room
    assert sorted(item for item, _ in answered) == sorted(requests)  # each once
    assert all(response.output_tokens == item[1] == len(response.text) for item, response in answered)
    # until the last requests are in, every step runs a full max_num_seqs and has more waiting: no barrier
    last_refill = max(k for k, (waiting, _) in enumerate(engine.depths) if waiting > 0)
    assert last_refill > len(engine.depths) // 2
    assert all(running == MAX_NUM_SEQS for _, running in engine.depths[: last_refill + 1])
    assert engine.aborted == []


def test_a_refused_request_is_answered_with_its_error_and_the_rest_run():
    engine = FakeEngine(refuse={"p3"})
    answered = [pair for group in feed_continuously(engine, items(10), 4, lambda i: i) for pair in group]
    errors = {item[0]: response.error for item, response in answered if response.failed}
    assert errors == {"p3": "ValueError: prompt 'p3' is too long"}
    assert len(answered) == 10


def test_requests_left_in_the_engine_are_aborted_when_the_consumer_stops():
    engine = FakeEngine()
    with pytest.raises(RuntimeError), closing(feed_continuously(engine, items(20), 6, lambda i: i)) as stream:
        for _ in stream:
            raise RuntimeError("the run aborted")
    assert len(engine.aborted) == 6 - 1  # the window, less the first answer (p0, 3 tokens)
    assert set(engine.aborted) <= set(engine.lengths)


def test_the_engine_generates_while_later_requests_are_still_being_prepared():
    """p0 (3 tokens) and p1 (8) are ready at once; "late" is NotReady until the engine has stepped 5 times; "last"
    is NotReady until waited for. The engine starts on p0 and p1 at once, "late" joins after step 5 beside p1, and
    the feeder waits (instead of spinning) only once the engine holds nothing: after step 8."""
    engine = FakeEngine()
    waited: list[int] = []

    class WaitedFor(NotReady):
        def wait(self) -> None:
            waited.append(len(engine.depths))
            self.preparing.set_result(None)

    last: Future = Future()

    def stream():
        yield from [("p0", 3), ("p1", 8)]
        while len(engine.depths) < 5:
            yield NotReady(Future())
        yield ("late", 3)
        while not last.done():
            yield WaitedFor(last)
        yield ("last", 2)

    answered = [item for group in feed_continuously(engine, stream(), 8, lambda i: i) for item, _ in group]
    assert engine.depths[0] == (0, 2)  # the first step ran the two ready requests
    assert [running for _, running in engine.depths[:9]] == [2, 2, 2, 1, 1, 2, 2, 2, 1]
    assert waited == [8]  # p1 and "late" both finished at step 8
    assert answered == [("p0", 3), ("p1", 8), ("late", 3), ("last", 2)]


class CoreInItsOwnProcess(FakeEngine):
    """Like vLLM's multiprocess client: the core queues an output per iteration in `engine_core.outputs_queue`
    whether or not `step` collects it, and `step` blocks until one is there (here at most 2 s, then the test fails
    instead of hanging)."""

    def __init__(self):
        super().__init__()
        self.engine_core = SimpleNamespace(outputs_queue=queue.Queue())

    def step(self) -> list[Output]:
        self.engine_core.outputs_queue.get(timeout=2)
        outputs = super().step()
        if self.waiting or self.running:
            self.engine_core.outputs_queue.put("the next iteration")
        return outputs


def test_a_request_that_becomes_ready_while_the_core_has_no_output_joins_before_any_step():
    """The core is busy (no output yet) when p0 and p1 are in and "late" is still decoding: the feeder waits for
    "late" rather than blocking in a step, so the first step already runs all three."""
    engine = CoreInItsOwnProcess()
    decoded: Future = Future()

    def stream():
        yield from [("p0", 3), ("p1", 4)]
        threading.Timer(0.05, decoded.set_result, [None]).start()
        while not decoded.done():
            yield NotReady(decoded)
        engine.engine_core.outputs_queue.put("the core's first output, after late was added")
        yield ("late", 2)

    answered = [item for group in feed_continuously(engine, stream(), 8, lambda i: i) for item, _ in group]
    assert engine.depths[0] == (0, 3)
    assert sorted(answered) == [("late", 2), ("p0", 3), ("p1", 4)]


def test_with_outputs_waiting_the_feeder_steps_instead_of_waiting_for_a_request():
    """The request "late" is decoded only once the engine has stepped twice; the core has outputs waiting
    throughout, so the feeder keeps stepping (waiting for "late" first would never end)."""
    engine = CoreInItsOwnProcess()
    engine.engine_core.outputs_queue.put("an output from the first iteration")

    def stream():
        yield ("p0", 5)
        while len(engine.depths) < 2:
            yield NotReady(Future())
        yield ("late", 2)

    answered = [item for group in feed_continuously(engine, stream(), 8, lambda i: i) for item, _ in group]
    assert engine.depths[:3] == [(0, 1), (0, 1), (0, 2)]
    assert sorted(answered) == [("late", 2), ("p0", 5)]
