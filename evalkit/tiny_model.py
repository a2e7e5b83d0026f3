"""A tiny random-weight Qwen3-Omni checkpoint, built offline, that exercises every code path of every engine.

One folder serves transformers, vLLM (including its CPU build) and `vllm serve`: a full
`Qwen3OmniMoeForConditionalGeneration` config with a tiny talker and code2wav vocoder (spoken output runs on a
CPU; text runs skip their weights, as vLLM does), sizes vLLM's CPU attention accepts
(head_dim 64, mrope_section summing to head_dim / 2), and a processor (byte-level tokenizer, chat template,
Whisper features, Qwen2-VL image processor, and a video processor where torchvision imports).

Weights are noise; embeddings and LM head are re-drawn with a wide spread so greedy picks are not near-ties,
which is what parity and batch-invariance tests need. The same seed gives byte-identical weights.
"""

from __future__ import annotations

import json
from pathlib import Path

BUILDER_VERSION = 5  # bump on any change to the checkpoint: cached tiny models of other versions are rebuilt
MARKER_FILE = "evalkit_tiny.json"
EMBEDDING_STD = 0.5
# Wider than the usual 0.02 so attention and media embeddings move the output: with 0.02 every prompt yields
# the same tokens (the last token's embedding dominates), and batch or media tests could not fail.
INIT_STD = 0.1

# Ordered: the ids follow the 256 byte symbols, so they never change between builds.
SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|audio_start|>",
    "<|audio_end|>",
    "<|audio_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<|vision_start|>",
    "<|vision_end|>",
)
# The attribute names Qwen3OmniMoeProcessor reads from its tokenizer, as in the real tokenizer_config.json.
MEDIA_TOKEN_ATTRIBUTES = {
    "audio_bos_token": "<|audio_start|>",
    "audio_eos_token": "<|audio_end|>",
    "audio_token": "<|audio_pad|>",
    "image_token": "<|image_pad|>",
    "video_token": "<|video_pad|>",
    "vision_bos_token": "<|vision_start|>",
    "vision_eos_token": "<|vision_end|>",
}

# Renders conversations the way the real Qwen3-Omni templates do: no default system turn, media parts as
# start/pad/end placeholders inline with the text, in part order, nothing between parts; a system message
# whose content is a list renders each part as its own system turn, as the real template does.
CHAT_TEMPLATE = """\
{%- macro part_text(part) -%}
{%- if part.type == 'audio' or 'audio' in part or 'audio_url' in part -%}<|audio_start|><|audio_pad|><|audio_end|>
{%- elif part.type == 'image' or 'image' in part or 'image_url' in part -%}<|vision_start|><|image_pad|><|vision_end|>
{%- elif part.type == 'video' or 'video' in part -%}<|vision_start|><|video_pad|><|vision_end|>
{%- elif part.type == 'text' -%}{{ part.text }}
{%- endif -%}
{%- endmacro -%}
{%- for message in messages -%}
{%- if message.content is string -%}
{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
{%- elif message.role == 'system' and loop.first -%}
{%- for part in message.content -%}
{{ '<|im_start|>system\\n' + part_text(part) + '<|im_end|>\\n' }}
{%- endfor -%}
{%- else -%}
{{ '<|im_start|>' + message.role + '\\n' }}
{%- for part in message.content -%}{{ part_text(part) }}{%- endfor -%}
{{ '<|im_end|>\\n' }}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}
"""


def byte_level_vocab(special_tokens: tuple[str, ...]) -> dict[str, int]:
    """The 256 byte symbols, then the special tokens in order: ids never change between builds."""
    from tokenizers.pre_tokenizers import ByteLevel

    vocab = {symbol: i for i, symbol in enumerate(sorted(ByteLevel.alphabet()))}
    for token in special_tokens:
        vocab[token] = len(vocab)
    return vocab


def _tokenizer():
    from transformers import Qwen2Tokenizer

    tokenizer = Qwen2Tokenizer(
        vocab=byte_level_vocab(SPECIAL_TOKENS),
        merges=[],
        unk_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=MEDIA_TOKEN_ATTRIBUTES,
    )
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>"]})
    tokenizer.padding_side = "left"
    tokenizer.model_max_length = 32768
    return tokenizer


# What transformers' torchvision-backed Qwen2-VL video processor saves for the sizes below. A checkpoint built where
# torchvision is missing (vLLM's CPU build) carries it too, so one checkpoint loads in every environment.
VIDEO_PROCESSOR_CONFIG = {
    "do_convert_rgb": True, "do_normalize": True, "do_rescale": True, "do_resize": True, "do_sample_frames": False,
    "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
    "max_frames": 768, "min_frames": 4, "max_video_tokens": 128000, "return_metadata": False, "merge_size": 2,
    "patch_size": 16, "temporal_patch_size": 2, "resample": 3,
    "rescale_factor": 1 / 255, "size": {"longest_edge": 768 * 32 * 32, "shortest_edge": 128 * 32 * 32},
    "video_processor_type": "Qwen2VLVideoProcessor",
}  # fmt: skip


def _video_processor():
    """The torchvision-backed Qwen2-VL video processor; where torchvision does not import (vLLM's CPU build), the
    bridge's stand-in, which carries the same sizes and refuses videos (transformers will not build a Qwen3-Omni
    processor without a video processor)."""
    try:
        from transformers import Qwen2VLVideoProcessor

        # The per-frame pixel bounds Qwen3OmniMoeProcessor passes on every call anyway (its videos_kwargs defaults).
        size = {"shortest_edge": 128 * 32 * 32, "longest_edge": 768 * 32 * 32}
        return Qwen2VLVideoProcessor(patch_size=16, merge_size=2, temporal_patch_size=2, size=size)
    except (ImportError, RuntimeError):  # ImportError naming torchvision; RuntimeError from a broken build
        from evalkit.runners.vllm_cpu_bridge.video_stand_in import UnavailableVideoProcessor

        return UnavailableVideoProcessor(patch_size=16, merge_size=2, temporal_patch_size=2)


def build_processor():
    from transformers import Qwen3OmniMoeProcessor, WhisperFeatureExtractor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
        Qwen2VLImageProcessorPil,
    )

    # patch 16 / merge 2 must match the vision tower; the pixel cap keeps vLLM's startup dummy image small.
    image_processor = Qwen2VLImageProcessorPil(
        patch_size=16, merge_size=2, temporal_patch_size=2, size={"shortest_edge": 1024, "longest_edge": 256 * 32 * 32}
    )
    return Qwen3OmniMoeProcessor(
        image_processor=image_processor,
        video_processor=_video_processor(),
        feature_extractor=WhisperFeatureExtractor(feature_size=128),
        tokenizer=_tokenizer(),
        chat_template=CHAT_TEMPLATE,
    )


def build_config(tokenizer):
    from transformers import Qwen3OmniMoeConfig

    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}
    text = {
        "vocab_size": len(tokenizer),
        "hidden_size": 128,
        "intermediate_size": 256,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "head_dim": 64,
        "num_experts": 4,
        "num_experts_per_tok": 2,
        "moe_intermediate_size": 64,
        "max_position_embeddings": 32768,
        "initializer_range": INIT_STD,
        "rope_parameters": {
            "rope_type": "default",
            "rope_theta": 1000000.0,
            "mrope_section": [12, 10, 10],  # sums to head_dim / 2
            "interleaved": True,
            "mrope_interleaved": True,
        },
        "pad_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "tie_word_embeddings": False,  # vLLM reads it from the text config; the LM head is drawn separately
    }
    vision = {
        "depth": 2,
        "hidden_size": 128,
        "intermediate_size": 256,
        "num_heads": 2,
        "patch_size": 16,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
        "out_hidden_size": 128,
        "num_position_embeddings": 2304,  # a 48x48 grid: image_size 768 / patch 16
        "deepstack_visual_indexes": [0],
        "image_size": 768,
        "apply_vit_abs_pos_embed": True,
        "initializer_range": INIT_STD,
    }
    audio = {
        "num_mel_bins": 128,
        "encoder_layers": 2,
        "encoder_attention_heads": 2,
        "encoder_ffn_dim": 256,
        "d_model": 128,
        "output_dim": 128,
        "downsample_hidden_size": 32,
        "n_window": 50,
        "n_window_infer": 800,
        "initializer_range": INIT_STD,
    }
    thinker = {
        "text_config": text,
        "vision_config": vision,
        "audio_config": audio,
        "audio_token_id": ids["<|audio_pad|>"],
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "audio_start_token_id": ids["<|audio_start|>"],
        "audio_end_token_id": ids["<|audio_end|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
        "position_id_per_seconds": 13,
        "initializer_range": INIT_STD,
        "user_token_id": ids["<|im_start|>"],  # only the talker reads it; there is no "user" token in a byte vocab
    }
    return Qwen3OmniMoeConfig(
        thinker_config=thinker,
        talker_config=talker_config(thinker),
        code2wav_config=CODE2WAV,
        enable_audio_output=True,
        im_start_token_id=ids["<|im_start|>"],
        im_end_token_id=ids["<|im_end|>"],
        # The byte vocabulary has no tts tokens: the talker's text markers reuse the pad and audio brackets, which
        # only chooses the embedding rows that mark them. A role is found by the token after <|im_start|>, here
        # its first byte.
        tts_pad_token_id=ids["<|endoftext|>"],
        tts_bos_token_id=ids["<|audio_start|>"],
        tts_eos_token_id=ids["<|audio_end|>"],
        system_token_id=tokenizer.convert_tokens_to_ids("s"),
        user_token_id=tokenizer.convert_tokens_to_ids("u"),
        assistant_token_id=tokenizer.convert_tokens_to_ids("a"),
    )


# The talker's codec vocabulary: `generate` suppresses its top 1024 ids (special codes) except the end code, so
# the vocabulary must exceed 1024; the first codebook's codes are the ids below that block, under CODEBOOK_SIZE.
TALKER_VOCAB = 1100
CODEBOOK_SIZE = 128
CODE_GROUPS = 4  # the talker's code groups are code2wav's quantizers
CODE2WAV = {
    "codebook_size": CODEBOOK_SIZE, "num_quantizers": CODE_GROUPS, "hidden_size": 64, "intermediate_size": 128,
    "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2, "decoder_dim": 64,
    "sliding_window": 8, "initializer_range": INIT_STD,
    # the real upsampling (8*5*4*3 then 2*2: 1920 samples per code), so the audio is 24 kHz at 12.5 codes a second
}  # fmt: skip


def talker_config(thinker: dict) -> dict:
    special = TALKER_VOCAB - 100  # end, think and pad codes and the three voices, inside the suppressed block
    return {
        "text_config": {
            "vocab_size": TALKER_VOCAB, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1,
            "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32, "num_experts": 2,
            "num_experts_per_tok": 1, "moe_intermediate_size": 32, "shared_expert_intermediate_size": 64,
            "initializer_range": INIT_STD,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [6, 5, 5],
                                "interleaved": True, "mrope_interleaved": True},
        },
        "code_predictor_config": {
            "vocab_size": CODEBOOK_SIZE, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1,
            "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32, "num_code_groups": CODE_GROUPS,
            "initializer_range": INIT_STD,
        },
        "num_code_groups": CODE_GROUPS,
        "thinker_hidden_size": thinker["text_config"]["hidden_size"],
        "accept_hidden_layer": 1,
        "codec_eos_token_id": special, "codec_nothink_id": special + 1, "codec_think_bos_id": special + 2,
        "codec_think_eos_id": special + 3, "codec_pad_id": special + 4, "codec_bos_id": special + 5,
        "speaker_id": {"ethan": special + 10, "chelsie": special + 11, "aiden": special + 12},
        **{key: thinker[key] for key in ("audio_token_id", "image_token_id", "video_token_id",
                                         "vision_start_token_id", "audio_start_token_id", "position_id_per_seconds")},
        "spatial_merge_size": 2,
        "initializer_range": INIT_STD,
    }  # fmt: skip


def build_tiny_model(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random Qwen3-Omni checkpoint with its processor to `out_dir` and return the folder."""
    import torch
    from transformers import GenerationConfig, Qwen3OmniMoeForConditionalGeneration

    out_dir = Path(out_dir)
    processor = build_processor()
    config = build_config(processor.tokenizer)
    torch.manual_seed(seed)
    model = Qwen3OmniMoeForConditionalGeneration(config)
    # transformers types PreTrainedModel.to through a decorator that loses `self`
    model = model.to(torch.float32).eval()  # type: ignore[arg-type]
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for weight in (model.thinker.model.embed_tokens.weight, model.thinker.lm_head.weight):
            weight.copy_(torch.randn(weight.shape, generator=generator) * EMBEDDING_STD)
        # transformers leaves the talker's expert weights uninitialised (torch.empty): draw them, so a seed is a
        # checkpoint and the talker's output is not memory garbage
        for name, weight in model.talker.named_parameters():
            if ".experts." in name:
                weight.copy_(torch.randn(weight.shape, generator=generator) * INIT_STD)
        # A zero LM-head row gives logit 0, below the best of ~95 Gaussian logits of the printable tokens with
        # overwhelming probability: greedy output is printable ASCII, so valid UTF-8 and never empty, as a real
        # model's is (evalkit records invalid UTF-8 or empty output as a failed sample).
        model.thinker.lm_head.weight[unprintable_token_ids(processor.tokenizer)] = 0.0
    model.generation_config = GenerationConfig(
        eos_token_id=config.im_end_token_id, pad_token_id=config.thinker_config.text_config.pad_token_id
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    _save_real_video_processor_config(out_dir)
    marker = {"builder": "evalkit.tiny_model", "builder_version": BUILDER_VERSION, "seed": seed}
    (out_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n")
    return out_dir


def _save_real_video_processor_config(out_dir: Path) -> None:
    config_file = out_dir / "processor_config.json"
    config = json.loads(config_file.read_text())
    if config.get("video_processor", {}).get("video_processor_type") != "Qwen2VLVideoProcessor":
        config["video_processor"] = VIDEO_PROCESSOR_CONFIG  # the stand-in was used: save the real one's config
        config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def unprintable_token_ids(tokenizer) -> list[int]:
    """Special tokens and byte tokens that do not decode to printable ASCII on their own."""

    def printable(text: str) -> bool:
        return bool(text) and all(c == "\n" or " " <= c <= "~" for c in text)

    return [i for i in range(len(tokenizer)) if not printable(tokenizer.decode([i], skip_special_tokens=True))]


def is_current(folder: Path) -> bool:
    """Whether `folder` holds a tiny model built by this version of the builder."""
    marker = folder / MARKER_FILE
    if not (folder / "config.json").exists() or not marker.exists():
        return False
    return json.loads(marker.read_text()).get("builder_version") == BUILDER_VERSION
