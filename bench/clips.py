"""Benchmark inputs, made once with PyAV and soundfile into a cache folder: a 60 s 640x360 H.264 clip with
moving content (so the encoder makes real P-frames) and speech-length WAVs at 16 kHz mono and 44.1 kHz stereo."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile

VIDEO_SECONDS, VIDEO_FPS, VIDEO_SIZE = 60, 30, (640, 360)
SPEECH_SECONDS = 12.0


def clip_video(folder: Path) -> Path:
    path = folder / f"clip_{VIDEO_SECONDS}s_{VIDEO_SIZE[0]}x{VIDEO_SIZE[1]}_h264.mp4"
    if path.exists():
        return path
    width, height = VIDEO_SIZE
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 256, (height, width * 2, 3), dtype=np.uint8)
    partial = path.with_suffix(".partial.mp4")
    with av.open(str(partial), "w") as container:
        stream = container.add_stream("libx264", rate=VIDEO_FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}  # x264 defaults otherwise: B-frames, keyint 250
        for i in range(VIDEO_SECONDS * VIDEO_FPS):
            shift = (i * 4) % width  # a panning texture with a moving bright bar
            pixels = np.ascontiguousarray(texture[:, shift : shift + width])
            pixels[:, (i * 7) % width : (i * 7) % width + 20] = 255
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, VIDEO_FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    partial.replace(path)
    return path


def speech_like(rate: int, seconds: float, channels: int) -> np.ndarray:
    """A voiced-speech stand-in: harmonics of a wandering pitch under a syllable-rate envelope, plus noise."""
    rng = np.random.default_rng(1)
    t = np.arange(int(rate * seconds)) / rate
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 4 * t))
    mono = 0.2 * voiced * envelope + 0.01 * rng.standard_normal(len(t))
    return np.repeat(mono[:, None], channels, axis=1).astype(np.float32)


def speech_wavs(folder: Path) -> dict[str, Path]:
    wavs = {}
    for label, rate, channels in (("16k_mono", 16000, 1), ("44k1_stereo", 44100, 2)):
        path = folder / f"speech_{SPEECH_SECONDS:g}s_{label}.wav"
        if not path.exists():
            soundfile.write(path, speech_like(rate, SPEECH_SECONDS, channels), rate, subtype="PCM_16")
        wavs[label] = path
    return wavs
