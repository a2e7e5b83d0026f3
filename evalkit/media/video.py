"""Video -> frames sampled at config.fps with Qwen's official rule (qwen_rules), resized per frame with the
official smart_resize and total-pixel budget, decoded with PyAV.

Two passes. The first only demuxes (no decoding): it counts the frames, learns their presentation timestamps
and where the keyframes are. That gives the exact frame count the official sampler needs, and the cost of each
way of reaching the chosen frames: decoding on from the previous chosen frame or seeking to the keyframe before
a frame (cheaper whenever a keyframe lies well past the previous chosen frame: the frames in between are then
never decoded). Per chosen frame the cheaper way is taken; both give identical frames. The second pass decodes
the resulting segments, each starting at a keyframe and so independent of the others, in parallel threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty, SimpleQueue

import av
import numpy as np
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media.qwen_rules import (
    OFFICIAL_VIDEO_TOTAL_TOKENS,
    VideoBudgetError,
    VideoPlan,
    frame_indices,
    plan_video,
)
from evalkit.media.source import media_error, open_source
from evalkit.types import MediaRef, VideoData

SEEK_COST_FRAMES = 2  # a seek costs about this many frame decodes (those fed past the segment's last frame)
DECODER = f"pyav {av.__version__} (keyframe segments on parallel threads), PIL bicubic resize"


@dataclass(frozen=True)
class StreamIndex:
    """What the demux pass learned: presentation timestamps of all frames in display order, and the display
    positions of the keyframes."""

    pts: np.ndarray
    keyframes: np.ndarray


@dataclass(frozen=True)
class Segment:
    """Decode from `seek_pts` (a keyframe; None = from the start) to display position `last`, keeping the wanted
    frames from display position `first` on."""

    seek_pts: int | None
    first: int
    last: int


@dataclass(frozen=True)
class VideoHeader:
    """What planning a video needs, read from its container without decoding."""

    total_frames: int
    fps: float
    height: int
    width: int


def probe_video(ref: MediaRef) -> VideoHeader:
    """Frame count, rate and size from the container header; the frame count from a demux pass (no decoding)
    where the header has none (e.g. Matroska)."""
    try:
        with av.open(open_source(ref), mode="r") as container:
            stream = _video_stream(ref, container)
            if stream.frames > 0:
                return VideoHeader(stream.frames, _frame_rate(ref, stream), *_frame_size(stream))
            index, video_fps, (height, width) = _scan(ref, container)
            return VideoHeader(len(index.pts), video_fps, height, width)
    except av.error.FFmpegError as error:
        raise media_error(ref, f"not decodable as video ({error})", "re-encode it or check it is complete") from error


def official_plan(ref: MediaRef, header: VideoHeader, config: MediaConfig) -> VideoPlan:
    """qwen-omni-utils' own plan (its default total budget, tokens as evalkit's frame size gives them): for video
    decoded outside a run, which has no max_model_len to derive a budget from."""
    patch_pixels = config.frame_factor * config.frame_factor
    return plan_frames(
        ref, header, config, int(OFFICIAL_VIDEO_TOTAL_TOKENS), lambda height, width: height * width // patch_pixels
    )


def plan_frames(
    ref: MediaRef, header: VideoHeader, config: MediaConfig, token_budget: int, group_tokens: Callable[[int, int], int]
) -> VideoPlan:
    """plan_video for this file, its failures as MediaErrors that name it (a VideoBudgetError stays one)."""
    try:
        return plan_video(
            header.total_frames, header.fps, (header.height, header.width), config, token_budget, group_tokens
        )
    except VideoBudgetError:
        raise
    except ValueError as error:
        raise media_error(
            ref, f"only {header.total_frames} frame(s), too few to sample ({error})", "drop this sample"
        ) from None


def decode_video(ref: MediaRef, config: MediaConfig, sha256: str, plan: VideoPlan | None = None) -> VideoData:
    """The frames `plan` names (frame count and size; by default qwen-omni-utils' own plan), evenly spaced over
    the video as the official sampler spaces them."""
    try:
        with av.open(open_source(ref), mode="r") as container:
            index, video_fps, (height, width) = _scan(ref, container)
        total = len(index.pts)
        plan = plan or official_plan(ref, VideoHeader(total, video_fps, height, width), config)
        if plan.nframes > total:
            raise media_error(
                ref, f"{total} frame(s) decodable, the plan takes {plan.nframes}",
                "re-encode it or check it is complete",
            )
        indices = frame_indices(total, plan.nframes)
        size = (plan.height, plan.width)
        segments = plan_segments(index, sorted(set(indices)))
        by_position = _decode_positions(ref, index, set(indices), segments, size)
    except av.error.FFmpegError as error:
        raise media_error(ref, f"not decodable as video ({error})", "re-encode it or check it is complete") from error
    frames = np.stack([by_position[i] for i in indices])
    provenance = {
        "source": ref.label,
        "sha256": sha256,
        "decoder": DECODER,
        "source_fps": video_fps,
        "source_frames": total,
        "duration_s": total / video_fps,
        "source_size": [width, height],
        "final_size": [size[1], size[0]],
        "frame_indices": indices,
        "frame_cap": config.max_frames,
        "min_frames": config.min_frames,
        "max_pixels_per_frame": plan.max_pixels_per_frame,
        "token_budget": plan.token_budget,
        "frames_cut_to_budget": plan.frames_cut,
        "seeks": sum(s.seek_pts is not None for s in segments),
    }
    return VideoData(frames=frames, fps=plan.nframes / total * video_fps, provenance=provenance)


def _video_stream(ref: MediaRef, container: av.container.InputContainer) -> av.VideoStream:
    if not container.streams.video:
        raise media_error(ref, "no video stream", "check the file is a video (audio-only files are not)")
    return container.streams.video[0]


def _frame_rate(ref: MediaRef, stream: av.VideoStream) -> float:
    rate = stream.average_rate or stream.guessed_rate
    if not rate:
        raise media_error(ref, "no frame rate in the container", "remux it with a frame rate")
    return float(rate)


def _frame_size(stream: av.VideoStream) -> tuple[int, int]:
    return stream.codec_context.height, stream.codec_context.width


def _scan(ref: MediaRef, container: av.container.InputContainer) -> tuple[StreamIndex, float, tuple[int, int]]:
    stream = _video_stream(ref, container)
    pts, key_pts = [], []
    for packet in container.demux(stream):
        if packet.size == 0 or packet.is_discard:  # the end-of-stream flush packet; edit-list discards
            continue
        if packet.pts is None:
            raise media_error(ref, "frames without timestamps", "remux it (`ffmpeg -i IN -c copy OUT.mp4`)")
        pts.append(packet.pts)
        if packet.is_keyframe:
            key_pts.append(packet.pts)
    if not pts:
        raise media_error(ref, "the video stream has no frames", "replace the file")
    ordered = np.sort(np.asarray(pts, dtype=np.int64))
    keyframes = np.searchsorted(ordered, np.sort(np.asarray(key_pts, dtype=np.int64)))
    return StreamIndex(pts=ordered, keyframes=keyframes), _frame_rate(ref, stream), _frame_size(stream)


def plan_segments(index: StreamIndex, targets: list[int]) -> list[Segment]:
    """For each target (ascending display positions) choose the cheaper of decoding on from the previous
    target or seeking to its keyframe; consecutive targets reached without a seek share a segment."""
    segments: list[Segment] = []
    position = -1  # last display position decoded
    for target in targets:
        before = np.searchsorted(index.keyframes, target, side="right") - 1
        keyframe = int(index.keyframes[before]) if before >= 0 else 0
        seek_cost = target - keyframe + 1 + SEEK_COST_FRAMES
        if keyframe > position and seek_cost < target - position:
            segments.append(Segment(seek_pts=int(index.pts[keyframe]), first=target, last=target))
        elif segments:
            segments[-1] = Segment(segments[-1].seek_pts, segments[-1].first, target)
        else:
            segments.append(Segment(seek_pts=None, first=target, last=target))
        position = target
    return segments


def _decode_positions(
    ref: MediaRef, index: StreamIndex, wanted: set[int], segments: list[Segment], size: tuple[int, int]
) -> dict[int, np.ndarray]:
    """Decoded, converted and resized frames by display position. Segments start at keyframes, so they decode
    independently: worker threads (PyAV and PIL release the GIL), each with its own container, take segments in
    turn and convert their frames as they come. Spare cores go to each decoder's own threads."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # one worker more than cores: while one holds the GIL (demuxing, bookkeeping), the cores still decode
    workers = min(cores + 1, len(segments))
    queue: SimpleQueue[Segment] = SimpleQueue()
    # widest first, so no worker is left with a long segment at the end; the first segment may decode from the
    # start of the file (seek_pts None), so it goes to a fresh container
    for segment in segments[:1] + sorted(segments[1:], key=lambda s: s.first - s.last):
        queue.put(segment)

    def work() -> dict[int, np.ndarray]:
        with av.open(open_source(ref), mode="r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            stream.codec_context.thread_count = max(1, cores // workers)
            return {
                position: _to_rgb(frame, size)
                for position, frame in _wanted_frames(container, stream, index, wanted, _drain(queue))
            }

    found: dict[int, np.ndarray] = {}
    with ThreadPoolExecutor(workers) as pool:
        for part in [pool.submit(work) for _ in range(workers)]:
            found.update(part.result())
    missing = sorted(wanted - found.keys())
    if missing:
        raise media_error(
            ref,
            f"frames {missing[:5]} listed by the container did not decode ({len(missing)} missing)",
            "the file is probably truncated or corrupt; re-encode it",
        )
    return found


def _drain(queue: SimpleQueue[Segment]) -> Iterator[Segment]:
    while True:
        try:
            yield queue.get_nowait()
        except Empty:
            return


def _wanted_frames(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    index: StreamIndex,
    wanted: set[int],
    segments: Iterator[Segment],
) -> Iterator[tuple[int, av.VideoFrame]]:
    """The wanted frames of each segment in display order. Packets of unwanted frames are decoded with
    skip_frame NONREF: a frame no other frame references is then not decoded at all, which changes no other
    frame."""
    position_of = {int(p): i for i, p in enumerate(index.pts)}
    for segment in segments:
        if segment.seek_pts is not None:
            container.seek(segment.seek_pts, stream=stream, backward=True, any_frame=False)
        last_pts = int(index.pts[segment.last])
        for frame in _decode_skipping(container, stream, position_of, wanted):
            position = position_of.get(frame.pts) if frame.pts is not None else None
            if position in wanted and segment.first <= position <= segment.last:
                yield position, frame
            if frame.pts is not None and frame.pts >= last_pts:
                break


def _decode_skipping(
    container: av.container.InputContainer, stream: av.VideoStream, position_of: dict[int, int], wanted: set[int]
) -> Iterator[av.VideoFrame]:
    for packet in container.demux(stream):
        needed = packet.pts is None or position_of.get(packet.pts) in wanted  # None: the final flush packet
        stream.codec_context.skip_frame = "DEFAULT" if needed else "NONREF"
        yield from packet.decode()


def _to_rgb(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    height, width = size
    pixels = frame.to_ndarray(format="rgb24")
    if pixels.shape[:2] != (height, width):
        pixels = np.asarray(Image.fromarray(pixels).resize((width, height), Image.Resampling.BICUBIC))
    return pixels
