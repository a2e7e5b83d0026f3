"""Tiny random checkpoints of the other open families, built offline like evalkit/tiny_model.py builds Qwen3-Omni:
byte-level vocabularies, a few small layers, wide random embeddings, and special or unprintable tokens never
chosen greedily (a zero LM-head row), so outputs are printable and differ with the input."""

from __future__ import annotations

from pathlib import Path

from evalkit.tiny_model import EMBEDDING_STD, byte_level_vocab, unprintable_token_ids

# The stock Qwen2.5-Omni chat template (default system turn, Picture/Audio/Video ids off by default). Source: the
# checkpoint's chat_template.jinja as quoted in a third-party analysis of a Qwen2.5-Omni fine-tune, which notes
# that only the default system message differs from stock; the stock message is the model card's.
QWEN2_5_OMNI_SYSTEM = (
    "You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of perceiving auditory and "
    "visual inputs, as well as generating text and speech."
)
QWEN2_5_OMNI_TEMPLATE = (
    "{% set audio_count = namespace(value=0) %}{% set image_count = namespace(value=0) %}{% set video_count = "
    "namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\n" + QWEN2_5_OMNI_SYSTEM + "<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in "
    "message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: "
    "{% endif %}<|vision_bos|><|IMAGE|><|vision_eos|>{% elif content['type'] == 'audio' or 'audio' in content or "
    "'audio_url' in content %}{% set audio_count.value = audio_count.value + 1 %}{% if add_audio_id %}Audio "
    "{{ audio_count.value }}: {% endif %}<|audio_bos|><|AUDIO|><|audio_eos|>{% elif content['type'] == 'video' or "
    "'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video "
    "{{ video_count.value }}: {% endif %}<|vision_bos|><|VIDEO|><|vision_eos|>{% elif 'text' in content %}"
    "{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "<|im_start|>assistant\n{% endif %}"
)
QWEN2_5_OMNI_TOKENS = {
    "audio_bos_token": "<|audio_bos|>", "audio_eos_token": "<|audio_eos|>", "audio_token": "<|AUDIO|>",
    "image_token": "<|IMAGE|>", "video_token": "<|VIDEO|>", "vision_bos_token": "<|vision_bos|>",
    "vision_eos_token": "<|vision_eos|>",
}  # fmt: skip


def _spread(embedding, head, tokenizer, seed: int) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for weight in (embedding, head):
            weight.copy_(torch.randn(weight.shape, generator=generator) * EMBEDDING_STD)
        head[unprintable_token_ids(tokenizer)] = 0.0


def build_tiny_qwen2_5_omni(out_dir: Path, seed: int = 0) -> Path:
    import torch
    from transformers import (
        GenerationConfig,
        Qwen2_5OmniConfig,
        Qwen2_5OmniForConditionalGeneration,
        Qwen2_5OmniProcessor,
        Qwen2Tokenizer,
        Qwen2VLVideoProcessor,
        WhisperFeatureExtractor,
    )
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    special = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", *QWEN2_5_OMNI_TOKENS.values())
    tokenizer = Qwen2Tokenizer(vocab=byte_level_vocab(special), merges=[], unk_token="<|endoftext|>",
                               eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               extra_special_tokens=QWEN2_5_OMNI_TOKENS)  # fmt: skip
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>"]})
    patches = {"patch_size": 14, "merge_size": 2, "temporal_patch_size": 2}
    processor = Qwen2_5OmniProcessor(
        image_processor=Qwen2VLImageProcessorPil(**patches), video_processor=Qwen2VLVideoProcessor(**patches),
        feature_extractor=WhisperFeatureExtractor(feature_size=128), tokenizer=tokenizer,
        chat_template=QWEN2_5_OMNI_TEMPLATE,
    )  # fmt: skip
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in special}
    text = {"vocab_size": len(tokenizer), "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
            "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 32768,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 8, 8]}}  # fmt: skip
    vision = {"depth": 2, "hidden_size": 64, "intermediate_size": 128, "num_heads": 2, "out_hidden_size": 128,
              "spatial_merge_size": 2, "window_size": 112, "fullatt_block_indexes": [1],
              "patch_size": 14, "temporal_patch_size": 2}  # fmt: skip
    audio = {"num_mel_bins": 128, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 128,
             "d_model": 64, "output_dim": 128, "n_window": 100}  # fmt: skip
    thinker = {"text_config": text, "vision_config": vision, "audio_config": audio,
               "audio_token_index": ids["<|AUDIO|>"], "image_token_index": ids["<|IMAGE|>"],
               "video_token_index": ids["<|VIDEO|>"], "audio_start_token_id": ids["<|audio_bos|>"],
               "audio_end_token_id": ids["<|audio_eos|>"], "vision_start_token_id": ids["<|vision_bos|>"],
               "vision_end_token_id": ids["<|vision_eos|>"], "user_token_id": ids["<|im_start|>"]}  # fmt: skip
    torch.manual_seed(seed)
    model = Qwen2_5OmniForConditionalGeneration(Qwen2_5OmniConfig(thinker_config=thinker, enable_audio_output=False))
    _spread(model.thinker.model.embed_tokens.weight, model.thinker.lm_head.weight, tokenizer, seed + 1)
    model.generation_config = GenerationConfig(eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return Path(out_dir)


def build_tiny_whisper(out_dir: Path, seed: int = 0) -> Path:
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
    )
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    languages = tuple(f"<|{code}|>" for code in LANGUAGES)
    tasks = ("<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>")
    special = ("<|endoftext|>", "<|startoftranscript|>", *languages, *tasks)
    tokenizer = WhisperTokenizer(vocab=byte_level_vocab(special), merges=[], unk_token="<|endoftext|>",
                                 bos_token="<|endoftext|>", eos_token="<|endoftext|>")  # fmt: skip
    tokenizer.add_special_tokens({"additional_special_tokens": list(special[1:])})
    processor = WhisperProcessor(feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tokenizer)
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in special}
    config = WhisperConfig(
        vocab_size=len(tokenizer), num_mel_bins=80, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
        decoder_attention_heads=2, d_model=64, encoder_ffn_dim=128, decoder_ffn_dim=128, tie_word_embeddings=False,
        decoder_start_token_id=ids["<|startoftranscript|>"], pad_token_id=ids["<|endoftext|>"],
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|endoftext|>"],
    )  # fmt: skip
    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(config)
    _spread(model.model.decoder.embed_tokens.weight, model.proj_out.weight, tokenizer, seed + 1)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=ids["<|startoftranscript|>"], eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"], no_timestamps_token_id=ids["<|notimestamps|>"], is_multilingual=True,
        lang_to_id={token: ids[token] for token in languages}, max_length=448,
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
    )  # fmt: skip
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return Path(out_dir)
