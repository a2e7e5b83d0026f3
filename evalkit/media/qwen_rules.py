"""Qwen's official frame-sampling and resizing rules, restated from qwen-omni-utils 0.0.9
(`qwen_omni_utils/v2_5/vision_process.py`: smart_resize, smart_nframes, fetch_video), so that evalkit feeds the
model the same frames and sizes as the model card's `process_mm_info`, and the one place the video token budget
is applied (`plan_video`): the token-budget preflight plans each video with it and the decoder executes the plan.

Pure integer arithmetic; Python's `round` (half to even) is used where the official code uses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evalkit.config import MediaConfig

FRAME_FACTOR = 2  # the frame count is a multiple of this (the vision tower's temporal patch)
MAX_RATIO = 200  # longest side / shortest side beyond which the official code refuses an image
IMAGE_MIN_TOKENS = 4  # official IMAGE_MIN_TOKEN_NUM
VIDEO_MAX_TOKENS = 768  # official VIDEO_MAX_TOKEN_NUM: per-frame cap before the total budget
# The official total budget across all frames of one video, MODEL_SEQ_LEN (default 128000) * 0.9 tokens. A run
# replaces it with the budget its max_model_len leaves (evalkit.preflight); this default serves media decoded
# outside a run (benchmarks against qwen-omni-utils).
OFFICIAL_VIDEO_TOTAL_TOKENS = 128000 * 0.9


class VideoBudgetError(ValueError):
    """Not even one temporal patch (FRAME_FACTOR frames) of a video fits its token budget."""


def round_by_factor(number: float, factor: int) -> int:
    return round(number / factor) * factor


def ceil_by_factor(number: float, factor: int) -> int:
    return math.ceil(number / factor) * factor


def floor_by_factor(number: float, factor: int) -> int:
    return math.floor(number / factor) * factor


def smart_resize(height: int, width: int, factor: int, min_pixels: float, max_pixels: float) -> tuple[int, int]:
    """(height, width) with both sides multiples of `factor`, area within [min_pixels, max_pixels], aspect kept
    as closely as possible. Raises ValueError for aspect ratios beyond MAX_RATIO, as the official code does."""
    if max(height, width) / min(height, width) > MAX_RATIO:
        raise ValueError(f"aspect ratio {max(height, width) / min(height, width):.1f} exceeds {MAX_RATIO}")
    h_bar = max(factor, round_by_factor(height, factor))
    w_bar = max(factor, round_by_factor(width, factor))
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = floor_by_factor(height / beta, factor)
        w_bar = floor_by_factor(width / beta, factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = ceil_by_factor(height * beta, factor)
        w_bar = ceil_by_factor(width * beta, factor)
    return h_bar, w_bar


def smart_nframes(total_frames: int, video_fps: float, fps: float, min_frames: int, max_frames: int) -> int:
    """How many frames the official sampler takes: duration * fps clamped to [min_frames, max_frames] (both
    snapped inward to multiples of FRAME_FACTOR) and to the frames that exist, then FLOORED to a multiple of
    FRAME_FACTOR (official code floors; it does not round). Raises ValueError if fewer than FRAME_FACTOR remain."""
    lo = ceil_by_factor(min_frames, FRAME_FACTOR)
    hi = floor_by_factor(max_frames, FRAME_FACTOR)
    wanted = total_frames / video_fps * fps
    nframes = floor_by_factor(min(min(max(wanted, lo), hi), total_frames), FRAME_FACTOR)
    if not FRAME_FACTOR <= nframes <= total_frames:
        raise ValueError(f"needs {FRAME_FACTOR}..{total_frames} frames, the rule gives {nframes}")
    return nframes


def frame_indices(total_frames: int, nframes: int) -> list[int]:
    """Evenly spaced source frame indices, first and last included (official: linspace(0, T-1, n).round())."""
    return [int(i) for i in np.linspace(0, total_frames - 1, nframes).round()]


def video_frame_max_pixels(
    nframes: int, factor: int, min_pixels: int, max_pixels: int, total_tokens: float = OFFICIAL_VIDEO_TOTAL_TOKENS
) -> float:
    """Per-frame pixel cap for a video of `nframes` frames, as fetch_video computes it: the per-frame cap
    VIDEO_MAX_TOKENS, lowered so all frames together stay within `total_tokens` (fetch_video's total_pixels in
    tokens), never below 1.05 x min_pixels, and never above the configured `max_pixels`."""
    token_pixels = factor * factor
    budget = max(
        min(VIDEO_MAX_TOKENS * token_pixels, total_tokens * token_pixels / nframes * FRAME_FACTOR),
        int(min_pixels * 1.05),
    )
    return min(max_pixels, budget)  # a float, as in the official code (it enters smart_resize's sqrt)


@dataclass(frozen=True)
class VideoPlan:
    """The frames and frame size a video is decoded to, and the tokens they take in the engine."""

    nframes: int
    height: int
    width: int
    max_pixels_per_frame: float
    token_budget: int
    tokens: int
    frames_cut: bool  # fewer frames than the fps rule gives: even the smallest frames overran the budget


def plan_video(
    total_frames: int,
    video_fps: float,
    size: tuple[int, int],
    rules: MediaConfig,
    token_budget: int,
    group_tokens: Callable[[int, int], int],
) -> VideoPlan:
    """Qwen's rule with `token_budget` as the total: frames at `rules.fps` up to the frame cap, each resized so all
    of them together fit the budget (fetch_video's total_pixels); where the per-frame floor (1.05 x min_pixels)
    still overruns it, the frame count drops to what the budget holds at that size (evenly spaced over the whole
    video, first and last frames kept). `group_tokens(height, width)` counts one temporal patch as the engine's
    processor does (it may resize again). Raises VideoBudgetError when not even one temporal patch fits, and
    ValueError when the video has too few frames to sample."""
    height, width = size
    nframes = smart_nframes(total_frames, video_fps, rules.fps, rules.min_frames, rules.max_frames)
    max_pixels = video_frame_max_pixels(nframes, rules.frame_factor, rules.min_pixels, rules.max_pixels, token_budget)
    final_height, final_width = smart_resize(height, width, rules.frame_factor, rules.min_pixels, max_pixels)
    per_group = group_tokens(final_height, final_width)
    fitting = token_budget // per_group * FRAME_FACTOR
    if fitting < FRAME_FACTOR:
        raise VideoBudgetError(
            f"one temporal patch ({FRAME_FACTOR} frames of {final_width}x{final_height}) takes {per_group} tokens, "
            f"over the {token_budget} tokens left for this video"
        )
    kept = min(nframes, fitting)
    return VideoPlan(
        nframes=kept, height=final_height, width=final_width, max_pixels_per_frame=max_pixels,
        token_budget=token_budget, tokens=kept // FRAME_FACTOR * per_group, frames_cut=kept < nframes,
    )
