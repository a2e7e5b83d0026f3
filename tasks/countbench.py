"""CountBench (vikhyatk/CountBenchQA, split test, 491 images with a count of 2-10 objects), VLMEvalKit's prompt
and rule (CountBenchQA @ open-compass/VLMEvalKit e8e78f05: the question, then "Note that: answer with a number
directly e.g. 3. Do not include any additional text."; right when the count occurs in the answer; scorer
countbench). Qwen publishes no CountBench prompt: VLMEvalKit's is an explicit evalkit choice.

Rows: image, text (the caption), number (the count), question. Reference: the count as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, load_image_questions

COLUMNS = ("image", "number", "question")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_image_questions(config, COLUMNS, lambda row: str(row["number"]))


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    from PIL import ImageDraw

    def dots(n: int) -> dict[str, Any]:
        def draw(d: ImageDraw.ImageDraw) -> None:
            for i in range(n):
                d.ellipse([4 + 12 * i, 28, 12 + 12 * i, 36], fill="black")

        return png(draw)

    rows = [{"image": dots(n), "text": f"{n} black dots", "number": n,
             "question": "How many black dots are in the image?"} for n in (3, 4)]
    features = datasets.Features({"image": datasets.Image(), "text": datasets.Value("string"),
                                  "number": datasets.Value("int64"), "question": datasets.Value("string")})
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="countbench",
    title="CountBench, 491 counting questions, VLMEvalKit prompt and rule",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="vikhyatk/CountBenchQA", split="test"),
    scorer=ScorerConfig("countbench"),
    prompt="{question} Note that: answer with a number directly e.g. 3. Do not include any additional text.",
    prompt_fields=("question",),
    load=load_samples,
    check=check,
    reported=reported_in(VISION_TABLES, "CountBench", "", "accuracy"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="countbench", make_fixture=make_smoke_fixture, local_path="test.parquet"),
))
