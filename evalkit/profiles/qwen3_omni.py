"""Qwen3-Omni (Qwen/Qwen3-Omni-30B-A3B-Instruct, -Thinking, -Captioner, and the tiny random model): the full
checkpoint is loaded with `enable_audio_output=False`, so the talker's weights are skipped, and generation goes
straight to the thinker, which is what the full model's `generate` does when it returns no audio."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.profiles.base import TransformersModel
from evalkit.profiles.qwen_omni import QwenOmniProfile, QwenOmniThinker

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig


class Qwen3OmniProfile(QwenOmniProfile):
    name = "qwen3_omni"
    description = "Qwen3-Omni (transformers Qwen3OmniMoeForConditionalGeneration, thinker only)"

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        from transformers import AutoConfig, AutoProcessor, Qwen3OmniMoeForConditionalGeneration

        config = AutoConfig.from_pretrained(model_path, revision=model.revision)
        if config.model_type != "qwen3_omni_moe":
            raise ValueError(f"{model_path!r} is a {config.model_type!r} checkpoint; profile {self.name!r} loads "
                             "Qwen3-Omni (model_type qwen3_omni_moe); set model.profile to its family")  # fmt: skip
        config.enable_audio_output = False  # evaluation reads text only; the talker's weights are never loaded
        processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        full = Qwen3OmniMoeForConditionalGeneration.from_pretrained(
            model_path, config=config, revision=model.revision, dtype=dtype,
            attn_implementation=runner.attn_implementation,
            device_map=str(device) if device.type == "cuda" else None,
        )  # fmt: skip
        return QwenOmniThinker(full.thinker.to(device).eval(), processor, full.generation_config.eos_token_id)


PROFILE = Qwen3OmniProfile()
