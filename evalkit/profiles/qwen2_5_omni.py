"""Qwen2.5-Omni (Qwen/Qwen2.5-Omni-7B, -3B): only the thinker is loaded (Qwen2_5OmniThinkerForConditionalGeneration
reads the full checkpoint's `thinker.*` weights), so neither the talker nor the token2wav vocoder, nor the speaker
file that the full class insists on, is needed for text output."""

from __future__ import annotations

from typing import Any

from evalkit.profiles.qwen_omni import QwenOmniProfile


class Qwen25OmniProfile(QwenOmniProfile):
    name = "qwen2_5_omni"
    description = "Qwen2.5-Omni (transformers Qwen2_5OmniThinkerForConditionalGeneration)"
    model_type = "qwen2_5_omni"

    def load_thinker(self, model_path: str, config: Any, weights: dict[str, Any]) -> tuple[Any, int | list[int] | None]:
        from transformers import Qwen2_5OmniThinkerForConditionalGeneration

        thinker = Qwen2_5OmniThinkerForConditionalGeneration.from_pretrained(
            model_path, config=config.thinker_config, **weights
        )
        return thinker, thinker.generation_config.eos_token_id


PROFILE = Qwen25OmniProfile()
