"""Video-Holmes (TencentARC/Video-Holmes: Benchmark/test_Video-Holmes.json, 1,837 questions on 270 suspense
short films of 1-5 minutes; Benchmark/videos.zip), the paper's audio-visual Thinking row. Set dataset.local_path
to test_Video-Holmes.json and dataset.media_dir to the unzipped videos/ folder of `<video ID>.mp4`.

Rows: "video ID", "Question ID", "Question Type" (SR, IMC, TCI, TA, MHR, PAR, CTI), "Question", "Options"
({"A": text, ...}, up to F), "Answer" (letter), "Explanation". Audio is the video's own track
(media.use_audio_in_video, as Qwen3-Omni's audio-visual rows use it; the official script feeds frames only); a
video without one fails its sample naming the file. Prompt: the official one (TencentARC/Video-Holmes @ 52ef8da,
evaluate.py), options joined as "A: text, B: text". Scored as evaluate.py does (evalkit.scoring.videoholmes).
Categories: question type. Cluster: the video.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.registry import AV_THINKING_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import clip, flat_frames
from evalkit.task import LoadedTask, format_prompt, load_with_media_dir, media_dir, media_file, user_turn
from evalkit.types import Sample

COLUMNS = ("video ID", "Question ID", "Question Type", "Question", "Options", "Answer")
PROMPT = (
    "Based on the given video, reason and answer the single-choice question. Provide your reasoning between the "
    "<think> and </think> tags, and then give your final answer between the <answer> and </answer> tags. The "
    "question is: {question}. The options are: {options}. Your answer:"
)


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any], folder: Path) -> Sample:
    options = {k: v for k, v in row["Options"].items() if v is not None}  # datasets pads the keys rows lack
    return Sample(
        task=config.name,
        sample_id=str(row["Question ID"]),
        messages=user_turn([media_file("video", folder, f"{row['video ID']}.mp4")], format_prompt(
            config, config.prompt, question=row["Question"],
            options=", ".join(f"{key}: {value}" for key, value in options.items()))),
        reference=row["Answer"],
        categories={"question_type": row["Question Type"]},
        cluster=row["video ID"],
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_with_media_dir(config, COLUMNS, lambda _, row, folder: _sample(config, row, folder))


def make_smoke_fixture(folder: Path) -> None:
    (folder / "videos").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "smokeFilmA.mp4", flat_frames((20, 20, 20)), tone_hz=330)
    clip(folder / "videos" / "smokeFilmB.mp4", flat_frames((240, 240, 240)), tone_hz=660)
    options = {"A": "It is dark", "B": "It is bright", "C": "It flickers", "D": "It is red", "E": "It is green",
               "F": "It is blue"}
    rows = [
        {"video ID": "smokeFilmA", "Question ID": "smokeFilmA_1", "Question Type": "SR",
         "Question": "How is the scene lit?", "Options": options, "Answer": "A", "Explanation": "A dark frame."},
        {"video ID": "smokeFilmA", "Question ID": "smokeFilmA_2", "Question Type": "TA",
         "Question": "What does the sound suggest?", "Options": {"A": "Silence", "B": "A steady hum",
         "C": "Speech", "D": "Footsteps"}, "Answer": "B", "Explanation": "A steady tone."},
        {"video ID": "smokeFilmB", "Question ID": "smokeFilmB_1", "Question Type": "IMC",
         "Question": "How is the scene lit?", "Options": options, "Answer": "B", "Explanation": "A bright frame."},
    ]  # fmt: skip
    (folder / "test_Video-Holmes.json").write_text(json.dumps(rows, indent=2) + "\n")


register(TaskSpec(
    name="videoholmes",
    title="Video-Holmes, 1,837 questions on 270 short films (local test_Video-Holmes.json + videos)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="TencentARC/Video-Holmes", split="train"),
    scorer=ScorerConfig("videoholmes"),
    prompt=PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in((AV_THINKING_TABLE,), "VideoHolmes", "", "accuracy"),
    media=MediaConfig(fps=2.0, max_frames=768, use_audio_in_video=True),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="videoholmes", make_fixture=make_smoke_fixture, local_path="test_Video-Holmes.json",
                       media_dir="videos", media={"max_frames": 8}),
))
