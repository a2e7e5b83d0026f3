"""LVBench (THUDM/LVBench: video_info.meta.jsonl, 1,549 questions on 103 hour-long videos), accuracy over every
question with the official answer reading (scorer lvbench: polish_answer, compute_accuracy). Local data:
dataset.local_path is video_info.meta.jsonl, dataset.media_dir holds the videos as `<key>.mp4`.

Rows: key (the video), type, qa: [{uid, question (options included as "(A) ..." lines), answer (a letter),
question_type (a list), time_reference}]. Prompt: the question, then "Answer with the option's letter from the
given choices directly." (the repository publishes no prompt; an explicit evalkit choice). 2 fps, as Video-MME.
Reference: the letter. Categories: type (the video's). Cluster: the video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import clip, colour_frame, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

COLUMNS = ("key", "type", "qa")


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any], qa: dict[str, Any], folder: Path) -> Sample:
    return Sample(task=config.name, sample_id=str(qa["uid"]),
                  messages=user_turn([media_file("video", folder, f"{row['key']}.mp4")],
                                     format_prompt(config, config.prompt, question=qa["question"])),
                  reference=qa["answer"], categories={"type": row["type"]}, cluster=row["key"])


def load_samples(config: TaskConfig) -> LoadedTask:
    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [_sample(config, row, qa, folder) for row in loaded.rows for qa in row["qa"]]
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder)})


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    (folder / "videos").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "smokeColours.mp4", colour_frame)
    qa = [{"uid": "1", "question": "What colour comes first?\n(A) red\n(B) green\n(C) blue\n(D) white",
           "answer": "A", "question_type": ["entity recognition"], "time_reference": "00:00-00:01"},
          {"uid": "2", "question": "What colour comes last?\n(A) red\n(B) green\n(C) blue\n(D) white",
           "answer": "C", "question_type": ["event understanding"], "time_reference": "00:02-00:03"}]
    features = datasets.Features({
        "key": datasets.Value("string"), "type": datasets.Value("string"),
        "qa": [{"uid": datasets.Value("string"), "question": datasets.Value("string"),
                "answer": datasets.Value("string"), "question_type": datasets.Sequence(datasets.Value("string")),
                "time_reference": datasets.Value("string")}],
    })  # fmt: skip
    write_parquet([{"key": "smokeColours", "type": "documentary", "qa": qa}], features,
                  folder / "video_info.meta.parquet")


register(TaskSpec(
    name="lvbench",
    title="LVBench, 1,549 questions on 103 long videos (set dataset.local_path to video_info.meta.jsonl, media_dir)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="THUDM/LVBench", split="train"),
    scorer=ScorerConfig("lvbench"),
    prompt="{question}\nAnswer with the option's letter from the given choices directly.",
    prompt_fields=("question",),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "LVBench", "", "accuracy"),
    media=MediaConfig(fps=2.0, max_frames=768),
    smoke=SmokeVariant(fixture="lvbench", make_fixture=make_smoke_fixture, local_path="video_info.meta.parquet",
                       media_dir="videos", media={"max_frames": 8}),
))
