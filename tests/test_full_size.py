"""Full size without weights: `evalkit make-model-config` writes the published sizes with a local processor, and a
random-weight model only emits ids the tokenizer decodes to text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.cli import main as evalkit_main
from evalkit.config import ConfigError, ModelConfig
from evalkit.full_size import decodable_token_ids
from evalkit.model_store import resolve_model_path


@pytest.mark.parametrize("checkpoint", ["instruct", "thinking", "captioner"])
def test_make_model_config_writes_the_published_sizes_with_the_local_processor(
    checkpoint: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from transformers import AutoConfig, AutoProcessor, GenerationConfig

    out = tmp_path / checkpoint
    assert evalkit_main(["make-model-config", str(out), "--checkpoint", checkpoint,
                         "--processor-from", str(tiny_model_dir)]) == 0
    config = AutoConfig.from_pretrained(out)
    thinker = config.thinker_config
    text, vision, audio = thinker.text_config, thinker.vision_config, thinker.audio_config
    # Qwen3-Omni-30B-A3B's thinker, as ../shared/gpu/README.md lists it from the published config.json
    assert (text.hidden_size, text.num_hidden_layers, text.num_attention_heads, text.num_key_value_heads,
            text.head_dim, text.num_experts, text.num_experts_per_tok, text.moe_intermediate_size,
            text.vocab_size) == (2048, 48, 32, 4, 128, 128, 8, 768, 152064)
    assert text.rope_parameters["mrope_section"] == [24, 20, 20]
    assert (vision.depth, vision.hidden_size, vision.intermediate_size, vision.num_heads, vision.out_hidden_size,
            list(vision.deepstack_visual_indexes)) == (27, 1152, 4304, 16, 2048, [8, 16, 24])
    assert (audio.d_model, audio.encoder_layers, audio.encoder_attention_heads, audio.encoder_ffn_dim,
            audio.output_dim) == (1280, 32, 20, 5120, 2048)
    assert config.enable_audio_output is False
    assert not list(out.glob("*.safetensors")) and not (out / "evalkit_tiny.json").exists()
    # the media token ids are the given tokenizer's, so its prompts expand correctly
    processor = AutoProcessor.from_pretrained(out)
    assert thinker.audio_token_id == processor.tokenizer.convert_tokens_to_ids("<|audio_pad|>")
    assert thinker.video_token_id == processor.tokenizer.convert_tokens_to_ids("<|video_pad|>")
    sampling = GenerationConfig.from_pretrained(out)
    assert bool(sampling.do_sample) is (checkpoint == "thinking")
    assert json.loads((out / "evalkit_model_config.json").read_text())["checkpoint"] == checkpoint


def test_make_model_config_refuses_a_folder_without_a_tokenizer(tmp_path: Path, capsys) -> None:
    assert evalkit_main(["make-model-config", str(tmp_path / "out"), "--processor-from", str(tmp_path)]) == 2
    assert f"{tmp_path} has no tokenizer_config.json" in capsys.readouterr().err


def test_a_model_folder_without_a_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"model.path='{tmp_path}' has no config.json.*make-model-config"):
        resolve_model_path(ModelConfig(name="m", path=str(tmp_path)), tmp_path)


def test_decodable_ids_of_the_byte_tokenizer_are_printable_ascii_whitespace_and_end_of_turn() -> None:
    from evalkit.tiny_model import _tokenizer

    tokenizer = _tokenizer()
    ids = decodable_token_ids(tokenizer)
    text = "".join(tokenizer.decode([i]) for i in ids if i != tokenizer.convert_tokens_to_ids("<|im_end|>"))
    # 95 printable ASCII + 9 whitespace (\t \n \v \f \r and the separators \x1c-\x1f) + <|im_end|>;
    # no byte >= 0x80 (alone, half a character), no control character, no other special token
    assert len(ids) == 105
    assert set(text) == {chr(c) for c in range(0x20, 0x7F)} | set("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")


def test_transformers_builds_random_weights_from_the_config_alone(tiny_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    from evalkit.config import RunnerConfig
    from evalkit.prompting import ChatTemplateRenderer
    from evalkit.runners.transformers import TransformersRunner
    from evalkit.types import Decoding, Message, PreparedRequest, Request, Sample, TextPart

    config_only = tmp_path / "config-only"
    shutil.copytree(tiny_model_dir, config_only, ignore=shutil.ignore_patterns("*.safetensors"))
    model = ModelConfig(name="tiny", path=str(config_only), dtype="float32", weights="random")
    runner = TransformersRunner(model, RunnerConfig(device="cpu"), str(config_only))
    messages = (Message("user", (TextPart("Say something."),)),)
    prompt = ChatTemplateRenderer(str(config_only)).render(messages)
    [response] = runner.generate([PreparedRequest(Request(Sample("t", "s", messages, None), Decoding(16)), prompt,
                                                  (), "key")])
    allowed = set(decodable_token_ids(runner.model.processor.tokenizer))
    assert response.error is None and response.token_ids and set(response.token_ids) <= allowed
    assert runner.info().details["suppressed_token_ids"]["count"] == 266 - 105  # the vocabulary less the decodable
