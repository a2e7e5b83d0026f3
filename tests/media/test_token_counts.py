"""The token-budget preflight counts, from headers alone, exactly the prompt tokens the real processor makes from
the decoded media as a run decodes them (the tiny model's Qwen3-Omni processor, called as the runners call it), for
every modality and their mixes; and a video over its budget gets the documented frame budget."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from media_fixtures import sine, write_video
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media.pool import prepare_item
from evalkit.media.qwen_rules import VideoPlan
from evalkit.preflight import EngineLimits, Preflight, TokenCounter
from evalkit.prompting import ChatTemplateRenderer
from evalkit.task import user_turn
from evalkit.types import AudioData, ImageData, MediaRef, Sample, VideoData, media_parts

MEDIA = MediaConfig()


@pytest.fixture(scope="module")
def renderer(tiny_model_dir: Path) -> ChatTemplateRenderer:
    return ChatTemplateRenderer(str(tiny_model_dir))


def sample(refs: list[MediaRef], text: str = "What is in these?") -> Sample:
    return Sample(task="t", sample_id="s", messages=user_turn(refs, text), reference=None)


def processor_count(renderer: ChatTemplateRenderer, prompt: str, media: tuple, use_audio_in_video: bool) -> int:
    """input_ids the processor makes, with the arguments the transformers runner passes (runners/transformers)."""
    kwargs: dict = {"use_audio_in_video": use_audio_in_video}
    if audio := [m.waveform for m in media if isinstance(m, AudioData)]:
        kwargs.update(audio=audio, sampling_rate=16000)
    if images := [m.image for m in media if isinstance(m, ImageData)]:
        kwargs["images"] = images
    if videos := [m for m in media if isinstance(m, VideoData)]:
        kwargs.update(videos=[v.frames for v in videos], fps=videos[0].fps, do_sample_frames=False)
    return len(renderer.processor(text=[prompt], **kwargs)["input_ids"][0])


def assert_equal_to_processor(renderer: ChatTemplateRenderer, refs: list[MediaRef], media: MediaConfig = MEDIA,
                              max_model_len: int = 32768) -> VideoPlan | None:
    preflight = Preflight(renderer, TokenCounter(renderer.processor), EngineLimits(max_model_len, None, None))
    plan = preflight.plan("t", sample(refs), media, max_new_tokens=16)
    assert plan.failure is None
    decoded = prepare_item(tuple(media_parts(sample(refs).messages)), media, None, plan.video_plans)
    assert plan.prompt_tokens == processor_count(renderer, plan.prompt, decoded, media.use_audio_in_video)
    return next((v for v in plan.video_plans if v is not None), None)


def wav(path: Path, seconds: float, rate: int, channels: int = 1) -> MediaRef:
    tone = sine(440.0, rate, seconds)
    soundfile.write(path, np.stack([tone] * channels, axis=1), rate)
    return MediaRef("audio", path=str(path))


def png(size: tuple[int, int]) -> MediaRef:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format="PNG")
    return MediaRef("image", data=buffer.getvalue())


# 16 kHz as most speech sets; 44.1 kHz stereo and 8 kHz are resampled (soxr's output length); lengths around the
# audio encoder's 100-frame chunk and the feature hop
@pytest.mark.parametrize(("seconds", "rate", "channels"), [(0.5, 16000, 1), (1.0, 16000, 1), (3.337, 44100, 2),
                                                           (7.01, 8000, 1), (29.9, 16000, 1)])
def test_audio_tokens_equal_the_processor(tmp_path, renderer, seconds, rate, channels):
    assert_equal_to_processor(renderer, [wav(tmp_path / "a.wav", seconds, rate, channels)])


# under the image processor's minimum (upscaled), ordinary, MMMU-like, and over image_max_pixels (evalkit resizes)
@pytest.mark.parametrize("size", [(40, 30), (333, 517), (1280, 720), (4000, 3500)])
def test_image_tokens_equal_the_processor(renderer, size):
    assert_equal_to_processor(renderer, [png(size)])


# frames below the processor's minimum, an odd size, a wide one; sampled frame counts 4, 10 and 24
@pytest.mark.parametrize(("size", "n_frames", "fps"), [((64, 48), 20, 10), ((250, 130), 50, 10), ((640, 360), 120, 10)])
def test_video_tokens_equal_the_processor(tmp_path, renderer, size, n_frames, fps):
    video = write_video(tmp_path / "v.mp4", n_frames, fps, size)
    assert_equal_to_processor(renderer, [MediaRef("video", path=str(video))])


def test_mixed_media_and_a_videos_audio_track_equal_the_processor(tmp_path, renderer):
    video = write_video(tmp_path / "v.mp4", 40, 10, (320, 240), audio_rate=44100)
    refs = [wav(tmp_path / "a.wav", 2.3, 16000), png((500, 400)), MediaRef("video", path=str(video)), png((90, 700))]
    assert_equal_to_processor(renderer, refs)
    assert_equal_to_processor(renderer, [MediaRef("video", path=str(video))], replace(MEDIA, use_audio_in_video=True))


def test_video_over_budget_gets_the_documented_frame_budget(tmp_path, renderer):
    """60 s of 640x360 at 10 fps: the fps rule gives 120 frames. The video's budget is max_model_len 2000 less 16
    new tokens and the text. Frames first shrink to the per-frame floor, int(1.05 x min_pixels) = 105369 px:
    smart_resize -> 224x416; the processor raises that to its own minimum (128 x 32 x 32 px): 288x512, 144 tokens
    per temporal patch. 120 frames would take 60 x 144 = 8640 tokens, so the frame count falls to what the budget
    holds at that size, 2 x floor(budget / 144), evenly spaced over the whole video, and all of it is exact."""
    ref = MediaRef("video", path=str(write_video(tmp_path / "v.mp4", 600, 10, (640, 360), gop=50)))
    preflight = Preflight(renderer, TokenCounter(renderer.processor), EngineLimits(2000, None, None))
    text_tokens = preflight.plan("t", sample([ref]), MEDIA, max_new_tokens=16).text_tokens
    budget = 2000 - 16 - text_tokens
    plan = assert_equal_to_processor(renderer, [ref], max_model_len=2000)
    assert (plan.height, plan.width, plan.token_budget) == (224, 416, budget)
    assert plan.nframes == 2 * (budget // 144) < 120 and plan.frames_cut
    assert plan.tokens == budget // 144 * 144 <= budget


def test_each_prompt_keeps_its_token_ids_for_the_engine(renderer, tmp_path):
    """Planned in one batch, each prompt carries the ids its tokenizer makes (vLLM takes them instead of tokenizing
    again); a prompt with media has one placeholder token per item, which the engine's processor expands."""
    preflight = Preflight(renderer, TokenCounter(renderer.processor), EngineLimits(32768, None, None))
    texts = [sample([], "Name a colour."), sample([], "Which is larger, 7 or 12? Answer with the number.")]
    audio = sample([wav(tmp_path / "a.wav", 1.0, 16000)])
    plans = preflight.plan_many("t", [*texts, audio], MEDIA, max_new_tokens=16)
    for plan in plans[:2]:
        expected = renderer.processor(text=[plan.prompt])["input_ids"][0]
        assert plan.prompt_token_ids.tolist() == list(expected) and plan.text_tokens == len(expected)
    assert plans[0].prompt_token_ids.tolist() != plans[1].prompt_token_ids.tolist()
    with_audio = plans[2].prompt_token_ids.tolist()
    assert with_audio == list(renderer.processor.tokenizer(plans[2].prompt)["input_ids"]) and plans[2].failure is None
    pad = renderer.processor.tokenizer.convert_tokens_to_ids("<|audio_pad|>")
    assert with_audio.count(pad) == 1 and plans[2].text_tokens == len(with_audio) - 1
