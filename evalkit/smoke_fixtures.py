"""Making smoke fixtures: synthetic speech, tones, images and video clips, written in a benchmark's real schema.

Each task module's smoke variant has a fixture maker built from these; scripts/make_smoke_fixtures.py calls them
all. Needs the Debian packages espeak-ng (speech) and sox (resampling, tones); images come from Pillow, video from
PyAV.

Determinism: the same tool versions give the same bytes (espeak-ng, sox, libFLAC, Pillow/zlib, libx264 run with
one thread, pyarrow); sox runs with -R -D (fixed seed, no dither) because its default dither is random.
Exception: now and then (about one regeneration in ten here) libx264 encodes the moving-square clip of Video-MME a
few bytes differently (cause not found; no test depends on those bytes): keep the committed clip then.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import datasets
import numpy as np
from PIL import Image, ImageDraw

RATE = 16000


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def speech(text: str, voice: str, out: Path) -> None:
    """espeak-ng at its native rate, then sox to 16 kHz mono 16-bit (WAV or FLAC by the file name)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        _run("espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text)
        _run("sox", "-R", "-D", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out))


def sox_synth(out: Path, *effects: str) -> None:
    _run("sox", "-R", "-D", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(out), "synth", *effects)


def write_parquet(rows: list[dict[str, Any]], features: datasets.Features, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_list(rows, features=features).to_parquet(str(out))


def audio_cell(make: Callable[[Path], None], name: str) -> dict[str, Any]:
    """A datasets Audio cell {bytes, path} holding the file `make` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        make(path)
        return {"bytes": path.read_bytes(), "path": name}


def png(draw: Callable[[ImageDraw.ImageDraw], object]) -> dict[str, Any]:
    """A datasets Image cell: a 64x64 white PNG with what `draw` (given a PIL ImageDraw) paints."""
    image = Image.new("RGB", (64, 64), "white")
    draw(ImageDraw.Draw(image))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "image.png"
        image.save(path, optimize=False)
        return {"bytes": path.read_bytes(), "path": None}


def colour_frame(index: int) -> np.ndarray:
    """Frame `index` of an 8 fps clip showing one second each of red, green and blue."""
    colours = [(220, 0, 0), (0, 200, 0), (0, 0, 220)]
    return np.full((64, 64, 3), colours[min(index // 8, 2)], dtype=np.uint8)


def clip(out: Path, frame: Callable[[int], np.ndarray], frames: int = 24, fps: int = 8,
         tone_hz: float | None = None) -> None:
    """An H.264 clip, 64x64, encoded with one thread so the bytes repeat; silent, or with a mono AAC track of a
    sine tone at `tone_hz` as long as the video (audio-visual benchmarks take audio from the video)."""
    with av.open(str(out), "w", format="mp4") as container:
        stream = container.add_stream(
            "libx264", rate=fps, options={"preset": "medium", "x264-params": "threads=1:lookahead-threads=1"}
        )
        stream.codec_context.thread_count = 1
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        tone = (container.add_stream("aac", rate=RATE, layout="mono"), tone_hz) if tone_hz is not None else None
        for index in range(frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame(index), format="rgb24")))
        container.mux(stream.encode(None))
        if tone is not None:
            _tone(container, *tone, frames / fps)


def flat_frames(rgb: tuple[int, int, int]) -> Callable[[int], np.ndarray]:
    """A clip's frame maker: every frame one colour."""
    return lambda index: np.full((64, 64, 3), rgb, dtype=np.uint8)


def _tone(container: Any, stream: Any, hz: float, seconds: float) -> None:
    samples = np.sin(2 * np.pi * hz * np.arange(int(RATE * seconds)) / RATE).astype(np.float32)
    chunk = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), chunk):
        frame = av.AudioFrame.from_ndarray(0.3 * samples[None, start : start + chunk], format="fltp", layout="mono")
        frame.sample_rate, frame.pts = RATE, start
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
