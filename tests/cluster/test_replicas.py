"""The replica mechanism (evalkit.runners.replicas) with replicas in threads of this process, each serving a fake
batch runner whose answer takes a fixed time per request: who gets which request, that answers stream, and what
happens when a replica dies. The real transports are tested end to end beside it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from queue import Empty, SimpleQueue

from evalkit.runners.base import EngineInfo
from evalkit.runners.replicas import Polled, ReplicaServer, ReplicatedRunner, replica_devices
from evalkit.types import Decoding, Message, PreparedRequest, Request, Response, Sample, TextPart


class SlowRunner:
    """A batch runner answering each request with its sample id after `seconds` per request."""

    name = "fake"

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.batches: list[list[str]] = []

    def generate(self, batch):
        self.batches.append([p.sample.sample_id for p in batch])
        time.sleep(self.seconds * len(batch))
        return [Response(text=f"answer to {p.sample.sample_id}") for p in batch]

    def info(self):
        return EngineInfo("fake", "", None, None, "float32", "cpu", {})

    def close(self):
        pass


class ThreadReplicas:
    """The transport contract over ReplicaServers in threads; `kill(k)` makes replica k vanish with what it holds."""

    transport = "threads"

    def __init__(self, runners: list[SlowRunner], batch_size: int):
        self.infos = [r.info() for r in runners]
        self.placement = [f"thread {k}" for k in range(len(runners))]
        self.answers: SimpleQueue = SimpleQueue()
        self.dead: set[int] = set()
        self.lost: dict[int, str] = {}
        self.servers = []
        for k, runner in enumerate(runners):
            server = ReplicaServer(runner, batch_size, lambda ticket, response, k=k: self.answers.put((k, ticket,
                                                                                                      response)))
            threading.Thread(target=server.serve, daemon=True).start()
            self.servers.append(server)
        self.submitted: list[tuple[int, str]] = []

    def submit(self, replica, ticket, request):
        self.submitted.append((replica, request.sample.sample_id))
        self.servers[replica].put(ticket, request)

    def poll(self, timeout):
        polled = Polled(lost=self.lost)
        self.lost = {}
        try:
            while True:
                waited = 0 if polled.answers or polled.lost else timeout  # block only while nothing has happened
                replica, ticket, response = self.answers.get(timeout=waited)
                if replica not in self.dead:
                    polled.answers.append((replica, ticket, response))
        except Empty:
            return polled

    def kill(self, replica):
        self.dead.add(replica)
        self.lost[replica] = "killed by the test"

    def close(self):
        for server in self.servers:
            server.stop()


def requests(n: int) -> list[PreparedRequest]:
    def one(k: int) -> PreparedRequest:
        sample = Sample("t", f"s{k}", (Message("user", (TextPart(f"q{k}"),)),), None)
        return PreparedRequest(Request(sample, Decoding(max_new_tokens=4)), f"q{k}", (), f"key{k}")

    return [one(k) for k in range(n)]


def test_replicas_pull_by_room_so_the_faster_one_answers_more_and_each_request_is_answered_once():
    fast, slow = SlowRunner(0.002), SlowRunner(0.02)
    replicas = ThreadReplicas([fast, slow], batch_size=2)
    runner = ReplicatedRunner(replicas, window=4)
    asked = requests(60)
    answered = [(p.sample.sample_id, r.text) for group in runner.generate_stream(asked) for p, r in group]
    runner.close()
    assert sorted(answered) == sorted((p.sample.sample_id, f"answer to {p.sample.sample_id}") for p in asked)
    by_replica = Counter(replica for replica, _ in replicas.submitted)
    assert by_replica[0] > 3 * by_replica[1]  # 10x faster: it pulled most of the work, nobody waited on a shard
    assert all(len(batch) <= 2 for batch in fast.batches + slow.batches)


def test_answers_stream_before_the_last_request_is_read():
    replicas = ThreadReplicas([SlowRunner(0.001), SlowRunner(0.001)], batch_size=1)
    runner = ReplicatedRunner(replicas, window=2)
    read: list[str] = []

    def lazily(items):
        for item in items:
            read.append(item.sample.sample_id)
            yield item

    first_answer_after = None
    for _ in runner.generate_stream(lazily(requests(20))):
        first_answer_after = first_answer_after or len(read)
    runner.close()
    assert first_answer_after is not None and first_answer_after <= 4  # window 2 x 2 replicas, then answers flow


def serve_trickle(batch_wait_s: float, n: int, gap_s: float) -> tuple[list[list[str]], list[str]]:
    """`n` requests put one at a time `gap_s` apart into a batch-of-8 server: the batches it formed, the answers."""
    runner, answered = SlowRunner(0.0), []
    server = ReplicaServer(runner, 8, lambda ticket, response: answered.append(response.text), batch_wait_s)
    serving = threading.Thread(target=server.serve)
    serving.start()
    for ticket, request in enumerate(requests(n)):
        server.put(ticket, request)
        time.sleep(gap_s)
    while len(answered) < n:
        time.sleep(0.01)
    server.stop()
    serving.join()
    return runner.batches, answered


def test_a_partial_batch_waits_for_the_rest_of_a_burst_only_as_long_as_batch_wait_s():
    batches, _ = serve_trickle(batch_wait_s=2.0, n=8, gap_s=0.01)
    assert batches == [[f"s{k}" for k in range(8)]]  # one full engine call, not a lone first request and the rest
    started = time.monotonic()
    batches, answered = serve_trickle(batch_wait_s=0.3, n=3, gap_s=0.0)
    assert batches == [["s0", "s1", "s2"]] and answered == ["answer to s0", "answer to s1", "answer to s2"]
    assert 0.3 <= time.monotonic() - started < 2.0  # a batch that never fills starts when its wait is over
    batches, _ = serve_trickle(batch_wait_s=0.0, n=8, gap_s=0.05)
    assert len(batches) > 1 and batches[0] == ["s0"]  # no wait: the first request starts alone


def test_a_replica_that_dies_hands_what_it_held_to_the_others():
    runners = [SlowRunner(0.005), SlowRunner(0.005)]
    replicas = ThreadReplicas(runners, batch_size=1)
    runner = ReplicatedRunner(replicas, window=3)
    answered: list[str] = []
    for group in runner.generate_stream(requests(30)):
        answered.extend(p.sample.sample_id for p, _ in group)
        if len(answered) >= 5 and not replicas.dead:
            replicas.kill(1)  # its answers from now on never arrive
    runner.close()
    assert sorted(answered) == sorted(f"s{k}" for k in range(30))  # nothing lost, nothing twice
    assert len(answered) == 30


def test_every_replica_lost_is_an_error_naming_them():
    replicas = ThreadReplicas([SlowRunner(0.01)], batch_size=1)
    runner = ReplicatedRunner(replicas, window=2)
    replicas.kill(0)
    try:
        list(runner.generate_stream(requests(3)))
        raise AssertionError("expected the run to stop")
    except RuntimeError as exc:
        assert "every engine replica failed (0: killed by the test)" in str(exc)
    runner.close()


def test_replica_devices_slice_the_visible_gpus():
    assert replica_devices(2, 2, ["4", "5", "6", "7"]) == ["4,5", "6,7"]
    assert replica_devices(4, 1, ["4", "5", "6", "7"]) == ["4", "5", "6", "7"]
    assert replica_devices(2, 1, None) == [None, None]
    try:
        replica_devices(3, 2, ["4", "5", "6", "7"])
        raise AssertionError("expected a ValueError")
    except ValueError as exc:
        assert "needs 6 GPUs, 4 are visible" in str(exc)
