"""Qwen's sampling and resize rules against hand-computed answers and against qwen-omni-utils itself."""

from __future__ import annotations

import itertools

import pytest

from evalkit.media.qwen_rules import frame_indices, smart_nframes, smart_resize, video_frame_max_pixels

MIN_PIXELS, MAX_PIXELS = 128 * 28 * 28, 768 * 28 * 28


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((360, 640), (352, 640)),  # 11.25 -> 11 blocks of 32; area within bounds
        ((1080, 1920), (576, 1024)),  # over max: beta = sqrt(2073600 / 602112) = 1.8557; floors 18 and 32 blocks
        ((48, 64), (288, 384)),  # under min: beta = sqrt(100352 / 3072) = 5.7155; ceils 9 and 12 blocks
    ],
)
def test_smart_resize_hand_computed(size, expected):
    assert smart_resize(*size, 32, MIN_PIXELS, MAX_PIXELS) == expected


def test_smart_resize_refuses_extreme_aspect():
    with pytest.raises(ValueError, match="aspect ratio"):
        smart_resize(10, 2010, 32, MIN_PIXELS, MAX_PIXELS)


@pytest.mark.parametrize(
    ("total", "video_fps", "min_frames", "max_frames", "expected"),
    [
        (1800, 30, 4, 768, 120),  # 60 s at 2 fps
        (25, 10, 4, 768, 4),  # 2.5 s -> 5 frames, floored (not rounded) to a multiple of 2
        (10, 10, 4, 768, 4),  # 1 s -> 2, raised to min_frames
        (3, 10, 4, 768, 2),  # fewer frames than min_frames: all that exist, floored to 2
        (100, 10, 4, 7, 6),  # cap 7 snaps down to 6
        (36000, 30, 4, 768, 768),  # 20 min at 2 fps = 2400 -> cap
    ],
)
def test_smart_nframes_hand_computed(total, video_fps, min_frames, max_frames, expected):
    assert smart_nframes(total, video_fps, 2.0, min_frames, max_frames) == expected


def test_smart_nframes_rejects_single_frame():
    with pytest.raises(ValueError):
        smart_nframes(1, 25, 2.0, 4, 768)


def test_frame_indices_linspace_rounding():
    assert frame_indices(100, 8) == [0, 14, 28, 42, 57, 71, 85, 99]


def test_total_pixel_budget():
    # 768 frames: 115200 tokens * 1024 px / 768 * 2 = 307200 px per frame, below the configured cap
    assert video_frame_max_pixels(768, 32, MIN_PIXELS, MAX_PIXELS) == 307200
    # 120 frames: the budget (1966080) and VIDEO_MAX_TOKENS (786432) exceed the configured cap
    assert video_frame_max_pixels(120, 32, MIN_PIXELS, MAX_PIXELS) == MAX_PIXELS


def test_rules_match_qwen_omni_utils():
    official = pytest.importorskip("qwen_omni_utils.v2_5.vision_process")
    for height, width in itertools.product([17, 240, 360, 481, 720, 1080, 2160], [31, 320, 640, 853, 1280, 3400]):
        for nframes in (4, 120, 500, 768):
            budget = video_frame_max_pixels(nframes, 32, MIN_PIXELS, MAX_PIXELS)
            assert smart_resize(height, width, 32, MIN_PIXELS, budget) == official.smart_resize(
                height, width, factor=32, min_pixels=MIN_PIXELS, max_pixels=budget
            )
    for total, video_fps, max_frames in itertools.product(
        [2, 5, 31, 300, 1799, 90001], [7.5, 24, 29.97, 60], [7, 64, 768]
    ):
        ele = {"fps": 2.0, "min_frames": 4, "max_frames": max_frames}
        assert smart_nframes(total, video_fps, 2.0, 4, max_frames) == official.smart_nframes(ele, total, video_fps)
