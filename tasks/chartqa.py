"""ChartQA test (lmms-lab/ChartQA, split test, 2,500 questions: 1,250 human, 1,250 augmented), relaxed accuracy
(scorer relaxed_accuracy, VLMEvalKit's). Prompt: the question, then "Answer the question using a single word or
phrase." (VLMEvalKit's and Qwen-VL's short-answer instruction; Qwen3-Omni publishes none: an explicit evalkit
choice, recorded with every run).

Rows: type (human_test / augmented_test), question, answer, image. Reference: the answer. Categories: type.
"""

from __future__ import annotations

from pathlib import Path

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, load_image_questions

COLUMNS = ("type", "question", "answer", "image")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_image_questions(config, COLUMNS, lambda row: str(row["answer"]), lambda row: {"type": row["type"]})


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    from PIL import ImageDraw

    def two_bars(d: ImageDraw.ImageDraw) -> None:
        for x, h in ((8, 20), (28, 40)):
            d.rectangle([x, 60 - h, x + 10, 60], fill="black")

    bars = png(two_bars)
    rows = [
        {"type": "human_test", "question": "How many bars are there?", "answer": "2", "image": bars},
        {"type": "augmented_test", "question": "Is the right bar taller than the left one?", "answer": "Yes",
         "image": bars},
    ]  # fmt: skip
    features = datasets.Features({"type": datasets.Value("string"), "question": datasets.Value("string"),
                                  "answer": datasets.Value("string"), "image": datasets.Image()})
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="chartqa_test",
    title="ChartQA test, 2,500 chart questions, relaxed accuracy (5% numeric tolerance)",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="lmms-lab/ChartQA", split="test"),
    scorer=ScorerConfig("relaxed_accuracy"),
    prompt="{question}\nAnswer the question using a single word or phrase.",
    prompt_fields=("question",),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "ChartQA", "test", "relaxed_accuracy"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="chartqa", make_fixture=make_smoke_fixture, local_path="test.parquet"),
))
