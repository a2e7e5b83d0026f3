"""MMSU reasoning (ddwang2000/MMSU: 5,000 spoken-language questions on 47 tasks; the paper's "MMSU reasoning"
column is the items whose category is "reasoning"; options.category selects it, null keeps all).

Rows (the official release's fields, as dingdongwang/MMSU_Bench mmsu_inference.py reads them): id, audio (a
datasets Audio cell, or a path relative to dataset.media_dir), question, choice_a..choice_d, answer_gt (the right
choice's text), task_name, category (perception / reasoning), sub-category. The hub revision is not pinned (no
commit known); the hub column names follow the official json and are checked before the model loads.
Prompt: the official one (mmsu_inference.py @ f0ef334). Scored by mmsu_evaluation.py's rules (evalkit.scoring.mmsu).
Categories: sub-category and task_name.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import AUDIO_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.smoke_fixtures import audio_cell, speech, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "audio", "question", "choice_a", "choice_b", "choice_c", "choice_d", "answer_gt", "task_name",
           "category", "sub-category")
PROMPT = ("Choose the most suitable answer from options A, B, C, and D to respond the question in next line, **you "
          "should only choose A or B or C or D.** Do not provide any additional explanations or content.\n\n"
          "Question: {question}\n\n{choices}")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    options = {letter: row[f"choice_{letter.lower()}"] for letter in "ABCD"}
    if row["answer_gt"] not in options.values():
        raise ConfigError(f"{config.name} item {row['id']}: answer_gt {row['answer_gt']!r} is not one of its choices")
    # The official prompt prints a missing choice as "None" (an f-string of Python's None); kept.
    choices = "\n".join(f"{letter}. {text}" for letter, text in options.items())
    folder = datasets_io.resolve_path(config.dataset.media_dir) if config.dataset.media_dir else None
    return Sample(
        task=config.name,
        sample_id=str(row["id"]),
        messages=user_turn([media_cell("audio", row["audio"], f"{config.name} item {row['id']}", folder)],
                           format_prompt(config, config.prompt, question=row["question"], choices=choices)),
        reference=ChoiceQuestion(row["answer_gt"], options),
        categories={"sub_category": row["sub-category"], "task_name": row["task_name"]},
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    category = config.options.get("category")
    loaded = datasets_io.load(config.dataset, COLUMNS, {"audio": "audio"})
    rows = [row for row in loaded.rows if category is None or row["category"] == category]
    if not rows:
        raise ConfigError(f"task {config.name!r}: no rows with category {category!r}; check options.category")
    return LoadedTask([_sample(config, row) for row in rows], {**loaded.provenance, "category": category})


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    items = [
        ("mmsu-smoke-1", "reasoning", "What number does the speaker say?", ["three", "seven", "nine", "ten"], "seven",
         "The number is seven."),
        ("mmsu-smoke-2", "reasoning", "Is the speaker asking a question?", ["yes", "no", "unclear", "both"], "yes",
         "Are you coming tomorrow?"),
        ("mmsu-smoke-3", "perception", "How many words are spoken?", ["one", "two", "three", "four"], "two",
         "Good morning."),
    ]  # fmt: skip
    rows = [{"id": uid, "audio": audio_cell(partial(speech, text, "en-us"), f"{uid}.wav"),
             "question": question, **{f"choice_{letter}": c for letter, c in zip("abcd", choices, strict=True)},
             "answer_gt": answer,
             "task_name": "smoke", "category": category, "sub-category": "semantics"}
            for uid, category, question, choices, answer, text in items]  # fmt: skip
    features = datasets.Features({"id": datasets.Value("string"), "audio": datasets.Audio(),
                                  **{c: datasets.Value("string") for c in COLUMNS[2:]}})
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="mmsu_reasoning",
    title="MMSU reasoning items (of 5,000 spoken-language questions)",
    modalities=("audio",),
    dataset=DatasetConfig(hub_id="ddwang2000/MMSU", split="train"),
    scorer=ScorerConfig("mmsu"),
    prompt=PROMPT,
    prompt_fields=("question", "choices"),
    load=load_samples,
    check=check,
    reported=reported_in((AUDIO_TABLE,), "MMSU", "reasoning", "accuracy"),
    options={"category": "reasoning"},
    smoke=SmokeVariant(fixture="mmsu", make_fixture=make_smoke_fixture, local_path="test.parquet"),
))
