"""Qwen2.5-Omni (Qwen/Qwen2.5-Omni-7B, -3B): only the thinker is loaded (Qwen2_5OmniThinkerForConditionalGeneration
reads the full checkpoint's `thinker.*` weights), so neither the talker nor the token2wav vocoder, nor the speaker
file that the full class insists on, is needed for text output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.profiles.base import TransformersModel
from evalkit.profiles.qwen_omni import QwenOmniProfile, QwenOmniThinker

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig


class Qwen25OmniProfile(QwenOmniProfile):
    name = "qwen2_5_omni"
    description = "Qwen2.5-Omni (transformers Qwen2_5OmniThinkerForConditionalGeneration)"

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        from transformers import AutoConfig, AutoProcessor, Qwen2_5OmniThinkerForConditionalGeneration

        config = AutoConfig.from_pretrained(model_path, revision=model.revision)
        if config.model_type != "qwen2_5_omni":
            raise ValueError(f"{model_path!r} is a {config.model_type!r} checkpoint; profile {self.name!r} loads "
                             "Qwen2.5-Omni (model_type qwen2_5_omni); set model.profile to its family")  # fmt: skip
        processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        thinker = Qwen2_5OmniThinkerForConditionalGeneration.from_pretrained(
            model_path, config=config.thinker_config, revision=model.revision, dtype=dtype,
            attn_implementation=runner.attn_implementation,
            device_map=str(device) if device.type == "cuda" else None,
        )  # fmt: skip
        return QwenOmniThinker(thinker.to(device).eval(), processor, thinker.generation_config.eos_token_id)


PROFILE = Qwen25OmniProfile()
