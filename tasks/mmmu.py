"""MMMU val (MMMU/MMMU: 30 subject configs, split validation, 900 questions).

Rows: id ("validation_Art_Theory_12"), question, options (a string holding a Python list), answer,
question_type ("multiple-choice" / "open"), image_1..image_7, topic_difficulty, subfield.
Prompts, from the official MMMU evaluation: `prompt` (multiple choice; fields {question}, {options}, the options
rendered "(A) text" one per line) and options.open_prompt (open questions; field {question}).
Images: those whose `<image N>` tags occur in the question or the options, in tag-number order, each once (as
lmms-eval's MMMU task selects them). options.image_placement: "front" (default: every image before the text,
tags left in the text, as lmms-eval and Qwen's media-first convention do) or "interleaved" (each tag replaced by
its image where it first occurs).
Reference: ChoiceQuestion(answer, options, question_type); answer is a letter, or for open questions the accepted
answer string(s). Categories: subject, discipline (MMMU's six), difficulty.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, TaskConfig
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.mmmu import mmmu_categories, subject_of
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import MediaPart, MediaRef, Message, Sample, TextPart

PROMPT_FIELDS = ("question", "options")
IMAGE_COLUMNS = tuple(f"image_{n}" for n in range(1, 8))
COLUMNS = ("id", "question", "options", "answer", "question_type", "image_1")
IMAGE_TAG = re.compile(r"<image (\d+)>")
PLACEMENTS = ("front", "interleaved")


def check(config: TaskConfig) -> None:
    if config.options.get("image_placement", "front") not in PLACEMENTS:
        raise ConfigError(f"task {config.name!r}: options.image_placement must be one of {', '.join(PLACEMENTS)}")
    if "open_prompt" not in config.options:
        raise ConfigError(f"task {config.name!r}: options.open_prompt (the open-question prompt) is required")
    datasets_io.check(config.dataset, COLUMNS)


def _literal_list(text: str, where: str) -> list[str]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ConfigError(f"{where}: cannot read {text!r} as a list") from exc
    return [str(v) for v in value]


def _answer(raw: str, where: str) -> str | tuple[str, ...]:
    """A few MMMU answers hold several accepted values as a list literal."""
    return tuple(_literal_list(raw, where)) if raw.strip().startswith("[") else raw


def _interleave(text: str, images: dict[int, MediaRef]) -> tuple[Message, ...]:
    parts: list[Any] = []
    placed: set[int] = set()
    cursor = 0
    for tag in IMAGE_TAG.finditer(text):
        number = int(tag.group(1))
        if number in placed:
            continue
        if text[cursor : tag.start()].strip():
            parts.append(TextPart(text[cursor : tag.start()].strip()))
        parts.append(MediaPart(images[number]))
        placed.add(number)
        cursor = tag.end()
    parts.append(TextPart(text[cursor:].strip()))
    return (Message(role="user", parts=tuple(parts)),)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} item {row['id']}"
    options = _literal_list(row["options"], where) if row["question_type"] == "multiple-choice" else []
    letters = {chr(65 + i): option for i, option in enumerate(options)}
    if options:
        rendered = "\n".join(f"({letter}) {option}" for letter, option in letters.items())
        text = format_prompt(config, config.prompt, question=row["question"], options=rendered)
    else:
        text = format_prompt(config, config.options["open_prompt"], question=row["question"])
    numbers = sorted({int(n) for n in IMAGE_TAG.findall(row["question"] + "\n" + "\n".join(options))})
    images = {}
    for n in numbers:
        if n > len(IMAGE_COLUMNS) or row.get(f"image_{n}") is None:
            raise ConfigError(f"{where}: the text names <image {n}> but the row has no image_{n}")
        images[n] = media_cell("image", row[f"image_{n}"], where)
    if config.options.get("image_placement", "front") == "interleaved":
        messages = _interleave(text, images)
    else:
        messages = user_turn(list(images.values()), text)
    subject = subject_of(row["id"])
    categories = dict(mmmu_categories(subject))
    if row.get("topic_difficulty"):
        categories["difficulty"] = row["topic_difficulty"]
    return Sample(
        task=config.name,
        sample_id=row["id"],
        messages=messages,
        reference=ChoiceQuestion(answer=_answer(row["answer"], where), options=letters, question_type=row["question_type"]),
        categories=categories,
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    columns = {c: "image" for c in IMAGE_COLUMNS}
    loaded = datasets_io.load(config.dataset, COLUMNS, columns)  # type: ignore[arg-type]
    samples = [_sample(config, row) for part in loaded.parts for row in part.rows]
    return LoadedTask(samples, {**loaded.provenance, "image_placement": config.options.get("image_placement", "front")})
