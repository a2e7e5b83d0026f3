"""MMAU test-mini (1,000 items; Sakshi113/MMAU's mmau-test-mini.json with the test-mini audio released apart).

Rows: id, audio_id (a path such as "./test-mini-audios/<uuid>.wav", relative to dataset.media_dir), question,
choices (option texts), answer (the right option's text), task (sound/music/speech), difficulty.
Prompt fields: {question}, {choices} (the option texts, one per line, in the dataset's order). Qwen's MMAU
prompt is not published: the prompt in the task config is evalkit's, recorded with every run.
Reference: ChoiceQuestion(answer=<option text>, options={"A": text, ...}) for the official word-set matcher.
Categories: task and difficulty (the official breakdown).
"""

from __future__ import annotations

from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, TaskConfig
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

PROMPT_FIELDS = ("question", "choices")
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
    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [_sample(config, row, folder) for part in loaded.parts for row in part.rows]
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder)})
