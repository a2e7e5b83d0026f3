"""MMAU test-mini (1,000 items; Sakshi113/MMAU's mmau-test-mini.json with the test-mini audio released apart).
There is no official hub copy: set dataset.local_path to the json and dataset.media_dir to the folder the audio_id
paths ("./test-mini-audios/<id>.wav") are relative to.

Rows: id, audio_id (a path such as "./test-mini-audios/<uuid>.wav", relative to dataset.media_dir), question,
choices (option texts), answer (the right option's text), task (sound/music/speech), difficulty.
Prompt fields: {question}, {choices} (the option texts, one per line, in the dataset's order). Qwen's MMAU
prompt is not published: the prompt here is evalkit's, recorded with every run.
Reference: ChoiceQuestion(answer=<option text>, options={"A": text, ...}) for the official word-set matcher.
Categories: task and difficulty (the official breakdown).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import AUDIO_TABLE, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.choice_files import read_mmau
from evalkit.smoke_fixtures import sox_synth, speech
from evalkit.task import LoadedTask, format_prompt, load_with_media_dir, media_dir, media_file, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "audio_id", "question", "choices", "answer", "task", "difficulty")


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any], folder: Any) -> Sample:
    choices = list(row["choices"])
    if row["answer"] not in choices:
        raise ConfigError(f"{config.name} item {row['id']}: answer {row['answer']!r} is not among its choices")
    text = format_prompt(config, config.prompt, question=row["question"], choices="\n".join(choices))
    return Sample(
        task=config.name,
        sample_id=str(row["id"]),
        messages=user_turn([media_file("audio", folder, row["audio_id"])], text),
        reference=ChoiceQuestion(answer=row["answer"], options={chr(65 + i): c for i, c in enumerate(choices)}),
        categories={"task": row["task"], "difficulty": row["difficulty"]},
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_with_media_dir(config, COLUMNS, lambda _, row, folder: _sample(config, row, folder))


SMOKE_ITEMS = [
    # (id, task, difficulty, question, choices, answer, audio maker)
    ("8d5a1c0e-0001-4e55-9a00-000000000001", "speech", "easy", "What number does the speaker say?",
     ["three", "seven", "nine", "twelve"], "seven", lambda p: speech("The number is seven.", "en-us", p)),
    ("8d5a1c0e-0002-4e55-9a00-000000000002", "sound", "medium", "What is the pitch of the steady tone?",
     ["220 Hz", "440 Hz", "880 Hz", "1000 Hz"], "440 Hz", lambda p: sox_synth(p, "1.5", "sine", "440")),
    ("8d5a1c0e-0003-4e55-9a00-000000000003", "music", "hard", "How many distinct notes are played?",
     ["one", "two", "three", "four"], "three",
     lambda p: sox_synth(p, "0.5", "sine", "262", ":", "synth", "0.5", "sine", "330", ":", "synth", "0.5", "sine",
                         "392")),
]  # fmt: skip


def make_smoke_fixture(folder: Path) -> None:
    (folder / "test-mini-audios").mkdir(parents=True, exist_ok=True)
    items = []
    for uid, task, difficulty, question, choices, answer, make in SMOKE_ITEMS:
        audio_id = f"./test-mini-audios/{uid}.wav"
        make(folder / audio_id)
        items.append({"id": uid, "audio_id": audio_id, "question": question, "choices": choices, "answer": answer,
                      "dataset": "evalkit-smoke", "task": task, "split": "test-mini", "category": "fixture",
                      "sub-category": "fixture", "difficulty": difficulty})  # fmt: skip
    (folder / "mmau-test-mini.json").write_text(json.dumps(items, indent=4, ensure_ascii=False) + "\n")


register(TaskSpec(
    name="mmau_test_mini",
    title="MMAU test-mini, 1,000 sound/music/speech questions (local json + audio folder)",
    modalities=("audio",),
    dataset=DatasetConfig(hub_id="", split="test"),
    scorer=ScorerConfig("mmau"),
    prompt="{question}\nChoose the correct answer from the following options:\n{choices}",
    prompt_fields=("question", "choices"),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_mmau,
        "MMAU test-mini JSON list with the official fields (id, choices, answer, task, difficulty, sub-category) "
        "plus 'model_output'",
    ),
    reported=reported_in((AUDIO_TABLE,), "MMAU", "test_mini", "accuracy"),
    smoke=SmokeVariant(fixture="mmau", make_fixture=make_smoke_fixture, local_path="mmau-test-mini.json",
                       media_dir=""),
))
