"""HallusionBench (lmms-lab/HallusionBench, split image: the 951 questions with a figure), yes/no questions about
original and edited figures, scored by VLMEvalKit's rules: aAcc, fAcc, qAcc and their mean (the headline; scorer
hallusionbench, whose `metric` option picks one of the three instead).

Rows: category (VD / VS), subcategory, set_id, figure_id, question_id, question, gt_answer ("1" yes, "0" no),
filename, image. Prompt: the question alone (VLMEvalKit's default for yes/no datasets; Qwen publishes none).
Reference: HallusionQuestion(Yes/No, figure group, question group), groups keyed as VLMEvalKit's Hallusion_rating
keys them. Categories: category, subcategory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.hallusionbench import HallusionQuestion
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("category", "subcategory", "set_id", "figure_id", "question_id", "question", "gt_answer", "image")
ANSWERS = {"1": "Yes", "0": "No"}


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    key = f"{row['category']}_{row['subcategory']}_{row['set_id']}_{row['figure_id']}_{row['question_id']}"
    where = f"{config.name} item {key}"
    if str(row["gt_answer"]) not in ANSWERS:
        raise ConfigError(f"{where}: gt_answer {row['gt_answer']!r} is neither '1' nor '0'")
    group = f"{row['subcategory']}_{row['set_id']}"
    reference = HallusionQuestion(ANSWERS[str(row["gt_answer"])], f"{group}_{row['figure_id']}",
                                  f"{group}_{row['question_id']}")
    return Sample(task=config.name, sample_id=key,
                  messages=user_turn([media_cell("image", row["image"], where)],
                                     format_prompt(config, config.prompt, question=row["question"])),
                  reference=reference, categories={"category": row["category"], "subcategory": row["subcategory"]},
                  cluster=group)  # a set holds every figure and question group it shares


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"image": "image"})
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    red = png(lambda d: d.rectangle([12, 12, 52, 52], fill="red"))
    blue = png(lambda d: d.rectangle([12, 12, 52, 52], fill="blue"))
    rows = [  # one set: two figures (original, edited), one question asked of each
        {"category": "VD", "subcategory": "illusion", "visual_input": "1", "set_id": "0", "figure_id": str(figure),
         "sample_note": "smoke", "question_id": "0", "question": "Is the square red?", "gt_answer_details": "",
         "gt_answer": answer, "filename": f"./hallusion_bench/VD/illusion/0_{figure}.png", "image": image}
        for figure, answer, image in ((0, "1", red), (1, "0", blue))
    ]  # fmt: skip
    features = datasets.Features({**{k: datasets.Value("string") for k in rows[0] if k != "image"},
                                  "image": datasets.Image()})
    write_parquet(rows, features, folder / "image.parquet")


register(TaskSpec(
    name="hallusionbench",
    title="HallusionBench, 951 yes/no questions on figures: mean of aAcc, fAcc, qAcc (VLMEvalKit)",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="lmms-lab/HallusionBench", split="image"),
    scorer=ScorerConfig("hallusionbench"),
    prompt="{question}",
    prompt_fields=("question",),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "HallusionBench", "", "accuracy"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="hallusionbench", make_fixture=make_smoke_fixture, local_path="image.parquet"),
))
