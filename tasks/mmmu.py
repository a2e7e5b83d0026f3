"""MMMU val (MMMU/MMMU: 30 subject configs, split validation, 900 questions), with the official MMMU prompts
(PROTOCOLS.md). MMMU-Pro is tasks/mmmu_pro.py.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.choice_files import read_mmmu
from evalkit.scoring.mmmu import OFFICIAL_SUBJECT_ORDER, mmmu_categories, subject_of
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import MediaPart, MediaRef, Message, Sample, TextPart

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


def literal_list(text: str, where: str) -> list[str]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ConfigError(f"{where}: cannot read {text!r} as a list") from exc
    return [str(v) for v in value]


def _answer(raw: str, where: str) -> str | tuple[str, ...]:
    """A few MMMU answers hold several accepted values as a list literal."""
    return tuple(literal_list(raw, where)) if raw.strip().startswith("[") else raw


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
    options = literal_list(row["options"], where) if row["question_type"] == "multiple-choice" else []
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
        reference=ChoiceQuestion(answer=_answer(row["answer"], where), options=letters,
                                 question_type=row["question_type"]),
        categories=categories,
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    columns: dict[str, datasets_io.MediaColumnKind] = {c: "image" for c in IMAGE_COLUMNS}
    loaded = datasets_io.load(config.dataset, COLUMNS, columns)
    samples = [_sample(config, row) for row in loaded.rows]
    return LoadedTask(samples, {**loaded.provenance, "image_placement": config.options.get("image_placement", "front")})


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    image_columns = {f"image_{n}": datasets.Image() for n in range(1, 8)}
    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"), "options": datasets.Value("string"),
        "explanation": datasets.Value("string"), **image_columns, "img_type": datasets.Value("string"),
        "answer": datasets.Value("string"), "topic_difficulty": datasets.Value("string"),
        "question_type": datasets.Value("string"), "subfield": datasets.Value("string"),
    })  # fmt: skip
    swatch = {c: (lambda d, c=c: d.rectangle([8, 8, 56, 56], fill=c)) for c in ("red", "blue")}
    # (id, question, options, answer, question_type, difficulty, subfield, what each image draws)
    subjects: dict[str, list[tuple[str, str, str, str, str, str, str, list[Callable[[Any], object]]]]] = {
        "Math": [
            ("validation_Math_1", "Which shape is shown in <image 1>?", "['Square', 'Circle', 'Triangle', 'Star']", "B",
             "multiple-choice", "Easy", "Geometry", [lambda d: d.ellipse([12, 12, 52, 52], fill="red")]),
            ("validation_Math_2", "How many black dots are in <image 1>?", "[]", "3", "open", "Medium", "Counting",
             [lambda d: [d.ellipse([x, 28, x + 8, 36], fill="black") for x in (8, 28, 48)]]),
        ],
        "Art": [
            ("validation_Art_1", "<image 1> and <image 2> are colour swatches. Which colour is shown in <image 2>?",
             "['Red', 'Green', 'Blue', 'Yellow']", "C", "multiple-choice", "Easy", "Drawing and Painting",
             [swatch["red"], swatch["blue"]]),
        ],
    }  # fmt: skip
    for subject, items in subjects.items():
        rows = []
        for uid, question, options, answer, qtype, difficulty, subfield, drawings in items:
            images: dict[str, dict[str, Any] | None] = {f"image_{n}": None for n in range(1, 8)}
            images.update({f"image_{i + 1}": png(draw) for i, draw in enumerate(drawings)})
            rows.append({"id": uid, "question": question, "options": options, "explanation": "", **images,
                         "img_type": "['Diagrams']", "answer": answer, "topic_difficulty": difficulty,
                         "question_type": qtype, "subfield": subfield})  # fmt: skip
        write_parquet(rows, features, folder / f"{subject}.parquet")


register(TaskSpec(
    name="mmmu_val",
    title="MMMU validation, 900 questions over 30 subjects, official MMMU prompts and parser",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="MMMU/MMMU", subsets=list(OFFICIAL_SUBJECT_ORDER), split="validation"),
    scorer=ScorerConfig("mmmu", {"mode": "parse"}),
    prompt="{question}\n\n{options}\n\nAnswer with the option's letter from the given choices directly.",
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_mmmu,
        "either a folder of <Subject>/output.json (main_parse_and_eval.py input: id, question_type, answer, "
        "all_choices, index2ans, response), or an eval-only JSON {id: parsed answer} with --references "
        "answer_dict_val.json ({id: {question_type, ground_truth}})",
        takes=("references",),
    ),
    reported=reported_in(VISION_TABLES, "MMMU", "val", "accuracy"),
    max_new_tokens=1024,
    options={"open_prompt": "{question}\n\nAnswer the question using a single word or phrase.",
             "image_placement": "front"},
    smoke=SmokeVariant(fixture="mmmu", make_fixture=make_smoke_fixture, subsets=("Art", "Math")),
))
