"""Synthetic media in the real shapes and lengths of the paper's benchmarks, for `suite=scale` (capacity plans with
`evalkit plan`, the GPU benchmark): speech as long as LibriSpeech/Fleurs utterances (2-30 s, 16 kHz), MMAU-like
sound clips (10-30 s, 44.1 kHz stereo), MMMU-size images (1-3 a prompt) and Video-MME short/medium/long videos
(1-2 min, 4-15 min, 30-60 min).

Content is cheap on purpose: tones and flat frames. Videos are 640x360 at 2 frames a second (the sampling rate, so
fps 2 finds every frame it asks for) with a keyframe every 5 minutes: an hour encodes in seconds. Each file's name
holds everything it is made from, and files are written under a temporary name and renamed, so a folder is a cache
that a later run reuses and an interrupted one never leaves half-written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path

import av
import numpy as np
import soundfile
from PIL import Image

from evalkit.types import MediaKind

KINDS = ("speech", "sound", "images", "video")
VIDEO_SIZE = (640, 360)
VIDEO_FPS = 2
VIDEO_KEYFRAME_S = 300
# Video-MME's duration buckets: short < 2 min, medium 4-15 min, long 30-60 min
VIDEO_SECONDS = {"short": (60, 120), "medium": (240, 900), "long": (1800, 3600)}
IMAGE_SIZES = ((1280, 720), (800, 600), (1024, 1366), (640, 480), (1600, 1200))  # MMMU's usual sizes


@dataclass(frozen=True)
class ScaleItem:
    sample_id: str
    kind: MediaKind  # of every path
    paths: tuple[Path, ...]
    category: str  # the length bucket or image count


def spread(index: int, count: int, low: float, high: float) -> float:
    """The index-th of `count` values evenly spaced from low to high."""
    return low if count <= 1 else low + (high - low) * index / (count - 1)


def make_items(kind: str, count: int, folder: Path) -> list[ScaleItem]:
    """`count` items of one kind, their files made in `folder` where missing."""
    if kind not in KINDS:
        raise ValueError(f"unknown scale kind {kind!r}; valid: {', '.join(KINDS)}")
    folder.mkdir(parents=True, exist_ok=True)
    return [_ITEM_MAKERS[kind](i, count, folder) for i in range(count)]


def _speech(index: int, count: int, folder: Path) -> ScaleItem:
    seconds = round(spread(index, count, 2.0, 30.0), 2)
    path = _cached(folder / f"speech-{seconds}s-16k.flac", lambda p: _write_tone(p, seconds, 16000, 1))
    return ScaleItem(f"speech-{index:04d}", "audio", (path,), "short" if seconds < 10 else "long")


def _sound(index: int, count: int, folder: Path) -> ScaleItem:
    seconds = round(spread(index, count, 10.0, 30.0), 2)
    path = _cached(folder / f"sound-{seconds}s-44k1-stereo.wav", lambda p: _write_tone(p, seconds, 44100, 2))
    return ScaleItem(f"sound-{index:04d}", "audio", (path,), "10-30 s")


def _images(index: int, count: int, folder: Path) -> ScaleItem:
    n_images = 1 + index % 3
    sizes = [IMAGE_SIZES[(index + k) % len(IMAGE_SIZES)] for k in range(n_images)]
    paths = tuple(_cached(folder / f"image-{w}x{h}.jpg", partial(_write_image, size=(w, h))) for w, h in sizes)
    return ScaleItem(f"images-{index:04d}", "image", paths, f"{n_images} image(s)")


def _video(index: int, count: int, folder: Path) -> ScaleItem:
    buckets = list(VIDEO_SECONDS)
    bucket = buckets[index % len(buckets)]
    low, high = VIDEO_SECONDS[bucket]
    in_bucket = (count - 1 - index % len(buckets)) // len(buckets) + 1  # how many items fall in this bucket
    seconds = int(spread(index // len(buckets), in_bucket, low, high))
    width, height = VIDEO_SIZE
    path = _cached(folder / f"video-{seconds}s-{width}x{height}-{VIDEO_FPS}fps.mp4", lambda p: _write_video(p, seconds))
    return ScaleItem(f"video-{index:04d}", "video", (path,), bucket)


_ITEM_MAKERS: dict[str, Callable[[int, int, Path], ScaleItem]] = {
    "speech": _speech, "sound": _sound, "images": _images, "video": _video,
}


def _cached(path: Path, write: Callable[[Path], None]) -> Path:
    if not path.is_file():
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial{path.suffix}")
        write(partial)
        os.replace(partial, path)
    return path


def _write_tone(path: Path, seconds: float, rate: int, channels: int) -> None:
    """A tone whose pitch glides, in bursts, so it is not silence to any front end."""
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.3 * np.sin(2 * np.pi * (220 + 40 * t) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    soundfile.write(path, np.repeat(wave[:, None], channels, axis=1).astype(np.float32), rate)


def _write_image(path: Path, size: Sequence[int]) -> None:
    width, height = size
    gradient = np.add.outer(np.arange(height) * 255 // height, np.arange(width) * 255 // width) // 2
    Image.fromarray(np.stack([gradient, gradient[::-1], 255 - gradient], axis=-1).astype(np.uint8)).save(path)


def _write_video(path: Path, seconds: int) -> None:
    """H.264 at VIDEO_FPS, one flat frame colour a second (cheap to encode and to decode), sparse keyframes."""
    width, height = VIDEO_SIZE
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=VIDEO_FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = VIDEO_KEYFRAME_S * VIDEO_FPS
        stream.options = {"preset": "ultrafast", "crf": "35", "bf": "0"}
        pixels = np.empty((height, width, 3), np.uint8)
        for i in range(seconds * VIDEO_FPS):
            pixels[:] = ((i * 7) % 256, (i * 13) % 256, 128)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, VIDEO_FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
