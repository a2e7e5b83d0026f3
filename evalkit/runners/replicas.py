"""Engine replicas that pull work as they have room: the one mechanism behind data parallelism, for the local
processes of `runner.data_parallel_size` and for the Ray actors of `cluster=ray` (evalkit.cluster.ray_replicas).

Each replica owns one runner (a vLLM engine, tensor parallel inside it, or a transformers model). A
`ReplicaServer` feeds it from an inbox as work arrives (vLLM: its continuous feed; transformers: what is waiting,
up to a batch) and hands every answer back the moment it finishes. On the driver, `ReplicatedRunner` reads the
run's requests lazily and gives each to the replica with the most room (at most `window` held by each), so a
slow request holds back nobody and answers stream to the run's journal as they finish. When a replica dies, the
requests it held go to the others; nothing it answered is asked again.

The transport is the only difference between the two: `Replicas` (submit, poll for answers and for replicas
lost, close) is spawned processes over pipes here, and Ray actors with ObjectRefs and `ray.wait` there.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.runners.base import Completed, EngineInfo, Runner, StreamingRunner, generate_isolating
from evalkit.types import NotReady, PreparedRequest, Response

MEDIA_POLL_S = 0.02  # how often the driver looks again at a request whose media are still decoding
PARENT_POLL_S = 1.0  # how soon a replica process notices that the run that started it is gone


@dataclass
class Polled:
    """What a transport saw since the last poll: answers as (replica, ticket, response), and replicas gone."""

    answers: list[tuple[int, int, Response]] = field(default_factory=list)
    lost: dict[int, str] = field(default_factory=dict)  # replica -> why


class Replicas(Protocol):
    """A started set of replicas, as the driver talks to them."""

    transport: str  # "processes" or "ray"
    infos: list[EngineInfo]  # each replica's engine, as it reported once started
    placement: list[str]  # where each replica runs (its GPUs, or its Ray node)

    def submit(self, replica: int, ticket: int, request: PreparedRequest) -> None:
        """Hand a request to a replica; never raises (a replica that cannot take it is reported lost by poll)."""
        ...

    def poll(self, timeout: float | None) -> Polled:
        """Wait up to `timeout` seconds (None: until something happens) for answers or lost replicas."""
        ...

    def close(self) -> None: ...


class ReplicatedRunner:
    """The run's runner over started replicas: one stream, answers as they finish on any replica."""

    def __init__(self, replicas: Replicas, window: int):
        self.replicas, self.window = replicas, window
        self.name = replicas.infos[0].runner

    def generate_stream(self, requests: Iterable[PreparedRequest | NotReady]) -> Iterator[list[Completed]]:
        count = len(self.replicas.infos)
        held: list[dict[int, PreparedRequest]] = [{} for _ in range(count)]  # per replica: ticket -> request
        lost: dict[int, str] = {}
        orphaned: deque[PreparedRequest] = deque()  # held by a replica that died: the others answer them
        tickets = itertools.count()
        source, exhausted = iter(requests), False
        while True:
            media_pending = False
            while (room := [k for k in range(count) if k not in lost and len(held[k]) < self.window]):
                if orphaned:
                    request = orphaned.popleft()
                else:
                    item = None if exhausted else next(source, None)
                    if item is None:
                        exhausted = True
                        break
                    if isinstance(item, NotReady):
                        if any(held):
                            media_pending = True
                            break
                        item.wait()
                        continue
                    request = item
                replica = min(room, key=lambda k: len(held[k]))  # the one with the most room pulls it
                ticket = next(tickets)
                held[replica][ticket] = request
                self.replicas.submit(replica, ticket, request)
            if not any(held):
                if exhausted and not orphaned:
                    return
                continue
            polled = self.replicas.poll(MEDIA_POLL_S if media_pending else None)
            for replica, why in polled.lost.items():
                lost[replica] = why
                orphaned.extend(held[replica].values())
                held[replica].clear()
            if len(lost) == count:
                raise RuntimeError(f"every engine replica failed ({'; '.join(f'{k}: {w}' for k, w in lost.items())});"
                                   " answers so far are journaled: re-run with the same output_dir to resume")
            group = [(held[replica].pop(ticket), response) for replica, ticket, response in polled.answers
                     if ticket in held[replica]]  # fmt: skip
            if group:
                yield group

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        answers = {id(prepared): response for group in self.generate_stream(batch) for prepared, response in group}
        return [answers[id(prepared)] for prepared in batch]

    def info(self) -> EngineInfo:
        first = self.replicas.infos[0]
        replicas = {"count": len(self.replicas.infos), "transport": self.replicas.transport,
                    "placement": self.replicas.placement, "window": self.window,
                    "feeding": "each replica pulls requests as it has room; answers stream back as they finish"}
        return replace(first, details={**first.details, "data_parallel_size": replicas["count"], "replicas": replicas})

    def close(self) -> None:
        self.replicas.close()


def replica_window(runner: RunnerConfig) -> int:
    """Requests one replica holds: vLLM's own window (runner.batch_size, above max_num_seqs); a batch runner its
    batch and the next one, so it never waits for the driver between batches."""
    return runner.batch_size if runner.name == "vllm" else 2 * runner.batch_size


class ReplicaServer:
    """One replica's runner, fed from an inbox as work arrives; `answered(ticket, response)` is called for each
    answer as it finishes. `put` and `stop` may be called from any thread; `serve` runs until `stop`."""

    def __init__(self, runner: Runner, batch_size: int, answered: Callable[[int, Response], None],
                 batch_wait_s: float = 0.0):
        self.runner, self.batch_size, self.answered, self.batch_wait_s = runner, batch_size, answered, batch_wait_s
        self._inbox: deque[tuple[int, PreparedRequest]] = deque()
        self._lock = threading.Lock()
        self._arrival: Future[None] = Future()
        self._stopped = False

    def put(self, ticket: int, request: PreparedRequest) -> None:
        with self._lock:
            self._inbox.append((ticket, request))
            self._wake()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake()

    def _wake(self) -> None:
        if not self._arrival.done():
            self._arrival.set_result(None)

    def _next(self) -> tuple[int, PreparedRequest] | NotReady | None:
        with self._lock:
            if self._inbox:
                return self._inbox.popleft()
            if self._stopped:
                return None
            if self._arrival.done():
                self._arrival = Future()
            return NotReady(self._arrival)

    def serve(self) -> None:
        tickets: dict[int, int] = {}  # id(request) -> ticket, while the engine holds it

        def inbox() -> Iterator[PreparedRequest | NotReady]:
            while (item := self._next()) is not None:
                if isinstance(item, NotReady):
                    yield item
                    continue
                ticket, request = item
                tickets[id(request)] = ticket
                yield request

        groups = (self.runner.generate_stream(inbox()) if isinstance(self.runner, StreamingRunner)
                  else self._batches(inbox()))  # fmt: skip
        for group in groups:
            for request, response in group:
                self.answered(tickets.pop(id(request)), response)

    def _batches(self, requests: Iterator[PreparedRequest | NotReady]) -> Iterator[list[Completed]]:
        """For a batch runner: what is waiting, up to a batch, one engine call each; a partial batch waits at most
        `batch_wait_s` after its first request for the rest of a burst."""
        while True:
            batch: list[PreparedRequest] = []
            deadline = 0.0
            for item in requests:
                if isinstance(item, NotReady):
                    if not batch:
                        item.wait()
                    elif not item.wait(deadline - time.monotonic()):  # a negative timeout looks once
                        break
                    continue
                if not batch:
                    deadline = time.monotonic() + self.batch_wait_s
                batch.append(item)
                if len(batch) == self.batch_size:
                    break
            if not batch:
                return
            yield list(zip(batch, generate_isolating(self.runner, batch), strict=True))


def replica_devices(count: int, per_replica: int, visible: list[str] | None) -> list[str | None]:
    """CUDA_VISIBLE_DEVICES of each replica: consecutive slices of `per_replica` of the `visible` GPUs (None when
    the engines run on CPUs, where each replica is a whole CPU engine)."""
    if visible is None:
        return [None] * count
    if len(visible) < count * per_replica:
        raise ValueError(
            f"runner.data_parallel_size={count} x tensor_parallel_size={per_replica} needs {count * per_replica} GPUs, "
            f"{len(visible)} are visible"
        )
    return [",".join(visible[k * per_replica : (k + 1) * per_replica]) for k in range(count)]


def visible_gpus() -> list[str]:
    """The GPUs this process may use, without creating a CUDA context (vLLM's engines may then fork)."""
    if visible := os.environ.get("CUDA_VISIBLE_DEVICES"):
        return visible.split(",")
    import torch

    return [str(k) for k in range(torch.cuda.device_count())]


class ProcessReplicas:
    """`len(devices)` replicas in spawned processes of this machine, each on its slice of GPUs (or a share of the
    CPU cores: `threads` each), talking over one pipe each."""

    transport = "processes"

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str, devices: list[str | None],
                 threads: int | None):  # fmt: skip
        context = multiprocessing.get_context("spawn")  # engines need a fresh interpreter, not a fork of this one
        one = replace(runner, data_parallel_size=1)
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        for gpus in devices:
            ours, theirs = context.Pipe()
            # not a daemon: vLLM's engine starts processes of its own, which a daemon may not
            process = context.Process(target=_replica_main, args=(theirs, model, one, model_path, gpus, threads),
                                      name=f"evalkit-replica-{len(self.processes)}")
            process.start()
            theirs.close()
            self.pipes.append(ours)
            self.processes.append(process)
        self.placement = [f"GPUs {gpus}" if gpus is not None else f"CPU, {threads} threads" for gpus in devices]
        self.infos = []
        self._lost: dict[int, str] = {}
        for k, pipe in enumerate(self.pipes):
            message = _receive(pipe)
            if message[0] != "ready":
                self.close()
                raise RuntimeError(f"engine replica {k} failed to start: {message[-1]}")
            self.infos.append(message[1])

    def submit(self, replica: int, ticket: int, request: PreparedRequest) -> None:
        try:
            self.pipes[replica].send((ticket, request))
        except (BrokenPipeError, ConnectionResetError, OSError) as exc:
            self._lost.setdefault(replica, f"its process is gone ({type(exc).__name__})")

    def poll(self, timeout: float | None) -> Polled:
        polled = Polled(lost=self._lost)
        self._lost = {}
        live = {pipe: k for k, pipe in enumerate(self.pipes) if not pipe.closed}
        for pipe in wait(list(live), 0 if polled.lost else timeout):
            assert isinstance(pipe, Connection)
            replica = live[pipe]
            while not pipe.closed and pipe.poll():
                message = _receive(pipe)
                if message[0] == "answer":
                    polled.answers.append((replica, message[1], message[2]))
                else:
                    polled.lost[replica] = message[-1]
                    pipe.close()
        return polled

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(None)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
                process.join()


def _receive(pipe: Connection) -> tuple[Any, ...]:
    try:
        message: tuple[Any, ...] = pipe.recv()
        return message
    except (EOFError, ConnectionResetError, OSError) as exc:
        return ("lost", f"its process ended without answering ({type(exc).__name__})")


def exit_with_parent() -> None:
    """Make this process the leader of its own process group and kill the group (its engine's processes too) once
    the process that started it is gone: a replica must never outlive its run, even one killed with SIGKILL."""
    parent = os.getppid()
    os.setpgid(0, 0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _replica_main(pipe: Connection, model: ModelConfig, runner: RunnerConfig, model_path: str, gpus: str | None,
                  threads: int | None) -> None:  # fmt: skip
    exit_with_parent()
    if gpus is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus
    if threads is not None:  # before torch is imported: its thread pools read it once
        os.environ["OMP_NUM_THREADS"] = str(threads)
    from evalkit.runners import build_runner

    try:
        engine = build_runner(model, runner, model_path)
    except Exception as exc:  # noqa: BLE001 - reported to the driver, which raises it
        pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    sending = threading.Lock()  # answers go out from the serving thread, nothing else writes

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            pipe.send(message)

    send(("ready", engine.info()))
    server = ReplicaServer(engine, runner.batch_size, lambda ticket, response: send(("answer", ticket, response)),
                           runner.batch_wait_s)

    def read() -> None:
        try:
            while (work := pipe.recv()) is not None:
                server.put(*work)
        except (EOFError, OSError):
            pass
        server.stop()

    threading.Thread(target=read, name="replica-inbox", daemon=True).start()
    try:
        server.serve()
    except Exception as exc:  # noqa: BLE001 - the engine failed: the driver gives this replica's work to the others
        send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.close()
