"""Engine replicas as Ray actors: the Ray transport of evalkit.runners.replicas.

Each actor builds one runner (vLLM, tensor parallel inside it, or transformers) with the resources
`cluster.num_gpus` / `cluster.num_cpus` and serves it with a ReplicaServer; every request is one `answer` call,
whose ObjectRef resolves when that request finishes, so the driver collects answers with `ray.wait` as they come.
A request's media come decoded by a worker node (evalkit.cluster.ray_media) as an ObjectRef argument, which Ray
resolves on the replica's node. An actor that dies (its process or its node) fails its ObjectRefs with
RayActorError: the driver hands what it held to the other replicas.
The actors belong to the driver's job, so Ray ends them when the driver dies.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from evalkit.cluster import connect
from evalkit.config import ClusterConfig, ModelConfig, RunnerConfig
from evalkit.runners.base import EngineInfo
from evalkit.runners.replicas import Polled, ReplicaServer, ReplicatedRunner, replica_window
from evalkit.types import MediaData, PreparedRequest, Response

CLOSE_TIMEOUT_S = 60


class ReplicaActor:
    """One engine replica inside a Ray actor (an async actor: each waiting `answer` call is a coroutine, not a
    thread)."""

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str):
        from evalkit.runners import build_runner

        self.runner = build_runner(model, runner, model_path)
        self._waiting: dict[int, Future[Response]] = {}
        self._lock = threading.Lock()
        self._server = ReplicaServer(self.runner, runner.batch_size, self._answered, runner.batch_wait_s)
        self._failure: BaseException | None = None
        threading.Thread(target=self._serve, name="replica-engine", daemon=True).start()

    def describe(self) -> tuple[EngineInfo, str]:
        import torch

        return self.runner.info(), f"{socket.gethostname()} pid {os.getpid()}, {torch.get_num_threads()} threads"

    async def answer(self, ticket: int, request: PreparedRequest,
                     media: tuple[MediaData, ...] | None = None) -> Response:  # fmt: skip
        """`media`: the request's media where a worker node decoded them (Ray fetched them from its object store)."""
        if media is not None:
            request = replace(request, media=media)
        future: Future[Response] = Future()
        with self._lock:
            if self._failure is not None:
                raise RuntimeError(f"the engine failed: {self._failure}")
            self._waiting[ticket] = future
        self._server.put(ticket, request)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._server.stop()
        self.runner.close()

    def _answered(self, ticket: int, response: Response) -> None:
        with self._lock:
            future = self._waiting.pop(ticket)
        future.set_result(response)

    def _serve(self) -> None:
        try:
            self._server.serve()
        except BaseException as exc:  # noqa: BLE001 - every waiting call fails with the engine's error
            with self._lock:
                self._failure, waiting, self._waiting = exc, self._waiting, {}
            for future in waiting.values():
                future.set_exception(exc)


class RayReplicas:
    """Started replica actors, as evalkit.runners.replicas talks to them."""

    transport = "ray"

    def __init__(self, actors: list[Any]):
        import ray

        self.actors = actors
        described = ray.get([actor.describe.remote() for actor in actors])
        self.infos = [info for info, _ in described]
        self.placement = [where for _, where in described]
        self._calls: dict[Any, tuple[int, int]] = {}  # ObjectRef -> (replica, ticket)

    def submit(self, replica: int, ticket: int, request: PreparedRequest) -> None:
        held = request.held_media
        if held is None:
            call = self.actors[replica].answer.remote(ticket, request)
        else:  # the decoded media go from the node that decoded them to the replica's, not through the driver
            call = self.actors[replica].answer.remote(ticket, replace(request, held_media=None), held.data)
        self._calls[call] = (replica, ticket)

    def poll(self, timeout: float | None) -> Polled:
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        polled = Polled()
        if not self._calls:
            return polled
        ready, _ = ray.wait(list(self._calls), num_returns=1, timeout=timeout)
        if ready:  # and whatever else has finished meanwhile
            ready, _ = ray.wait(list(self._calls), num_returns=len(self._calls), timeout=0)
        for ref in ready:
            replica, ticket = self._calls.pop(ref)
            try:
                polled.answers.append((replica, ticket, ray.get(ref)))
            except (RayActorError, RayTaskError) as exc:  # the actor died, or its engine failed
                polled.lost[replica] = str(exc).strip().splitlines()[0]
        return polled

    def close(self) -> None:
        import ray

        try:
            ray.get([actor.close.remote() for actor in self.actors], timeout=CLOSE_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - an actor already dead or stuck is killed below all the same
            pass
        for actor in self.actors:
            ray.kill(actor)


def start_ray_replicas(model: ModelConfig, runner: RunnerConfig, model_path: str,
                       cluster: ClusterConfig) -> ReplicatedRunner:  # fmt: skip
    """`cluster.replicas` actors on the cluster, each holding its resources for the whole run."""
    import ray

    connect(cluster)
    num_gpus = cluster.num_gpus
    if num_gpus is None:
        num_gpus = 0 if runner.device == "cpu" else runner.tensor_parallel_size
    window = replica_window(runner)
    actor_class = ray.remote(ReplicaActor).options(num_cpus=cluster.num_cpus, num_gpus=num_gpus,
                                                   max_concurrency=window + 2, max_restarts=0)
    actors = [actor_class.remote(model, runner, model_path) for _ in range(cluster.replicas)]
    return ReplicatedRunner(RayReplicas(actors), window)
