"""Video-MME without subtitles (lmms-lab/Video-MME, config videomme, split test: 2,700 questions on 900 videos);
official prompt (PROTOCOLS.md), 2 fps.

Rows: video_id, duration (short/medium/long), domain, sub_category, videoID, question_id, task_type, question,
options (already "A. ..."), answer (a letter). Videos are `{videoID}.mp4` under dataset.media_dir.
Prompt fields: {question}, {options} (one per line), the official prompt below; no subtitles.
Reference: the answer letter. Categories: duration, domain, task_type. Cluster: the video (its questions share it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evalkit import datasets_io
from evalkit.config import DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice_files import read_videomme
from evalkit.smoke_fixtures import clip, colour_frame, write_parquet
from evalkit.task import LoadedTask, format_prompt, load_with_media_dir, media_dir, media_file, user_turn
from evalkit.types import Sample

COLUMNS = ("videoID", "question_id", "duration", "domain", "task_type", "question", "options", "answer")


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any], folder: Path) -> Sample:
    text = format_prompt(config, config.prompt, question=row["question"], options="\n".join(row["options"]))
    return Sample(
        task=config.name,
        sample_id=row["question_id"],
        messages=user_turn([media_file("video", folder, f"{row['videoID']}.mp4")], text),
        reference=row["answer"],
        categories={"duration": row["duration"], "domain": row["domain"], "task_type": row["task_type"]},
        cluster=row["videoID"],
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = load_with_media_dir(config, COLUMNS, lambda _, row, folder: _sample(config, row, folder))
    return LoadedTask(loaded.samples, {**loaded.provenance, "subtitles": False})


def _moving_square_frame(index: int) -> np.ndarray:
    """A white square crossing a black frame from left to right."""
    image = np.zeros((64, 64, 3), dtype=np.uint8)
    x = 2 * index
    image[24:40, x : x + 16] = 255
    return image


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    (folder / "videos").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "smokeColours.mp4", colour_frame)
    clip(folder / "videos" / "smokeSquare.mp4", _moving_square_frame)
    colours = ["A. Red.", "B. Green.", "C. Blue.", "D. Yellow."]
    questions = [
        ("001", "smokeColours", "001-1", "Object Recognition",
         "What colour fills the screen at the start of the video?", colours, "A"),
        ("001", "smokeColours", "001-2", "Counting Problem", "How many different colours fill the screen?",
         ["A. One.", "B. Two.", "C. Three.", "D. Four."], "C"),
        ("002", "smokeSquare", "002-1", "Action Recognition", "In which direction does the white square move?",
         ["A. Left to right.", "B. Right to left.", "C. Upwards.", "D. Downwards."], "A"),
    ]  # fmt: skip
    rows = [{"video_id": vid, "duration": "short", "domain": "Knowledge", "sub_category": "Other",
             "url": "", "videoID": video, "question_id": qid, "task_type": task, "question": question,
             "options": options, "answer": answer}
            for vid, video, qid, task, question, options, answer in questions]  # fmt: skip
    features = datasets.Features({
        **{k: datasets.Value("string") for k in ("video_id", "duration", "domain", "sub_category", "url", "videoID",
                                                  "question_id", "task_type", "question")},
        "options": datasets.Sequence(datasets.Value("string")), "answer": datasets.Value("string"),
    })  # fmt: skip
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="videomme",
    title="Video-MME without subtitles, 2,700 questions on 900 videos (set dataset.media_dir to the videos)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="lmms-lab/Video-MME", subsets=["videomme"], split="test"),
    scorer=ScorerConfig("videomme"),
    prompt="Select the best answer to the following multiple-choice question based on the video. Respond with only "
    "the letter (A, B, C, or D) of the correct option.\n{question}\n{options}\nThe best answer is:",
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_videomme,
        "Video-MME results JSON as the official output_test_template.json: [{duration_category, video_category, "
        "video_subcategory, questions: [{question_id, task_type, answer, response}]}]",
    ),
    reported=reported_in(VISION_TABLES, "Video-MME", "wo_sub", "accuracy"),
    # Qwen's frame cap is unknown (official media utils default 768; Qwen3-VL's eval 512): recorded per run
    media=MediaConfig(fps=2.0, max_frames=768),
    smoke=SmokeVariant(fixture="videomme", make_fixture=make_smoke_fixture, local_path="test.parquet",
                       media_dir="videos", subsets=(), media={"max_frames": 8}),
))
