"""Decoding parameters per (model, task), as the paper states them: greedy for Instruct/Captioner checkpoints,
the checkpoint's own generation_config.json for Thinking ones."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from evalkit.config import ModelConfig, TaskConfig
from evalkit.types import Decoding

_SAMPLING_FIELDS = ("do_sample", "temperature", "top_p", "top_k", "repetition_penalty")


def read_generation_config(model_path: str, revision: str | None) -> dict[str, Any]:
    """The sampling fields of a checkpoint's generation_config.json (local folder or hub id)."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(model_path, revision=revision or "main")  # None: its default
    except OSError as exc:
        raise FileNotFoundError(
            f"model.decoding=generation_config but {model_path!r} has no readable generation_config.json "
            f"({exc}); use a checkpoint that ships one, or set model.decoding=greedy"
        ) from exc
    return {name: getattr(config, name) for name in _SAMPLING_FIELDS if getattr(config, name, None) is not None}


def resolve_decoding(
    model: ModelConfig, task: TaskConfig, seed: int, generation_config: dict[str, Any] | None
) -> Decoding:
    max_new_tokens = task.max_new_tokens
    if model.reasoning and model.reasoning_max_new_tokens:
        max_new_tokens = model.reasoning_max_new_tokens
    if model.decoding == "greedy":
        return Decoding(max_new_tokens=max_new_tokens, seed=seed)
    if generation_config is None:
        raise ValueError("model.decoding=generation_config needs the checkpoint's generation_config")
    fields = {k: generation_config[k] for k in _SAMPLING_FIELDS if k in generation_config}
    if fields.get("top_k") in (None, 0):
        fields["top_k"] = -1  # "no top-k" in Decoding's convention
    return Decoding(max_new_tokens=max_new_tokens, seed=seed, **fields)


def for_draw(decoding: Decoding, draw: int) -> Decoding:
    """The decoding of a problem's repeat number `draw` (evalkit.types.Sample.draw): its own seed."""
    return replace(decoding, seed=decoding.seed + draw) if draw else decoding


def describe(decoding: Decoding) -> dict[str, Any]:
    return {"policy": decoding.policy, **asdict(decoding)}
