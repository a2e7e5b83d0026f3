"""MLVU dev, multiple choice (MLVU/MVLU; JUNJIE99/MLVU @ fd060c1 data/*.json): the 7 multiple-choice tasks (plotQA,
needle, ego, count, order, anomaly_reco, topic_reasoning; 2,174 questions), M-Avg = the mean of the 7 task
accuracies (scorer mlvu, the official check_ans). Local data: dataset.local_path is a folder of the official JSON
files (`1_plotQA.json` ...; one subset each), dataset.media_dir holds the videos as `<task>/<video>` (the
official `video/<task>/` folders).

Rows: video, duration, question, candidates (option texts), answer (the right text), question_type.
Prompt: the official choice_bench.py system text and question template ("Question: ...\nOptions:\n(A) ...")
then "Only give the best option."; the official template also opens the answer with "Best Option: (", which a
chat prompt cannot (an evalkit deviation: check_ans reads "(B) ..." and "B" alike). 2 fps as Video-MME.
Reference: the right letter (gold_letter, as qa_template). Categories: task_type. Cluster: the video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.long_video_choice import MLVU_TASK_KEY
from evalkit.smoke_fixtures import clip, colour_frame, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

TASK_FILES = ("1_plotQA", "2_needle", "3_ego", "4_count", "5_order", "6_anomaly_reco", "7_topic_reasoning")
COLUMNS = ("video", "question", "candidates", "answer", "question_type")


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def gold_letter(candidates: list[str], answer: str) -> str:
    """The right letter as the official qa_template gives it: that of the last candidate equal to the answer (the
    dev data repeats an answer among its candidates 6 times), "@" (the letter before "A") when no candidate is
    (2 needle questions): an item only the answer "@" gets right, kept in the denominator."""
    index = max((i for i, text in enumerate(candidates) if text == answer), default=-1)
    return chr(ord("A") + index)


def _sample(config: TaskConfig, subset: str, index: int, row: dict[str, Any], folder: Path) -> Sample:
    letters = [chr(ord("A") + i) for i in range(len(row["candidates"]))]
    options = "\n".join(f"({letter}) {text}" for letter, text in zip(letters, row["candidates"], strict=True))
    text = format_prompt(config, config.prompt, question=row["question"], options=options)
    task = row["question_type"]
    return Sample(task=config.name, sample_id=f"{subset}/{index}",
                  messages=user_turn([media_file("video", folder, f"{task}/{row['video']}")], text),
                  reference=gold_letter(row["candidates"], row["answer"]),
                  categories={MLVU_TASK_KEY: task}, cluster=f"{task}/{row['video']}")


def load_samples(config: TaskConfig) -> LoadedTask:
    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [_sample(config, part.subset, i, row, folder)
               for part in loaded.parts for i, row in enumerate(part.records())]
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder)})


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    (folder / "videos" / "count").mkdir(parents=True, exist_ok=True)
    (folder / "videos" / "order").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "count" / "colours.mp4", colour_frame)
    clip(folder / "videos" / "order" / "colours.mp4", colour_frame)
    features = datasets.Features({"video": datasets.Value("string"), "duration": datasets.Value("float64"),
                                  "question": datasets.Value("string"),
                                  "candidates": datasets.Sequence(datasets.Value("string")),
                                  "answer": datasets.Value("string"), "question_type": datasets.Value("string")})
    write_parquet([{"video": "colours.mp4", "duration": 3.0, "question": "How many colours fill the screen?",
                    "candidates": ["1", "3", "2", "4"], "answer": "3", "question_type": "count"}],
                  features, folder / "4_count.parquet")
    write_parquet([{"video": "colours.mp4", "duration": 3.0, "question": "In which order do the colours appear?",
                    "candidates": ["blue, green, red", "red, green, blue"], "answer": "red, green, blue",
                    "question_type": "order"}], features, folder / "5_order.parquet")


register(TaskSpec(
    name="mlvu",
    title="MLVU dev multiple choice, 7 tasks, M-Avg (set dataset.local_path to the JSON files, media_dir to videos)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="MLVU/MVLU", subsets=list(TASK_FILES), split="test"),
    scorer=ScorerConfig("mlvu"),
    prompt="Carefully watch this video and pay attention to every detail. Based on your observations, select the "
    "best option that accurately addresses the question.\nQuestion: {question}\nOptions:\n{options}\n"
    "Only give the best option.",
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "MLVU", "", "accuracy"),
    media=MediaConfig(fps=2.0, max_frames=768),
    smoke=SmokeVariant(fixture="mlvu", make_fixture=make_smoke_fixture, media_dir="videos",
                       subsets=("4_count", "5_order"), media={"max_frames": 8}),
))
