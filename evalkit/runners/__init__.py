"""Engines that turn prepared requests into responses: transformers, vLLM, OpenAI-compatible servers.
Each backend is imported only when chosen, so vLLM stays an optional extra."""

from __future__ import annotations

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.runners.base import Runner


def build_runner(model: ModelConfig, runner: RunnerConfig, model_path: str) -> Runner:
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
