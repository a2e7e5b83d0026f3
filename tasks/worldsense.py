"""WorldSense (honglyhly/WorldSense: 3,172 questions on 1,662 videos with their audio), the paper's audio-visual
Instruct row. The hub holds a json and zipped videos (a snapshot, not a `datasets` table): set dataset.local_path
to worldsense_qa.json and dataset.media_dir to the folder of `<video>.mp4` (the unzipped videos/).

Rows (worldsense_qa.json): {video: {duration, domain, sub_category, audio_class, video_caption, task1: {question,
candidates ["A. ...", ...], answer (letter), task_domain, task_type}, task2: ...}}; one sample per task entry.
Audio is the video's own track (media.use_audio_in_video, as Qwen runs audio-visual input); a video without one
fails its sample naming the file. Prompt: VLMEvalKit's WorldSense prompt for a video model with audio (the
evaluation the WorldSense README points to; Qwen publishes none), its system text moved after the video as the
user text, since Qwen uses no system prompt. Scored as VLMEvalKit does (evalkit.scoring.worldsense).
Categories: duration, domain, task_domain, task_type. Cluster: the video.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit.config import ConfigError, DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.datasets_io import DatasetError, resolve_path
from evalkit.registry import AV_INSTRUCT_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import clip, flat_frames
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

PROMPT = (
    "Carefully watch this video and pay attention to every detail. Based on your observations, select the best "
    "option that accurately addresses the question.\n"
    "These are the frames of a video and the corresponding audio. Select the best answer to the following "
    "multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct "
    "option.\nQuestion: {question}\n{options}\nAnswer: "
)
TASK_FIELDS = ("question", "candidates", "answer", "task_domain", "task_type")


def _qa_file(config: TaskConfig) -> Path:
    if config.dataset.local_path is None:
        raise ConfigError(f"task {config.name!r}: set tasks.{config.name}.dataset.local_path to worldsense_qa.json "
                          "(from the honglyhly/WorldSense snapshot); it is not a datasets table")
    path = resolve_path(config.dataset.local_path)
    if not path.is_file():
        raise DatasetError(f"dataset.local_path {path} is not a file; point it at worldsense_qa.json")
    return path


def check(config: TaskConfig) -> None:
    _qa_file(config)
    media_dir(config)


def _samples(config: TaskConfig, videos: dict[str, Any], folder: Path) -> list[Sample]:
    samples = []
    for video, entry in videos.items():
        for key in sorted((k for k in entry if k.startswith("task")), key=lambda k: int(k[4:] or 0)):
            task = entry[key]
            missing = [f for f in TASK_FIELDS if f not in task]
            if missing:
                raise DatasetError(f"worldsense_qa.json: {video}.{key} lacks {missing}")
            samples.append(Sample(
                task=config.name,
                sample_id=f"{video}-{key}",
                messages=user_turn([media_file("video", folder, f"{video}.mp4")], format_prompt(
                    config, config.prompt, question=task["question"], options="\n".join(task["candidates"]))),
                reference=task["answer"],
                categories={"duration": entry["duration"], "domain": entry["domain"],
                            "task_domain": task["task_domain"], "task_type": task["task_type"]},
                cluster=video,
            ))
    return samples


def load_samples(config: TaskConfig) -> LoadedTask:
    path, folder = _qa_file(config), media_dir(config)
    samples = _samples(config, json.loads(path.read_text(encoding="utf-8")), folder)
    require_media(config, samples)
    return LoadedTask(samples, {"source": "local", "hub_id": config.dataset.hub_id, "local_path": str(path),
                                "media_dir": str(folder)})


def make_smoke_fixture(folder: Path) -> None:
    (folder / "videos").mkdir(parents=True, exist_ok=True)
    clip(folder / "videos" / "smokeRed440.mp4", flat_frames((220, 0, 0)), tone_hz=440)
    clip(folder / "videos" / "smokeBlue880.mp4", flat_frames((0, 0, 220)), tone_hz=880)
    colours = ["A. Red.", "B. Green.", "C. Blue.", "D. Yellow."]
    qa = {
        "smokeRed440": {"duration": "<1min", "domain": "Music", "sub_category": "Covers", "audio_class": "['Music']",
                        "video_caption": "A red screen with a steady tone.",
                        "task1": {"question": "What colour fills the screen?", "candidates": colours, "answer": "A",
                                  "task_domain": "Recognition", "task_type": "Attribute Recognition"},
                        "task2": {"question": "Is the tone high or low?",
                                  "candidates": ["A. High.", "B. Low.", "C. Silent.", "D. Rising."], "answer": "B",
                                  "task_domain": "Recognition", "task_type": "Audio Recognition"}},
        "smokeBlue880": {"duration": "<1min", "domain": "Music", "sub_category": "Covers", "audio_class": "['Music']",
                         "video_caption": "A blue screen with a high tone.",
                         "task1": {"question": "What colour fills the screen?", "candidates": colours, "answer": "C",
                                   "task_domain": "Recognition", "task_type": "Attribute Recognition"}},
    }  # fmt: skip
    (folder / "worldsense_qa.json").write_text(json.dumps(qa, indent=1) + "\n")


register(TaskSpec(
    name="worldsense",
    title="WorldSense, 3,172 audio-visual questions on 1,662 videos (local worldsense_qa.json + videos)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="honglyhly/WorldSense", split="test"),
    scorer=ScorerConfig("worldsense"),
    prompt=PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in((AV_INSTRUCT_TABLE,), "WorldSense", "", "accuracy"),
    media=MediaConfig(fps=2.0, max_frames=768, use_audio_in_video=True),
    smoke=SmokeVariant(fixture="worldsense", make_fixture=make_smoke_fixture, local_path="worldsense_qa.json",
                       media_dir="videos", media={"max_frames": 8}),
))
