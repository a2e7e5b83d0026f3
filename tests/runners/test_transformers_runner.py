"""The transformers runner on the tiny random Qwen3-Omni, float32 on CPU.

Expected placeholder counts are worked out by hand from the processors' rules: 1 s of 16 kHz audio is 100
feature frames -> 13 audio tokens (13 per 100-frame window); a 64x64 image is a 2x2 grid of 32-pixel merged
patches -> 4 tokens; four 64x64 frames are upscaled to the video minimum of 128*32*32 pixels, 384x384, two
temporal patches of 12x12 merged patches -> 288 tokens.
"""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.prompting import ChatTemplateRenderer
from evalkit.runners.transformers import TransformersRunner, trim_at_eos
from evalkit.types import (
    AudioData,
    Decoding,
    ImageData,
    MediaPart,
    MediaRef,
    Message,
    PreparedRequest,
    Request,
    Sample,
    TextPart,
    VideoData,
)

AUDIO_TOKENS, IMAGE_TOKENS, VIDEO_TOKENS = 13, 4, 288
GREEDY = Decoding(max_new_tokens=12)


def sine(seconds: float, hz: float = 440.0) -> AudioData:
    t = np.arange(int(16000 * seconds)) / 16000
    return AudioData((0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32), 16000, {"source": f"sine {hz}"})


def image(seed: int) -> ImageData:
    pixels = np.random.default_rng(seed).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    return ImageData(Image.fromarray(pixels), {"source": f"noise {seed}"})


def video(seed: int, fps: float = 2.0) -> VideoData:
    frames = np.random.default_rng(seed).integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)
    return VideoData(frames, fps, {"source": f"noise {seed}"})


@pytest.fixture(scope="module")
def runner(tiny_model_dir):
    path = str(tiny_model_dir)
    built = TransformersRunner(ModelConfig(name="tiny", path=path, dtype="float32"), RunnerConfig(device="cpu"), path)
    yield built
    built.close()


@pytest.fixture(scope="module")
def make(tiny_model_dir):
    renderer = ChatTemplateRenderer(str(tiny_model_dir))

    def build(sample_id, text, *media, decoding=GREEDY, use_audio_in_video=False, parts=None):
        parts = parts or tuple(MediaPart(MediaRef(_kind(m), path=f"{sample_id}.{_kind(m)}")) for m in media)
        messages = (Message("user", (*parts, TextPart(text))),)
        sample = Sample(task="t", sample_id=sample_id, messages=messages, reference=None)
        request = Request(sample, decoding, use_audio_in_video)
        return PreparedRequest(request, renderer.render(messages), tuple(media), sample_id)

    build.text_tokens = lambda prepared: len(renderer.processor.tokenizer(prepared.prompt)["input_ids"])
    return build


def _kind(media) -> str:
    return {AudioData: "audio", ImageData: "image", VideoData: "video"}[type(media)]


def test_each_modality_alone_counts_its_placeholder_tokens(runner, make):
    cases = [
        (make("text", "Say hello."), 0),
        (make("audio", "Transcribe.", sine(1.0)), AUDIO_TOKENS - 1),  # the one pad becomes 13 tokens
        (make("image", "Describe.", image(0)), IMAGE_TOKENS - 1),
        (make("video", "Describe.", video(1)), VIDEO_TOKENS - 1),
    ]
    for prepared, extra in cases:
        (response,) = runner.generate([prepared])
        assert response.error is None, response.error
        assert response.text, prepared.sample.sample_id
        assert response.prompt_tokens == make.text_tokens(prepared) + extra, prepared.sample.sample_id
        assert response.output_tokens == len(response.token_ids) <= GREEDY.max_new_tokens
        assert response.finish_reason == ("stop" if response.output_tokens < GREEDY.max_new_tokens else "length")
        assert response.latency_s > 0


def test_video_with_its_audio_track_interleaves_both(runner, make):
    prepared = make(
        "av",
        "What happens?",
        video(1),
        sine(1.0),
        use_audio_in_video=True,
        parts=(MediaPart(MediaRef("video", path="av.mp4")),),
    )
    (response,) = runner.generate([prepared])
    assert response.error is None, response.error
    # the video's placeholder gains the audio's start/end tokens and its 13 audio tokens
    assert response.prompt_tokens == make.text_tokens(prepared) + VIDEO_TOKENS - 1 + AUDIO_TOKENS + 2


def test_video_fps_sets_temporal_positions_without_resampling(runner, make):
    inputs = runner.model.encode([make("v3", "Q", video(2, fps=3.0))], use_audio_in_video=False, fps=3.0)
    assert inputs["video_grid_thw"].tolist() == [[2, 24, 24]]  # 4 frames in, 2 temporal patches out
    assert inputs["video_second_per_grid"].tolist() == pytest.approx([2 / 3.0])  # temporal patch 2 / fps


def test_mixed_batch_gives_the_same_tokens_as_one_by_one(runner, make):
    batch = [
        make("text", "Say hello to everyone in the room."),
        make("audio", "Transcribe.", sine(1.0)),
        make("long-audio", "What is this?", sine(2.5, hz=220.0)),
        make("image", "Describe.", image(0)),
        make("video", "Describe.", video(1)),
        make("image+audio", "Both?", image(3), sine(1.5, hz=330.0)),
    ]
    together = [r.token_ids for r in runner.generate(batch)]
    alone = [runner.generate([prepared])[0].token_ids for prepared in batch]
    assert len(set(together)) == len(batch)  # distinct outputs: a mix-up between rows would show
    assert together == alone


def test_batch_mixing_decodings_and_frame_rates_matches_one_by_one(runner, make):
    batch = [
        make("short", "Say hello.", decoding=Decoding(max_new_tokens=3)),
        make("v2", "Describe.", video(1, fps=2.0)),
        make("text", "Say hello."),
        make("v3", "Describe.", video(1, fps=3.0)),
    ]
    together = runner.generate(batch)
    assert together[0].output_tokens <= 3 < together[2].output_tokens  # each group kept its own budget
    assert [r.token_ids for r in together] == [runner.generate([p])[0].token_ids for p in batch]


def test_greedy_is_deterministic_and_inputs_matter(runner, make):
    batch = [make("a", "Transcribe.", sine(1.0)), make("b", "Transcribe.", sine(1.0, hz=880.0))]
    first, second = runner.generate(batch), runner.generate(batch)
    assert [r.token_ids for r in first] == [r.token_ids for r in second]
    assert first[0].token_ids != first[1].token_ids  # the audio reaches the output


def test_seeded_sampling_repeats(runner, make):
    sampling = Decoding(max_new_tokens=12, do_sample=True, temperature=1.5, top_p=0.95, top_k=-1, seed=7)
    prepared = make("s", "Say something.", decoding=sampling)
    assert runner.generate([prepared])[0].token_ids == runner.generate([prepared])[0].token_ids


def test_bad_request_fails_alone(runner, make):
    good = make("good", "Describe.", image(0))
    missing_audio = make("missing", "Transcribe.", parts=(MediaPart(MediaRef("audio", path="gone.wav")),))
    sliver = make("sliver", "Describe.", ImageData(Image.new("RGB", (600, 2)), {}))  # aspect ratio 300 > 200
    wrong_rate = make("rate", "Transcribe.", replace(sine(1.0), sample_rate=8000))
    responses = runner.generate([good, missing_audio, sliver, wrong_rate])
    assert responses[0].error is None and responses[0].token_ids == runner.generate([good])[0].token_ids
    assert "1 AudioData placeholder(s) but 0" in responses[1].error
    assert "aspect ratio" in responses[2].error
    assert "8000 Hz" in responses[3].error


def test_trim_at_eos_keeps_the_eos_and_drops_padding():
    assert trim_at_eos([5, 7, 2, 0, 0], {2}) == ([5, 7, 2], "stop")
    assert trim_at_eos([5, 7, 9], {2, 3}) == ([5, 7, 9], "length")


def test_info_names_engine_and_checkpoint(runner, tiny_model_dir):
    info = runner.info()
    assert (info.runner, info.dtype, info.device) == ("transformers", "float32", "cpu")
    assert info.model_path == str(tiny_model_dir)
    assert len(info.model_hash) == 64
    assert {"torch", "transformers", "attn_implementation"} <= info.details.keys()
