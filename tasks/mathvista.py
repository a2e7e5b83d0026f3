"""MathVista testmini (AI4Math/MathVista, split testmini, 1,000 problems), run end to end: the model answers the
dataset's own `query` (the official zero-shot query: hint, question, choices, as lupantech/MathVista's
build_query.py writes it), then the official two-stage scoring: extract_answer.py's rules, the official LLM
extractor (judge MATHVISTA_EXTRACTION) for the rest, and calculate_score.py's normalize-and-compare
(evalkit.scoring.mathvista_extraction). Without a judge the task is NOT SCORED and the rule stage alone is reported
beside; `evalkit score` also reads MathVista's output JSON (answers already extracted).

Rows: pid, question, decoded_image (the image), choices (list or None), unit, precision, answer, question_type
(multi_choice / free_form), answer_type (text / integer / float / list), metadata (task, skills, ...), query.
Reference: MathVistaQuestion(problem, query). Categories: task and skill:<skill>, as calculate_score.py reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice_files import read_mathvista
from evalkit.scoring.mathvista import MathVistaProblem, mathvista_categories
from evalkit.scoring.mathvista_extraction import MathVistaQuestion
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("pid", "decoded_image", "choices", "precision", "answer", "question_type", "answer_type", "metadata",
           "query")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} problem {row['pid']}"
    problem = MathVistaProblem(
        answer=row["answer"], question_type=row["question_type"], answer_type=row["answer_type"],
        choices=tuple(row["choices"] or ()),
        precision=None if row["precision"] is None else int(row["precision"]),
    )
    text = format_prompt(config, config.prompt, query=row["query"])
    return Sample(task=config.name, sample_id=str(row["pid"]),
                  messages=user_turn([media_cell("image", row["decoded_image"], where)], text),
                  reference=MathVistaQuestion(problem, row["query"]),
                  categories=mathvista_categories(row["metadata"] or {}))


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"decoded_image": "image"})
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    from PIL import ImageDraw

    metadata = {"split": "testmini", "task": "figure question answering", "context": "synthetic",
                "skills": ["arithmetic reasoning"]}
    def three_dots(d: ImageDraw.ImageDraw) -> None:
        for x in (8, 28, 48):
            d.ellipse([x, 28, x + 8, 36], fill="black")

    rows: list[dict[str, Any]] = [
        {"pid": "1", "question": "How many dots are there?", "image": "images/1.png",
         "decoded_image": png(three_dots),
         "choices": None, "unit": None, "precision": None, "answer": "3", "question_type": "free_form",
         "answer_type": "integer", "metadata": metadata,
         "query": "Hint: Please answer the question requiring an integer answer and provide the final value, e.g., "
                  "1, 2, 3, at the end.\nQuestion: How many dots are there?"},
        {"pid": "2", "question": "What colour is the square?", "image": "images/2.png",
         "decoded_image": png(lambda d: d.rectangle([12, 12, 52, 52], fill="blue")),
         "choices": ["red", "blue"], "unit": None, "precision": None, "answer": "blue",
         "question_type": "multi_choice", "answer_type": "text", "metadata": metadata,
         "query": "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the "
                  "end.\nQuestion: What colour is the square?\nChoices:\n(A) red\n(B) blue"},
    ]  # fmt: skip
    features = datasets.Features({
        "pid": datasets.Value("string"), "question": datasets.Value("string"), "image": datasets.Value("string"),
        "decoded_image": datasets.Image(), "choices": datasets.Sequence(datasets.Value("string")),
        "unit": datasets.Value("string"), "precision": datasets.Value("float64"), "answer": datasets.Value("string"),
        "question_type": datasets.Value("string"), "answer_type": datasets.Value("string"),
        "metadata": {"split": datasets.Value("string"), "task": datasets.Value("string"),
                     "context": datasets.Value("string"), "skills": datasets.Sequence(datasets.Value("string"))},
        "query": datasets.Value("string"),
    })  # fmt: skip
    write_parquet(rows, features, folder / "testmini.parquet")


register(TaskSpec(
    name="mathvista_testmini",
    title="MathVista testmini, 1,000 problems: the official query, rule extraction then the official LLM extractor",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="AI4Math/MathVista", split="testmini"),
    scorer=ScorerConfig("mathvista_judged"),
    prompt="{query}",
    prompt_fields=("query",),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_mathvista,
        "MathVista output JSON {pid: {extraction, choices, question_type, answer_type, precision, answer?, "
        "metadata}}; --references testmini.json supplies answers the output lacks",
        takes=("references",),
    ),
    reported=reported_in(VISION_TABLES, "MathVista", "testmini", "accuracy"),
    max_new_tokens=2048,
    smoke=SmokeVariant(fixture="mathvista", make_fixture=make_smoke_fixture, local_path="testmini.parquet"),
))
