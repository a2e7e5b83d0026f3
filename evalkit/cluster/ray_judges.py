"""Judges' engines on the Ray cluster (cluster=ray): a judged task's judge calls are answered by one Ray actor per
judge model, built on its first cache miss, holding that judge's runner: a local checkpoint's transformers or vLLM
engine (with `cluster.num_cpus` cores, and one GPU unless the judge runs on CPU or the cluster has none), or a
hosted judge's OpenAI-compatible client (no core reserved: it waits on the network). Each batch of judge prompts is
one call to it.

The driver keeps everything else of judging (evalkit.judges.engine): the prompts, the cache keys and the judge
cache, which it consults before asking, so a rescore asks the cluster nothing and starts no actor; and the verdict
parsing. A hosted judge's API key reaches the actor's process as the same environment variable (its Ray runtime
environment), never in a file or a log of evalkit's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from evalkit.config import ClusterConfig, ModelConfig, RunnerConfig
from evalkit.runners.base import EngineInfo
from evalkit.types import PreparedRequest, Response

CLOSE_TIMEOUT_S = 60


class JudgeActor:
    """One judge model's runner inside a Ray actor."""

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str):
        from evalkit.runners import build_runner

        self.runner = build_runner(model, runner, model_path)

    def generate(self, batch: list[PreparedRequest]) -> list[Response]:
        return self.runner.generate(batch)

    def info(self) -> EngineInfo:
        return self.runner.info()

    def close(self) -> None:
        self.runner.close()


class RayJudgeRunner:
    """A judge's runner, as evalkit.judges.engine calls it, answering from its actor. An engine error raises here
    as it would in the driver (generate_isolating then splits the batch)."""

    def __init__(self, actor: Any, name: str):
        self.actor, self.name = actor, name

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        import ray

        responses: list[Response] = ray.get(self.actor.generate.remote(list(batch)))
        return responses

    def info(self) -> EngineInfo:
        import ray

        info: EngineInfo = ray.get(self.actor.info.remote())
        return info

    def close(self) -> None:
        import ray

        try:
            ray.get(self.actor.close.remote(), timeout=CLOSE_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - an actor already dead or stuck is killed below all the same
            pass
        ray.kill(self.actor)


def start_judge_actor(cluster: ClusterConfig, model: ModelConfig, runner: RunnerConfig,
                      model_path: str) -> RayJudgeRunner:  # fmt: skip
    import ray

    from evalkit.cluster import connect

    connect(cluster)
    hosted = runner.name == "openai"
    on_gpu = not hosted and runner.device != "cpu" and ray.cluster_resources().get("GPU", 0) > 0
    options: dict[str, Any] = {"num_cpus": 0 if hosted else cluster.num_cpus, "num_gpus": 1 if on_gpu else 0,
                               "max_restarts": 0}
    if hosted and (key := os.environ.get(runner.api_key_env)):
        options["runtime_env"] = {"env_vars": {runner.api_key_env: key}}
    actor = ray.remote(JudgeActor).options(**options).remote(model, runner, model_path)
    return RayJudgeRunner(actor, runner.name)
