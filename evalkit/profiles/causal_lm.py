"""A plain text causal language model through transformers (`AutoModelForCausalLM`): Llama, Qwen2.5, SmolLM and
the like, text in and text out. Prompts are rendered with the tokenizer's own chat template (whatever system turn
the template adds by itself is kept: that is how the model is served).

The checkpoint is a folder (config.json, weights, tokenizer) or a single GGUF file (`model.path` ending in .gguf),
which transformers dequantizes to `model.dtype` on load (needs the `gguf` package): the weights keep the
quantization's rounding, the arithmetic is float.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.profiles.base import ModelProfile, PromptRenderer, TransformersModel
from evalkit.prompting import to_hf_conversation
from evalkit.types import Message, PreparedRequest

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig


def checkpoint_location(model_path: str, revision: str | None) -> dict[str, Any]:
    """from_pretrained's arguments for a checkpoint folder / hub id, or for a single GGUF file."""
    path = Path(model_path)
    if path.suffix == ".gguf":
        return {"pretrained_model_name_or_path": str(path.parent), "gguf_file": path.name}
    return {"pretrained_model_name_or_path": model_path, "revision": revision}


def load_tokenizer(model_path: str, revision: str | None) -> Any:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(**checkpoint_location(model_path, revision))
    except OSError as exc:
        raise FileNotFoundError(f"cannot load the tokenizer of {model_path!r}: {exc}; check model.path") from exc
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"{model_path!r} ships no chat template; evalkit needs the checkpoint's own template")
    return tokenizer


class TokenizerChatRenderer:
    def __init__(self, model_path: str, revision: str | None):
        self.tokenizer = load_tokenizer(model_path, revision)

    def render(self, messages: tuple[Message, ...], language: str | None) -> str:
        if not messages:
            raise ValueError("cannot render an empty conversation")
        conversation = [{"role": m["role"], "content": "".join(part["text"] for part in m["content"])}
                        for m in to_hf_conversation(messages)]  # fmt: skip
        return self.tokenizer.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)


class CausalLM:
    """The loaded model for the transformers runner: left-padded batches, one `generate` per batch."""

    def __init__(self, model: Any, tokenizer: Any):
        self.model, self.tokenizer = model, tokenizer
        eos = model.generation_config.eos_token_id
        eos = tokenizer.eos_token_id if eos is None else eos
        self.eos_token_ids = set(eos if isinstance(eos, list) else [eos])
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.eos_token_ids)
        self.attn_implementation = model.config._attn_implementation

    def check(self, prepared: PreparedRequest) -> None:
        if prepared.media:
            raise ValueError(f"sample {prepared.sample.sample_id}: a text model takes no media "
                             f"({len(prepared.media)} given)")  # fmt: skip

    def encode(self, group: Sequence[PreparedRequest], use_audio_in_video: bool, fps: float | None) -> Any:
        # The rendered prompt already holds the template's special tokens (BOS included where it has one).
        return self.tokenizer([p.prompt for p in group], padding=True, padding_side="left", add_special_tokens=False,
                              return_tensors="pt")  # fmt: skip

    def generate(self, inputs: Any, generation_config: Any, use_audio_in_video: bool) -> list[tuple[list[int], int]]:
        output = self.model.generate(**inputs, generation_config=generation_config)
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        return [(row[prompt_length:].tolist(), int(n)) for row, n in zip(output, prompt_tokens, strict=True)]

    def decode(self, token_ids: list[int]) -> str:
        return self.tokenizer.decode(token_ids, skip_special_tokens=True)

    def close(self) -> None:
        self.model = None


class CausalLMProfile(ModelProfile):
    name = "causal_lm"
    description = "a text causal LM (transformers AutoModelForCausalLM; a folder, hub id or single GGUF file)"
    modalities = frozenset({"text"})
    runners = frozenset({"transformers"})

    def renderer(self, model_path: str, revision: str | None) -> PromptRenderer:
        return TokenizerChatRenderer(model_path, revision)

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        from transformers import AutoModelForCausalLM

        loaded = AutoModelForCausalLM.from_pretrained(**checkpoint_location(model_path, model.revision), dtype=dtype,
                                                      attn_implementation=runner.attn_implementation)  # fmt: skip
        # transformers types PreTrainedModel.to through a decorator that loses `self`
        on_device = loaded.to(device).eval()  # type: ignore[arg-type]
        return CausalLM(on_device, load_tokenizer(model_path, model.revision))


PROFILE = CausalLMProfile()
