"""Each model family runs the smoke suite end to end (or, for Whisper, its speech recognition tasks): Qwen2.5-Omni and
Whisper as tiny random checkpoints through transformers, and a hosted chat-completions model against a fake
OpenAI-compatible server on 127.0.0.1, with no local files. Qwen3-Omni's run is tests/engine/test_run.py."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fake_openai import ScriptedServer
from PIL import Image
from tiny_families import QWEN2_5_OMNI_SYSTEM, build_tiny_qwen2_5_omni, build_tiny_whisper

from evalkit.config import ConfigError
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.profiles import get_profile

ASR_SMOKE = ("librispeech_test_clean_smoke", "librispeech_test_other_smoke", "fleurs_en_smoke", "fleurs_zh_smoke")


def overrides(tmp_path: Path, model: str, *extra: str) -> list[str]:
    return [f"model={model}", "suite=smoke", f"output_dir={tmp_path}/run", f"cache_dir={tmp_path}/cache", *extra]


def read_run(folder: Path) -> tuple[dict, list[dict]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    records = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    return manifest, records


def test_qwen2_5_omni_runs_the_smoke_suite_with_its_own_template_and_name(tmp_path: Path) -> None:
    checkpoint = build_tiny_qwen2_5_omni(tmp_path / "tiny-qwen2.5-omni")
    settings = (f"model.path={checkpoint}", "model.dtype=float32", "runner.device=cpu")
    summary = run_evaluation(load_run_config(overrides(tmp_path, "qwen2_5_omni_7b", *settings)))
    manifest, records = read_run(summary.output_dir)
    assert (summary.n_samples, summary.n_failed) == (19, 0)
    assert (manifest["model"]["name"], manifest["model"]["profile"]) == ("qwen2_5_omni_7b", "qwen2_5_omni")
    asr = next(r for r in records if r["task"] == "librispeech_test_clean_smoke")
    # the checkpoint's template: its default system turn, then the audio placeholder before the instruction
    assert asr["prompt"].startswith(
        f"<|im_start|>system\n{QWEN2_5_OMNI_SYSTEM}<|im_end|>\n<|im_start|>user\n"
        "<|audio_bos|><|AUDIO|><|audio_eos|>Transcribe the English audio"
    )
    video = next(r for r in records if r["task"] == "videomme_smoke")
    assert "<|vision_bos|><|VIDEO|><|vision_eos|>" in video["prompt"] and video["response"]["output_tokens"] > 0
    assert "qwen2_5_omni_7b" in (summary.output_dir / "report.md").read_text()


def test_whisper_transcribes_the_asr_smoke_tasks_in_each_task_language(tmp_path: Path) -> None:
    checkpoint = build_tiny_whisper(tmp_path / "tiny-whisper")
    settings = (f"model.path={checkpoint}", "model.dtype=float32", "runner.device=cpu")
    config = load_run_config(overrides(tmp_path, "whisper_large_v3", *settings))
    config.tasks = {name: config.tasks[name] for name in ASR_SMOKE}
    summary = run_evaluation(config)
    manifest, records = read_run(summary.output_dir)
    model = manifest["model"]
    assert (summary.n_failed, model["name"], model["profile"]) == (0, "whisper_large_v3", "whisper")
    prompts = {r["task"]: r["prompt"] for r in records}
    assert prompts["fleurs_zh_smoke"] == "<|startoftranscript|><|zh|><|transcribe|><|notimestamps|>"
    assert prompts["librispeech_test_clean_smoke"] == "<|startoftranscript|><|en|><|transcribe|><|notimestamps|>"
    assert all(r["response"]["prompt_tokens"] == 4 and r["response"]["output_tokens"] > 0 for r in records)
    with pytest.raises(ValueError, match="is a 'whisper' checkpoint; profile 'qwen3_omni' loads model_type"):
        get_profile("qwen3_omni").checkpoint_config(str(checkpoint), None)


def test_whisper_refuses_a_task_it_cannot_answer_before_loading(tmp_path: Path) -> None:
    config = load_run_config(overrides(tmp_path, "whisper_large_v3", f"model.path={tmp_path}/never-built"))
    with pytest.raises(ConfigError, match="transcribes speech: task 'fleurs_s2tt_en_zh_smoke' is scored by 'bleu'"):
        run_evaluation(config)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("model", "extra", "message"),
    [("gpt_4o", ["runner=transformers"], r"cannot run on runner=transformers; valid: openai"),
     ("qwen3_omni_30b_a3b_captioner", [], r"gives text input, which model '\w+' does not take"),
     ("gpt_4o", ["runner=openai", "model.decoding=generation_config"], r"a hosted model has none")],
)  # fmt: skip
def test_a_model_given_what_it_cannot_take_fails_in_one_line(tmp_path: Path, model, extra, message) -> None:
    config = load_run_config(overrides(tmp_path, model, f"model.path={tmp_path}/never-built", *extra))
    with pytest.raises(ConfigError, match=message) as raised:
        run_evaluation(config)
    assert "\n" not in str(raised.value) and not (tmp_path / "never-built").exists()


def test_hosted_model_sends_media_as_chat_apis_take_them_and_loads_no_processor(tmp_path: Path, monkeypatch) -> None:
    import transformers

    def refuse(*args, **kwargs):
        raise AssertionError("a hosted model must not load a local processor or tokenizer")

    for loader in ("AutoProcessor", "AutoTokenizer", "AutoFeatureExtractor", "AutoConfig"):
        monkeypatch.setattr(getattr(transformers, loader), "from_pretrained", refuse)
    server = ScriptedServer({})
    try:
        summary = run_evaluation(load_run_config(overrides(tmp_path, "gpt_4o", "runner=openai",
                                                           f"runner.base_url={server.base_url}")))  # fmt: skip
    finally:
        server.close()
    manifest, records = read_run(summary.output_dir)
    assert (summary.n_samples, summary.n_failed, len(server.bodies)) == (19, 0, 19)
    assert (manifest["model"]["name"], manifest["model"]["profile"], manifest["model"]["path"]) == (
        "gpt_4o", "hosted_chat", "gpt-4o")  # fmt: skip
    assert "gpt_4o" in (summary.output_dir / "report.md").read_text()
    assert {body["model"] for body in server.bodies} == {"gpt-4o"}
    by_text = {body["messages"][-1]["content"][-1]["text"]: body for body in server.bodies}
    by_task = {r["task"]: by_text[json.loads(r["prompt"])[-1]["content"][-1]["text"]] for r in records}

    [audio, text] = by_task["librispeech_test_clean_smoke"]["messages"][0]["content"]
    waveform, rate = soundfile.read(io.BytesIO(base64.b64decode(audio["input_audio"]["data"])))
    assert audio["input_audio"]["format"] == "wav" and rate == 16000 and len(waveform) > 0
    assert text["text"] == "Transcribe the English audio into text."

    image_parts = [p for p in by_task["mmmu_val_smoke"]["messages"][0]["content"] if p["type"] == "image_url"]
    assert image_parts and all(p["image_url"]["url"].startswith("data:image/png;base64,") for p in image_parts)

    video_record = next(r for r in records if r["task"] == "videomme_smoke")
    video_content = by_task["videomme_smoke"]["messages"][0]["content"]
    frames = [p for p in video_content if p["type"] == "image_url"]
    assert [p["type"] for p in video_content] == ["image_url"] * len(frames) + ["text"]  # frames, then the question
    assert len(frames) == len(video_record["media"][0]["frame_indices"])
    first = np.asarray(Image.open(io.BytesIO(base64.b64decode(frames[0]["image_url"]["url"].split(",", 1)[1]))))
    assert first.ndim == 3 and first.shape[2] == 3
    assert not any(p["type"] == "video_url" for body in server.bodies for p in body["messages"][0]["content"])


def test_qwen_omni_hands_vllm_the_preflight_token_ids() -> None:
    from evalkit.task import user_turn
    from evalkit.types import AudioData, Decoding, PreparedRequest, Request, Sample

    profile = get_profile("qwen3_omni")
    ids = np.array([151644, 872, 198, 9], dtype=np.int32)

    def prepared(media: tuple) -> PreparedRequest:
        request = Request(Sample("t", "s", user_turn([], "hi"), None), Decoding(max_new_tokens=4))
        return PreparedRequest(request, "<|im_start|>user\nhi", media, "", ids)

    assert profile.vllm_input(prepared(())) == {"prompt_token_ids": [151644, 872, 198, 9]}
    audio = (AudioData(np.zeros(160, np.float32), 16000, {}),)
    with_audio = profile.vllm_input(prepared(audio))
    assert with_audio["prompt_token_ids"] == [151644, 872, 198, 9] and "prompt" not in with_audio
    uncounted = profile.vllm_input(replace(prepared(audio), prompt_token_ids=None))  # a profile without a counter
    assert uncounted["prompt"] == "<|im_start|>user\nhi" and "prompt_token_ids" not in uncounted


def test_qwen_omni_hands_vllm_each_items_content_id_in_order() -> None:
    """Content ids travel as multi_modal_uuids, aligned with each modality's items; an item without one (None)
    leaves vLLM to hash its array."""
    from evalkit.task import user_turn
    from evalkit.types import AudioData, Decoding, ImageData, PreparedRequest, Request, Sample, VideoData

    wave = np.zeros(160, np.float32)
    media = (AudioData(wave, 16000, {}, "a1"), ImageData(np.zeros((8, 8, 3), np.uint8), {}, "i1"),
             AudioData(wave, 16000, {}), VideoData(np.zeros((2, 28, 28, 3), np.uint8), 2.0, {}, "v1"))
    request = Request(Sample("t", "s", user_turn([], "hi"), None), Decoding(max_new_tokens=4))
    entry = get_profile("qwen3_omni").vllm_input(PreparedRequest(request, "p", media, ""))
    assert entry["multi_modal_uuids"] == {"audio": ["a1", None], "image": ["i1"], "video": ["v1"]}
    assert len(entry["multi_modal_data"]["audio"]) == 2


def test_qwen_omni_hands_vllm_image_pixels_as_decoded_without_exif_rotation(tmp_path) -> None:
    """vLLM turns a PIL image by its EXIF orientation; the official fetch_image and the transformers runner do not.
    A small image stays PIL after decoding (its EXIF kept), so vLLM gets its pixels as an array, untouched; an image
    3 pixels high, which the HF processor would read as channels-first, goes as PIL built from the pixels."""
    from PIL import Image

    from evalkit.config import MediaConfig
    from evalkit.media.image import decode_image
    from evalkit.task import user_turn
    from evalkit.types import Decoding, MediaRef, PreparedRequest, Request, Sample

    path = tmp_path / "turned.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to display
    Image.fromarray(np.arange(40 * 60 * 3, dtype=np.uint8).reshape(40, 60, 3)).save(path, exif=exif)
    decoded = decode_image(MediaRef("image", path=str(path)), MediaConfig(), "sha")
    assert decoded.pil().getexif().get(0x0112) == 6
    thin = replace(decoded, image=np.zeros((3, 50, 3), np.uint8))
    request = Request(Sample("t", "s", user_turn([], "hi"), None), Decoding(max_new_tokens=4))
    profile = get_profile("qwen3_omni")
    pixels = profile.vllm_input(PreparedRequest(request, "p", (decoded,), ""))["multi_modal_data"]["image"]
    assert isinstance(pixels, np.ndarray) and pixels.shape == (40, 60, 3)
    np.testing.assert_array_equal(pixels, np.asarray(decoded.pil()))
    as_pil = profile.vllm_input(PreparedRequest(request, "p", (thin,), ""))["multi_modal_data"]["image"]
    assert isinstance(as_pil, Image.Image) and as_pil.size == (50, 3) and not as_pil.getexif()
