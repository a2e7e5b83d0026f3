"""Qwen3-Omni (Qwen/Qwen3-Omni-30B-A3B-Instruct, -Thinking, -Captioner, and the tiny random model): the full
checkpoint is loaded with `enable_audio_output=False`, so the talker's weights are skipped, and generation goes
straight to the thinker, which is what the full model's `generate` does when it returns no audio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalkit.profiles.base import PromptRenderer
from evalkit.profiles.qwen_omni import QwenOmniProfile

if TYPE_CHECKING:
    from evalkit.preflight import TokenCounter


class Qwen3OmniProfile(QwenOmniProfile):
    name = "qwen3_omni"
    description = "Qwen3-Omni (transformers Qwen3OmniMoeForConditionalGeneration, thinker only)"
    model_type = "qwen3_omni_moe"

    def token_counter(self, renderer: PromptRenderer) -> TokenCounter:
        from evalkit.preflight import TokenCounter

        return TokenCounter(renderer.processor)  # the chat-template renderer holds the checkpoint's processor

    def load_thinker(self, model_path: str, config: Any, weights: dict[str, Any]) -> tuple[Any, int | list[int] | None]:
        from transformers import Qwen3OmniMoeForConditionalGeneration

        config.enable_audio_output = False  # evaluation reads text only; the talker's weights are never loaded
        full = Qwen3OmniMoeForConditionalGeneration.from_pretrained(model_path, config=config, **weights)
        return full.thinker, full.generation_config.eos_token_id

    def random_thinker(self, config: Any, dtype: Any, attn_implementation: str | None) -> Any:
        from transformers import Qwen3OmniMoeThinkerForConditionalGeneration

        return Qwen3OmniMoeThinkerForConditionalGeneration._from_config(
            config.thinker_config, dtype=dtype, attn_implementation=attn_implementation
        )


PROFILE = Qwen3OmniProfile()
