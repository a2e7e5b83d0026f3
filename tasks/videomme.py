"""Video-MME without subtitles (lmms-lab/Video-MME, config videomme, split test: 2,700 questions on 900 videos).

Rows: video_id, duration (short/medium/long), domain, sub_category, videoID, question_id, task_type, question,
options (already "A. ..."), answer (a letter). Videos are `{videoID}.mp4` under dataset.media_dir.
Prompt fields: {question}, {options} (one per line), the official prompt in the task config; no subtitles.
Reference: the answer letter. Categories: duration, domain, task_type. Cluster: the video (its questions share it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import TaskConfig
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

PROMPT_FIELDS = ("question", "options")
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
    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [_sample(config, row, folder) for part in loaded.parts for row in part.rows]
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder), "subtitles": False})
