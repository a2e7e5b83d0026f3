"""Synthetic inputs for the GPU benchmark, in the schemas of real tasks so `evalkit run` reads them through the real
adapters: text (MMMU rows without images), audio (MMAU rows, 8-30 s clips), images (MMMU rows with 1-3 MMMU-size
images) and video (Video-MME rows: short, medium and long clips). Written once per size into a work folder.

Each workload is a task override list: the task, its local data, its token budget, and the fps / frame cap
its videos are sampled with (the frame cap comes from the bench's config until the preflight's frame-budget rule
sets it).
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.clips import speech_like


@dataclass(frozen=True)
class Scale:
    """How big each workload is: the issue's GPU sizes, or small ones for a CPU rehearsal."""

    text: int
    text_large: int  # the same prompts at a size where a run's fixed costs (data, run folder, report) fade
    audio: int
    audio_seconds: tuple[float, float]
    images: int
    image_size: tuple[int, int]
    video_seconds: tuple[float, ...]
    max_new_tokens: int


GPU = Scale(text=256, text_large=1024, audio=64, audio_seconds=(8, 30), images=32, image_size=(1280, 720),
            video_seconds=(30, 60, 90, 300, 600, 900, 1800, 3600), max_new_tokens=128)
REHEARSAL = Scale(text=16, text_large=32, audio=6, audio_seconds=(8, 12), images=4, image_size=(320, 240),
                  video_seconds=(4, 8), max_new_tokens=8)
VIDEO_SIZE = (640, 352)  # a common Video-MME frame size after the 32-pixel rounding
VIDEO_SOURCE_FPS = 2  # the sampling rate itself, so decoding reads every frame once


@dataclass(frozen=True)
class Workload:
    name: str  # also its data folder's name
    task: str  # the configs/task entry whose adapter reads the data
    n: int
    overrides: tuple[str, ...]
    write: Callable[[Path], None] = field(repr=False, compare=False)  # writes the data into a folder


def build(work_dir: Path, scale: Scale, max_frames: int, names: Collection[str] | None = None) -> list[Workload]:
    """The workloads named (all where None), in the order text, text_large, audio, images, video; each one's data
    written once per scale, so a short device lease can prepare only what it measures."""
    root = work_dir / f"data-{scale.text}-{scale.text_large}-{scale.audio}-{scale.images}-{len(scale.video_seconds)}"
    tokens = f"max_new_tokens={scale.max_new_tokens}"
    every = [
        Workload("text", "mmmu_val", scale.text, (
            "dataset.local_path=" + str(root / "text"), "dataset.subsets=[Bench]", tokens),
            lambda folder: _text(folder, scale.text)),
        Workload("text_large", "mmmu_val", scale.text_large, (
            "dataset.local_path=" + str(root / "text_large"), "dataset.subsets=[Bench]", tokens),
            lambda folder: _text(folder, scale.text_large)),
        Workload("audio", "mmau_test_mini", scale.audio, (
            "dataset.local_path=" + str(root / "audio" / "mmau.json"), "dataset.media_dir=" + str(root / "audio"),
            tokens), lambda folder: _audio(folder, scale.audio, scale.audio_seconds)),
        Workload("images", "mmmu_val", scale.images, (
            "dataset.local_path=" + str(root / "images"), "dataset.subsets=[Bench]", tokens),
            lambda folder: _images(folder, scale.images, scale.image_size)),
        Workload("video", "videomme", len(scale.video_seconds), (
            "dataset.local_path=" + str(root / "video" / "test.parquet"), "dataset.media_dir=" + str(root / "video"),
            "dataset.subsets=[]", f"media.max_frames={max_frames}", tokens),
            lambda folder: _videos(folder, scale.video_seconds)),
    ]
    unknown = set(names or ()) - {w.name for w in every}
    if unknown:
        raise ValueError(f"no workload named {sorted(unknown)}; known: {[w.name for w in every]}")
    chosen = [w for w in every if names is None or w.name in names]
    for workload in chosen:
        folder = root / workload.name
        if not (folder / "complete").exists():  # a half-written folder (killed call) is written again
            shutil.rmtree(folder, ignore_errors=True)
            workload.write(folder)
            (folder / "complete").touch()
    return chosen


def _mmmu_row(k: int, question: str, images: list[bytes]) -> dict:
    row: dict[str, Any] = {
        "id": f"validation_Bench_{k}", "question": question, "options": "['red', 'green', 'blue', 'yellow']",
        "explanation": "", "img_type": "['Diagrams']", "answer": "ABCD"[k % 4], "topic_difficulty": "Easy",
        "question_type": "multiple-choice", "subfield": "Bench",
    }
    for n in range(1, 8):
        row[f"image_{n}"] = {"bytes": images[n - 1], "path": f"{k}_{n}.png"} if n <= len(images) else None
    return row


def _text(folder: Path, n: int) -> None:
    import pandas as pd

    folder.mkdir(parents=True)
    words = "the of a colour is which shown in and to picture between light dark".split()
    rng = np.random.default_rng(1)
    rows = [_mmmu_row(k, " ".join(rng.choice(words, 40)) + f" (question {k})?", []) for k in range(n)]
    pd.DataFrame(rows).to_parquet(folder / "Bench.parquet")


def _images(folder: Path, n: int, size: tuple[int, int]) -> None:
    import pandas as pd
    from PIL import Image

    folder.mkdir(parents=True)
    rng = np.random.default_rng(2)
    rows = []
    for k in range(n):
        count = 1 + k % 3
        images = []
        for _ in range(count):
            buffer = io.BytesIO()
            pixels = rng.integers(0, 256, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).resize(size, Image.Resampling.NEAREST).save(buffer, format="PNG")
            images.append(buffer.getvalue())
        tags = " ".join(f"<image {i}>" for i in range(1, count + 1))
        rows.append(_mmmu_row(k, f"{tags} Which colour dominates (question {k})?", images))
    pd.DataFrame(rows).to_parquet(folder / "Bench.parquet")


def _audio(folder: Path, n: int, seconds: tuple[float, float]) -> None:
    import soundfile

    (folder / "clips").mkdir(parents=True)
    rng = np.random.default_rng(3)
    items = []
    for k in range(n):
        name = f"clips/{k:04d}.wav"
        soundfile.write(folder / name, speech_like(16000, float(rng.uniform(*seconds)), 1)[:, 0], 16000)
        items.append({"id": f"bench-{k:04d}", "audio_id": f"./{name}", "question": "What does the speaker say?",
                      "choices": ["three", "seven", "nine", "twelve"], "answer": "seven", "dataset": "bench",
                      "task": "speech", "split": "test-mini", "category": "bench", "sub-category": "bench",
                      "difficulty": "easy"})
    (folder / "mmau.json").write_text(json.dumps(items))


def _videos(folder: Path, durations: tuple[float, ...]) -> None:
    import pandas as pd

    folder.mkdir(parents=True)
    rows = []
    for k, seconds in enumerate(durations):
        video_id = f"bench{k:02d}"
        _write_video(folder / f"{video_id}.mp4", seconds, seed=k)
        duration = "short" if seconds <= 120 else "medium" if seconds <= 900 else "long"
        rows.append({"video_id": f"{k:03d}", "duration": duration, "domain": "Bench", "sub_category": "Bench",
                     "url": "", "videoID": video_id, "question_id": f"{k:03d}-1", "task_type": "Counting",
                     "question": "How many colours appear?", "options": ["A. 1.", "B. 2.", "C. 3.", "D. 4."],
                     "answer": "B"})
    pd.DataFrame(rows).to_parquet(folder / "test.parquet")


def _write_video(path: Path, seconds: float, seed: int) -> None:
    """H.264 at VIDEO_SIZE and VIDEO_SOURCE_FPS: slowly drifting noise blocks, cheap to encode and to decode."""
    import av

    rng = np.random.default_rng(seed)
    width, height = VIDEO_SIZE
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=VIDEO_SOURCE_FPS, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        base = rng.integers(0, 256, (height // 16, width // 16, 3), dtype=np.uint8)
        for t in range(int(seconds * VIDEO_SOURCE_FPS)):
            frame = np.roll(base, t, axis=1).repeat(16, axis=0).repeat(16, axis=1)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
