"""Qwen3-Omni (Qwen/Qwen3-Omni-30B-A3B-Instruct, -Thinking, -Captioner, and the tiny random model).

Text answers: the checkpoint is loaded with `enable_audio_output=False`, so the talker's weights are skipped, and
generation goes straight to the thinker, which is what the full model's `generate` does when it returns no audio.

Spoken answers (`model.talker=true`): the full model with its talker and code2wav vocoder; its `generate` with
`return_audio=True` runs the thinker, then the talker on the thinker's hidden states, then code2wav, for a whole
batch at once (transformers >= 5 batches the talker; each row's audio is cut at its own end). The voice is one of
the checkpoint's speakers (`talker_config.speaker_id`): the released model takes no reference audio, so zero-shot
voice cloning (SEED-TTS's setting) is not possible with it. The talker samples, with the settings Qwen ships as
`generate`'s defaults (TALKER_DECODING), seeded by the runner per batch with the request's decoding seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evalkit.profiles.base import PromptRenderer
from evalkit.profiles.qwen_omni import QwenOmniProfile, QwenOmniThinker
from evalkit.types import Speech

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig
    from evalkit.preflight import TokenCounter
    from evalkit.profiles.base import TransformersModel

SPEECH_SAMPLE_RATE = 24000  # code2wav's output rate (Qwen3-Omni model card)
# Qwen3OmniMoeForConditionalGeneration.generate's talker defaults, the settings of Qwen's own examples
# (its max_new_tokens, 4096, is model.talker_max_new_tokens)
TALKER_DECODING = {"do_sample": True, "temperature": 0.9, "top_k": 50, "top_p": 1.0, "repetition_penalty": 1.05}


class QwenOmniSpeaker(QwenOmniThinker):
    """The full Qwen3-Omni (thinker, talker, code2wav): text requests go to the thinker, spoken ones through all."""

    def __init__(self, full: Any, processor: Any, eos: int | list[int] | None, talker_max_new_tokens: int):
        super().__init__(full.thinker, processor, eos)
        self.full = full
        self.talker_max_new_tokens = talker_max_new_tokens

    def speak(self, inputs: Any, generation_config: Any, use_audio_in_video: bool,
              voice: str) -> list[tuple[list[int], int, Speech]]:  # fmt: skip
        import torch

        sequences, waveforms = self.full.generate(
            **inputs, speaker=voice, return_audio=True, use_audio_in_video=use_audio_in_video,
            # the thinker's own settings are passed one by one: `generate` sets its own max_new_tokens and EOS
            thinker_generation_config=generation_config, thinker_max_new_tokens=generation_config.max_new_tokens,
            thinker_eos_token_id=generation_config.eos_token_id,
            talker_max_new_tokens=self.talker_max_new_tokens, **{f"talker_{k}": v for k, v in TALKER_DECODING.items()},
        )  # fmt: skip
        rows = waveforms.reshape(1, -1) if isinstance(waveforms, torch.Tensor) else waveforms  # one row: a tensor
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        return [
            (row[prompt_length:].tolist(), int(n), Speech(wave.reshape(-1).float().cpu().numpy(), SPEECH_SAMPLE_RATE,
                                                          voice))
            for row, n, wave in zip(sequences, prompt_tokens, rows, strict=True)
        ]

    def close(self) -> None:
        super().close()
        self.full = None

class Qwen3OmniProfile(QwenOmniProfile):
    name = "qwen3_omni"
    description = "Qwen3-Omni (transformers Qwen3OmniMoeForConditionalGeneration; thinker only unless model.talker)"
    model_type = "qwen3_omni_moe"
    voices = ("Ethan", "Chelsie", "Aiden")

    def token_counter(self, renderer: PromptRenderer) -> TokenCounter:
        from evalkit.preflight import TokenCounter
        from evalkit.prompting import ChatTemplateRenderer

        if not isinstance(renderer, ChatTemplateRenderer):  # it holds the checkpoint's processor, which counts
            raise TypeError(f"Qwen3-Omni counts tokens with a ChatTemplateRenderer's processor, not {type(renderer)}")
        return TokenCounter(renderer.processor)

    def load_thinker(self, model_path: str, config: Any, weights: dict[str, Any]) -> tuple[Any, int | list[int] | None]:
        from transformers import Qwen3OmniMoeForConditionalGeneration

        config.enable_audio_output = False  # a text answer needs no talker: its weights are never loaded
        full = Qwen3OmniMoeForConditionalGeneration.from_pretrained(model_path, config=config, **weights)
        return full.thinker, full.generation_config.eos_token_id

    def random_thinker(self, config: Any, dtype: Any, attn_implementation: str | None) -> Any:
        from transformers import Qwen3OmniMoeThinkerForConditionalGeneration

        return Qwen3OmniMoeThinkerForConditionalGeneration._from_config(
            config.thinker_config, dtype=dtype, attn_implementation=attn_implementation
        )
    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        if not model.talker:
            return super().load_transformers(model, runner, model_path, dtype, device)
        from transformers import AutoProcessor, Qwen3OmniMoeForConditionalGeneration

        config = self.checkpoint_config(model_path, model.revision)
        if not getattr(config, "enable_audio_output", False) or getattr(config, "talker_config", None) is None:
            raise ValueError(f"{model_path!r} has no talker (config enable_audio_output is false); set "
                             "model.talker=false or use a checkpoint with one")  # fmt: skip
        processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        full = Qwen3OmniMoeForConditionalGeneration.from_pretrained(
            model_path, config=config, revision=model.revision or "main", dtype=dtype,
            attn_implementation=runner.attn_implementation, device_map=str(device) if device.type == "cuda" else None,
        )  # fmt: skip
        # transformers types PreTrainedModel.to through a decorator that loses `self`
        on_device = full.to(device).eval()  # type: ignore[arg-type]
        return QwenOmniSpeaker(on_device, processor, full.generation_config.eos_token_id, model.talker_max_new_tokens)


PROFILE = Qwen3OmniProfile()
