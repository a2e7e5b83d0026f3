"""Engines that turn prepared requests into responses: transformers, vLLM, OpenAI-compatible servers.
Each backend is imported only when chosen, so vLLM stays an optional extra. Several replicas of one engine
(`runner.data_parallel_size`, or `cluster=ray`) are one runner to the pipeline (evalkit.runners.replicas)."""

from __future__ import annotations

import os

from evalkit.config import ClusterConfig, ModelConfig, RunnerConfig
from evalkit.runners.base import Runner


def build_runner(model: ModelConfig, runner: RunnerConfig, model_path: str,
                 cluster: ClusterConfig | None = None) -> Runner:  # fmt: skip
    """The run's engine: one, `runner.data_parallel_size` replicas in processes of this machine, or with
    `cluster=ray` `cluster.replicas` replicas as Ray actors."""
    if cluster is not None and cluster.name == "ray":
        from evalkit.cluster.ray_replicas import start_ray_replicas

        return start_ray_replicas(model, runner, model_path, cluster)
    if runner.data_parallel_size > 1:
        return _local_replicas(model, runner, model_path)
    if runner.name == "transformers":
        from evalkit.runners.transformers import TransformersRunner

        return TransformersRunner(model, runner, model_path)
    if runner.name == "vllm":
        from evalkit.runners.vllm import VLLMRunner

        return VLLMRunner(model, runner, model_path)
    if runner.name == "openai":
        from evalkit.runners.openai import OpenAIRunner

        return OpenAIRunner(model, runner, model_path)
    raise ValueError(f"unknown runner {runner.name!r}; valid: transformers, vllm, openai")


def _local_replicas(model: ModelConfig, runner: RunnerConfig, model_path: str) -> Runner:
    """`data_parallel_size` replicas in processes of this machine: each on its slice of the GPUs, or on CPUs an
    equal share of the cores."""
    from evalkit.runners.replicas import (
        ProcessReplicas,
        ReplicatedRunner,
        replica_devices,
        replica_window,
        visible_gpus,
    )

    count = runner.data_parallel_size
    on_cpu = _engines_on_cpu(runner)
    devices = replica_devices(count, runner.tensor_parallel_size, None if on_cpu else visible_gpus())
    threads = max(1, (os.cpu_count() or 1) // count) if on_cpu else None
    return ReplicatedRunner(ProcessReplicas(model, runner, model_path, devices, threads), replica_window(runner))


def _engines_on_cpu(runner: RunnerConfig) -> bool:
    if runner.name == "vllm":
        from evalkit.runners.vllm import prepare_process

        return prepare_process()
    if runner.name == "transformers":
        from evalkit.runners.transformers import resolve_device

        return resolve_device(runner.device).type == "cpu"
    raise ValueError(f"runner.data_parallel_size={runner.data_parallel_size}: runner {runner.name!r} has no local "
                     "engine to replicate (transformers and vllm have); a server scales itself")
