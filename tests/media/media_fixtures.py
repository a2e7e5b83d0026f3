"""Media files made on the fly with PyAV and soundfile, so every expected value is known exactly."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

COLOUR_STEP = 8  # frame i is painted R = (i % 32) * 8, G = (i // 32) * 8: lossy coding cannot confuse neighbours


def frame_colour(index: int) -> tuple[int, int, int]:
    return (index % 32) * COLOUR_STEP, (index // 32) * COLOUR_STEP, 128


def colour_index(pixel: np.ndarray) -> int:
    """The frame index painted into a decoded frame (inverse of frame_colour, rounding coding noise away)."""
    red, green = (round(float(c) / COLOUR_STEP) for c in pixel[:2])
    return green * 32 + red


def write_video(
    path: Path,
    n_frames: int,
    fps: int,
    size: tuple[int, int] = (64, 48),
    gop: int = 10,
    bframes: int = 0,
    audio_rate: int | None = None,
) -> Path:
    """An H.264 clip whose frame i is a flat frame_colour(i); optionally a 440 Hz stereo AAC track."""
    width, height = size
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.gop_size = gop
        video.options = {"crf": "10", "preset": "ultrafast", "bf": str(bframes), "x264-params": "b-pyramid=none"}
        audio = container.add_stream("aac", rate=audio_rate, layout="stereo") if audio_rate else None
        for i in range(n_frames):
            pixels = np.empty((height, width, 3), np.uint8)
            pixels[:] = frame_colour(i)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio is not None:
            seconds = n_frames / fps
            tone = sine(440.0, audio_rate, seconds)
            samples = np.stack([tone, tone]).astype(np.float32)
            step = 1024
            for start in range(0, samples.shape[1], step):
                chunk = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(samples[:, start : start + step]), format="fltp", layout="stereo"
                )
                chunk.sample_rate, chunk.pts = audio_rate, start
                container.mux(audio.encode(chunk))
            container.mux(audio.encode(None))
    return path


def sine(freq: float, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_audio_pyav(path: Path, codec: str, rate: int, seconds: float, freq: float = 1000.0) -> Path:
    """A mono tone encoded by PyAV (mp3 / aac in .m4a)."""
    tone = sine(freq, rate, seconds)[None, :]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        fmt = stream.codec_context.format.name
        step = stream.codec_context.frame_size or 1152
        for start in range(0, tone.shape[1], step):
            chunk = np.ascontiguousarray(tone[:, start : start + step])
            frame = av.AudioFrame.from_ndarray(
                chunk if fmt == "fltp" else chunk.astype(np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
