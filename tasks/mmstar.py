"""MMStar (Lin-Chen/MMStar, split val, 1,500 vision-indispensable questions, options A-D), VLMEvalKit's
multiple-choice prompt (an explicit evalkit choice: Qwen does not publish its MMStar prompt) and VLMEvalKit's
rule matching (scorer vlmeval_mcq), as VLMEvalKit, MMStar's official evaluation, scores it.

Rows: index, question (the question, then "Options: A: ..., B: ..., ..."), image, answer (a letter), category,
l2_category. The options are split out of the question (VLMEvalKit's TSV holds them as columns A-D) so the prompt
lists them one per line and the matcher knows their texts.
Reference: ChoiceQuestion(letter, options). Categories: category, l2_category.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample
from tasks._vlmeval_prompt import VLMEVAL_MCQ_PROMPT, render_options

COLUMNS = ("index", "question", "image", "answer", "category", "l2_category")
OPTIONS_MARK = "Options:"
OPTION = re.compile(r"([A-D]): (.*?)(?=, [A-D]: |$)", re.DOTALL)


def split_question(text: str, where: str) -> tuple[str, dict[str, str]]:
    """("question", {letter: option}) from MMStar's "question\nOptions: A: x, B: y, ..." text."""
    question, mark, listed = text.rpartition(OPTIONS_MARK)
    options = {letter: option.strip() for letter, option in OPTION.findall(listed)} if mark else {}
    if len(options) < 2:
        raise ConfigError(f"{where}: no 'Options: A: ..., B: ...' list in the question {text[-80:]!r}")
    return question.strip(), options


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} item {row['index']}"
    question, options = split_question(row["question"], where)
    text = format_prompt(config, config.prompt, question=question, options=render_options(options))
    return Sample(task=config.name, sample_id=str(row["index"]),
                  messages=user_turn([media_cell("image", row["image"], where)], text),
                  reference=ChoiceQuestion(answer=row["answer"], options=options),
                  categories={"category": row["category"], "l2_category": row["l2_category"]})


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"image": "image"})
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    rows = [
        {"index": 0, "question": "Which shape is drawn?\nOptions: A: a square, B: a circle, C: a line, D: a star",
         "image": png(lambda d: d.ellipse([12, 12, 52, 52], outline="black")), "answer": "B",
         "category": "coarse perception", "l2_category": "image scene and topic", "meta_info": {"source": "smoke"}},
        {"index": 1, "question": "What colour fills the box?\nOptions: A: red, B: green, C: blue, D: white",
         "image": png(lambda d: d.rectangle([12, 12, 52, 52], fill="blue")), "answer": "C",
         "category": "fine-grained perception", "l2_category": "attribute", "meta_info": {"source": "smoke"}},
    ]  # fmt: skip
    features = datasets.Features({
        "index": datasets.Value("int64"), "question": datasets.Value("string"), "image": datasets.Image(),
        "answer": datasets.Value("string"), "category": datasets.Value("string"),
        "l2_category": datasets.Value("string"), "meta_info": {"source": datasets.Value("string")},
    })  # fmt: skip
    write_parquet(rows, features, folder / "val.parquet")


register(TaskSpec(
    name="mmstar",
    title="MMStar val, 1,500 questions, VLMEvalKit prompt and rule matching",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="Lin-Chen/MMStar", split="val"),
    scorer=ScorerConfig("vlmeval_mcq"),
    prompt=VLMEVAL_MCQ_PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "MMStar", "", "accuracy"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="mmstar", make_fixture=make_smoke_fixture, local_path="val.parquet"),
))
