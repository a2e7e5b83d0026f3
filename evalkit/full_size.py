"""Qwen3-Omni-30B-A3B at its real sizes without its weights: a config-only model folder for each published
checkpoint, and what a random-weight run needs to produce scoreable text.

`write_model_config` gives the thinker of Instruct, Thinking or Captioner its published sizes (the talker is
never built: evaluation reads text), and takes the tokenizer, processor and chat template from a local folder
(the tiny model's works). vLLM then builds the real architecture with `load_format="dummy"` and transformers with
`from_config`, so a full-scale dry run and a capacity plan need no 70 GB download. The media token counts are the
real ones (they follow the processor's patch and window arithmetic); text prompts are as long as the given
tokenizer makes them.

Random weights pick any of the 152,064 ids, most of which a small tokenizer cannot decode (and single byte tokens
that are half a UTF-8 character): `decodable_token_ids` is the vocabulary generation is restricted to.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The thinker of Qwen3-Omni-30B-A3B (Instruct, Thinking and Captioner share the architecture), from the published
# config.json: text decoder 48 layers of 128-expert top-8 MoE, the 27-layer vision tower, the 32-layer audio tower.
TEXT = {
    "vocab_size": 152064, "hidden_size": 2048, "num_hidden_layers": 48,
    "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128,
    "num_experts_per_tok": 8, "moe_intermediate_size": 768, "decoder_sparse_step": 1, "norm_topk_prob": True,
    "max_position_embeddings": 65536, "rms_norm_eps": 1e-6, "hidden_act": "silu", "tie_word_embeddings": False,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [24, 20, 20],
                        "interleaved": True, "mrope_interleaved": True},
}  # fmt: skip
VISION = {
    "depth": 27, "hidden_size": 1152, "intermediate_size": 4304, "num_heads": 16, "patch_size": 16,
    "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 2048, "num_position_embeddings": 2304,
    "deepstack_visual_indexes": [8, 16, 24], "image_size": 768, "apply_vit_abs_pos_embed": True,
    "hidden_act": "gelu_pytorch_tanh",
}  # fmt: skip
AUDIO = {
    "num_mel_bins": 128, "encoder_layers": 32, "encoder_attention_heads": 20, "encoder_ffn_dim": 5120,
    "d_model": 1280, "output_dim": 2048, "downsample_hidden_size": 480, "n_window": 50, "n_window_infer": 800,
    "conv_chunksize": 500, "max_source_positions": 1500,
}  # fmt: skip
POSITION_ID_PER_SECONDS = 13


@dataclass(frozen=True)
class Checkpoint:
    """What differs between the published checkpoints: the inputs they take and how they decode."""

    hub_id: str
    modalities: tuple[str, ...]
    sampling: dict[str, Any] = field(default_factory=dict)  # generation_config.json's sampling fields


CHECKPOINTS = {
    "instruct": Checkpoint("Qwen/Qwen3-Omni-30B-A3B-Instruct", ("text", "audio", "image", "video")),
    # The Qwen3 thinking models' generation_config.json sampling (temperature 0.6, top-p 0.95, top-k 20).
    "thinking": Checkpoint("Qwen/Qwen3-Omni-30B-A3B-Thinking", ("text", "audio", "image", "video"),
                           {"do_sample": True, "temperature": 0.6, "top_p": 0.95, "top_k": 20}),
    "captioner": Checkpoint("Qwen/Qwen3-Omni-30B-A3B-Captioner", ("audio",)),
}  # fmt: skip
MARKER_FILE = "evalkit_model_config.json"
# Files of the source folder that are the model's, not the processor's: never copied into a config-only folder.
_MODEL_FILES = ("config.json", "generation_config.json", "*.safetensors", "*.safetensors.index.json", "*.bin",
                "evalkit_*.json")


def write_model_config(checkpoint: str, processor_dir: Path, out_dir: Path) -> Path:
    """A folder with `checkpoint`'s full-size config.json and generation_config.json and `processor_dir`'s
    tokenizer, processor and chat template; no weights. Returns the folder."""
    from transformers import AutoTokenizer, GenerationConfig, Qwen3OmniMoeConfig

    if checkpoint not in CHECKPOINTS:
        raise ValueError(f"checkpoint {checkpoint!r}; valid: {', '.join(CHECKPOINTS)}")
    processor_dir, out_dir = Path(processor_dir), Path(out_dir)
    if not (processor_dir / "tokenizer_config.json").exists():
        raise FileNotFoundError(f"{processor_dir} has no tokenizer_config.json: give a folder holding a tokenizer, "
                                "processor and chat template (e.g. one from `evalkit make-tiny-model`)")
    tokenizer = AutoTokenizer.from_pretrained(processor_dir)
    ids = _special_ids(tokenizer)
    thinker = {
        "text_config": {**TEXT, "pad_token_id": ids["pad"], "eos_token_id": ids["eos"]},
        "vision_config": VISION,
        "audio_config": AUDIO,
        "position_id_per_seconds": POSITION_ID_PER_SECONDS,
        **{f"{name}_token_id": ids[name] for name in _MEDIA_TOKENS},
        "user_token_id": ids["im_start"],  # only the talker reads it
    }
    config = Qwen3OmniMoeConfig(thinker_config=thinker, enable_audio_output=False, im_start_token_id=ids["im_start"],
                                im_end_token_id=ids["eos"])
    config.architectures = ["Qwen3OmniMoeForConditionalGeneration"]
    config.dtype = "bfloat16"
    out_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("*.json", "*.jinja", "*.txt", "*.model", "*.tiktoken"):
        for source in processor_dir.glob(pattern):
            if not any(source.match(model_file) for model_file in _MODEL_FILES):
                shutil.copy2(source, out_dir / source.name)
    config.save_pretrained(out_dir)
    spec = CHECKPOINTS[checkpoint]
    GenerationConfig(eos_token_id=ids["eos"], pad_token_id=ids["pad"], **spec.sampling).save_pretrained(out_dir)
    marker = {"checkpoint": checkpoint, "sizes_of": spec.hub_id, "modalities": list(spec.modalities),
              "processor_from": str(processor_dir.resolve()), "weights": "none: load with model.weights=random"}
    (out_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n")
    return out_dir


_MEDIA_TOKENS = {
    "audio": "<|audio_pad|>", "image": "<|image_pad|>", "video": "<|video_pad|>", "audio_start": "<|audio_start|>",
    "audio_end": "<|audio_end|>", "vision_start": "<|vision_start|>", "vision_end": "<|vision_end|>",
}  # fmt: skip


def _special_ids(tokenizer) -> dict[str, int]:
    wanted = {**_MEDIA_TOKENS, "im_start": "<|im_start|>", "eos": "<|im_end|>", "pad": "<|endoftext|>"}
    vocab = tokenizer.get_vocab()
    missing = [token for token in wanted.values() if token not in vocab]
    if missing:
        raise ValueError(f"the tokenizer lacks Qwen3-Omni's special tokens {missing}; take the processor from a "
                         "Qwen3-Omni folder")
    return {name: vocab[token] for name, token in wanted.items()}


def decodable_token_ids(tokenizer) -> list[int]:
    """Ids that decode on their own to printable text or whitespace, plus the end-of-turn id so a random model can
    stop. Excluded: ids past the tokenizer's vocabulary, special tokens, control characters, and byte tokens that
    are part of a multi-byte character (they decode to U+FFFD, which evalkit records as an invalid-UTF-8 failure)."""
    special = set(tokenizer.all_special_ids)
    allowed = []
    for token_id in range(len(tokenizer)):
        if token_id in special:
            continue
        text = tokenizer.decode([token_id])
        if text and all((c.isprintable() or c.isspace()) and c != "\ufffd" for c in text):
            allowed.append(token_id)
    stop = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return sorted({*allowed, *([stop] if stop is not None else [])})
