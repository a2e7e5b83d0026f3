"""AI2D test (lmms-lab/ai2d, split test, 3,088 diagram questions, 4 options), VLMEvalKit's multiple-choice prompt
(ImageMCQDataset.build_prompt @ open-compass/VLMEvalKit e8e78f05; Qwen does not publish its AI2D prompt: an
explicit evalkit choice, recorded with every run) and VLMEvalKit's rule matching (scorer vlmeval_mcq).

Rows: question, options (list of texts), answer (the option's index as a string), image.
Reference: ChoiceQuestion(letter, options). The prompt's fields: {question}, {options} ("A. text" per line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample
from tasks._vlmeval_prompt import VLMEVAL_MCQ_PROMPT, lettered, render_options

COLUMNS = ("question", "options", "answer", "image")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, index: int, row: dict[str, Any]) -> Sample:
    where = f"{config.name} item {index}"
    options = lettered(list(row["options"]))
    text = format_prompt(config, config.prompt, question=row["question"], options=render_options(options))
    return Sample(task=config.name, sample_id=str(index),
                  messages=user_turn([media_cell("image", row["image"], where)], text),
                  reference=ChoiceQuestion(answer=chr(ord("A") + int(row["answer"])), options=options))


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"image": "image"})
    rows = loaded.rows
    return LoadedTask([_sample(config, i, row) for i, row in enumerate(rows)], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    rows = [
        {"question": "Which shape is drawn?", "options": ["square", "circle", "line", "star"], "answer": "1",
         "image": png(lambda d: d.ellipse([12, 12, 52, 52], outline="black"))},
        {"question": "What colour is the arrow?", "options": ["red", "green", "blue", "black"], "answer": "0",
         "image": png(lambda d: d.line([8, 32, 56, 32], fill="red", width=4))},
    ]  # fmt: skip
    features = datasets.Features({"question": datasets.Value("string"),
                                  "options": datasets.Sequence(datasets.Value("string")),
                                  "answer": datasets.Value("string"), "image": datasets.Image()})
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="ai2d_test",
    title="AI2D test, 3,088 diagram questions, VLMEvalKit prompt and rule matching",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="lmms-lab/ai2d", split="test"),
    scorer=ScorerConfig("vlmeval_mcq"),
    prompt=VLMEVAL_MCQ_PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "AI2D", "test", "accuracy"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="ai2d", make_fixture=make_smoke_fixture, local_path="test.parquet"),
))
