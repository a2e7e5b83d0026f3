"""Daily-Omni (liarliar/Daily-Omni: qa.json, 1,197 questions on 684 videos of 30 s and 60 s; Videos.tar), the
paper's audio-visual Thinking row. Set dataset.local_path to qa.json and dataset.media_dir to the extracted
Videos/ folder, which holds `<video_id>/<video_id>_video.mp4`.

Rows: Question, Choice (["A. ...", ...]), Answer (letter), video_id, Type, video_category, video_duration.
Audio is the video's own track (media.use_audio_in_video; the official Qwen2.5-Omni script takes it from the
video the same way); a video without one fails its sample naming the file. Prompt: the official one from
Lliar-liar/Daily-Omni @ fccb838 test_model/Qwen2.5-Omni/testmodel.py, its choices printed as the Python list the
script formats; deviations: no system prompt (the script sends Qwen's default one; Qwen's own evaluations use
none) and the video before the text (the script puts it after). Scored as that script does
(evalkit.scoring.dailyomni). Categories: Type, video_category, video_duration. Cluster: the video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, MediaConfig, ScorerConfig, TaskConfig
from evalkit.registry import AV_THINKING_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import clip, flat_frames
from evalkit.task import LoadedTask, format_prompt, load_with_media_dir, media_dir, media_file, user_turn
from evalkit.types import Sample

COLUMNS = ("Question", "Choice", "Answer", "video_id", "Type", "video_category", "video_duration")
PROMPT = (
    "\nYour task is to accurately answer multiple-choice questions based on the given video.\n"
    "Select the single most accurate answer from the given choices.\n"
    "Question: {question}\n"
    "Choices: {choices}\n"
    "Your answer should be a capital letter representing your choice: A, B, C, or D. Don't generate any other "
    "text.\n"
)


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, index: int, row: dict[str, Any], folder: Path) -> Sample:
    video = row["video_id"]
    return Sample(
        task=config.name,
        sample_id=f"{index:04d}-{video}",  # qa.json has no question id; its order is stable
        messages=user_turn([media_file("video", folder, f"{video}/{video}_video.mp4")],
                           format_prompt(config, config.prompt, question=row["Question"],
                                         choices=str(list(row["Choice"])))),
        reference=row["Answer"],
        categories={"type": row["Type"], "video_category": row["video_category"],
                    "duration": row["video_duration"]},
        cluster=video,
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_with_media_dir(config, COLUMNS, lambda index, row, folder: _sample(config, index, row, folder))


def make_smoke_fixture(folder: Path) -> None:
    import json

    for video, rgb, hz in (("smokeGreen440", (0, 200, 0), 440), ("smokeRed880", (220, 0, 0), 880)):
        (folder / "Videos" / video).mkdir(parents=True, exist_ok=True)
        clip(folder / "Videos" / video / f"{video}_video.mp4", flat_frames(rgb), tone_hz=hz)
    rows = [
        {"Question": "What colour is on screen while the tone plays?",
         "Choice": ["A. Red", "B. Green", "C. Blue", "D. White"], "Answer": "B", "video_id": "smokeGreen440",
         "Type": "AV Event Alignment", "content_parent_category": "Music", "content_fine_category": "Tones",
         "video_category": "Music", "video_duration": "30s"},
        {"Question": "Does the sound change pitch?", "Choice": ["A. Yes, it rises", "B. Yes, it falls",
         "C. No, it stays steady", "D. There is no sound"], "Answer": "C", "video_id": "smokeGreen440",
         "Type": "Context understanding", "content_parent_category": "Music", "content_fine_category": "Tones",
         "video_category": "Music", "video_duration": "30s"},
        {"Question": "What colour is on screen?", "Choice": ["A. Red", "B. Green", "C. Blue", "D. White"],
         "Answer": "A", "video_id": "smokeRed880", "Type": "Event Sequence", "content_parent_category": "Music",
         "content_fine_category": "Tones", "video_category": "Music", "video_duration": "60s"},
    ]  # fmt: skip
    (folder / "qa.json").write_text(json.dumps(rows, indent=4) + "\n")


register(TaskSpec(
    name="dailyomni",
    title="Daily-Omni, 1,197 audio-visual questions on 684 videos (local qa.json + Videos folder)",
    modalities=("video",),
    dataset=DatasetConfig(hub_id="liarliar/Daily-Omni", split="train"),
    scorer=ScorerConfig("dailyomni"),
    prompt=PROMPT,
    prompt_fields=("question", "choices"),
    load=load_samples,
    check=check,
    reported=reported_in((AV_THINKING_TABLE,), "DailyOmni", "", "accuracy"),
    media=MediaConfig(fps=2.0, max_frames=768, use_audio_in_video=True),
    smoke=SmokeVariant(fixture="dailyomni", make_fixture=make_smoke_fixture, local_path="qa.json",
                       media_dir="Videos", media={"max_frames": 8}),
))
