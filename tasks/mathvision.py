"""MathVision full (MathLLMs/MathVision, split test, 3,040 competition problems: 1,532 with five options, 1,508
free-form), scored by MATH-V's own rules (scorer mathvision: evaluate.py's extraction, utils.py's LaTeX
equivalence; no LLM). `evalkit score` also reads MATH-V's answer files (JSON lines with id and response).

Prompt: MATH-V's chain-of-thought prompt (mathllm/MATH-V models/GPT4V.py, the "-CoT" runs): 'Please solve the
problem and put your answer in one "\\boxed{}". If it is a multiple choice question, only one letter is allowed in
the "\\boxed{}".', the question, and the options as "(A) ..." lines unless they are just the letters A-E (the
question's image then holds them). Qwen publishes no MathVision prompt or scorer: the prompt and the rule scorer
are evalkit's choice, recorded with every run. VLMEvalKit scores MathVision differently (a GPT extraction, then its
own is_equal); that protocol is not built here.

Rows: id, question (with "<image1>" where the figure goes), options (five texts or none), image (file name),
decoded_image, answer (a letter, or the free-form answer), solution, level (1-5), subject.
Reference: MathVisionProblem(answer, options). Categories: subject and level, as math_level_subject_acc reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice_files import read_mathvision
from evalkit.scoring.mathvision import OPTION_LETTERS, MathVisionProblem, mathvision_categories
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "question", "options", "decoded_image", "answer", "level", "subject")
COT_PROMPT = ('Please solve the problem and put your answer in one "\\boxed{{}}". If it is a multiple choice '
              'question, only one letter is allowed in the "\\boxed{{}}".\n{question}\n{options}')


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def options_block(options: list[str]) -> str:
    """The options as the official prompt lists them: none when they are only the letters A-E."""
    if not options or "".join(options) == OPTION_LETTERS:
        return ""
    return "".join(f"({letter}) {text}\n" for letter, text in zip(OPTION_LETTERS, options, strict=True))


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} problem {row['id']}"
    options = list(row["options"] or [])
    if options and len(options) != len(OPTION_LETTERS):
        raise ValueError(f"{where}: {len(options)} options; MathVision problems have 5 or none")
    if options and row["answer"] not in OPTION_LETTERS:
        raise ValueError(f"{where}: answer {row['answer']!r} is not an option letter A-E")
    text = format_prompt(config, config.prompt, question=row["question"], options=options_block(options))
    return Sample(task=config.name, sample_id=str(row["id"]),
                  messages=user_turn([media_cell("image", row["decoded_image"], where)], text),
                  reference=MathVisionProblem(str(row["answer"]), tuple(options)),
                  categories=mathvision_categories(row["subject"], int(row["level"])))


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"decoded_image": "image"})
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    from PIL import ImageDraw

    def three_dots(d: ImageDraw.ImageDraw) -> None:
        for x in (8, 28, 48):
            d.ellipse([x, 28, x + 8, 36], fill="black")

    def five_shapes(d: ImageDraw.ImageDraw) -> None:
        for i in range(5):
            d.rectangle([2 + 12 * i, 24, 10 + 12 * i, 24 + 4 * (i + 1)], fill="black")

    rows: list[dict[str, Any]] = [
        {"id": "1", "question": "How many dots are there?\n<image1>", "options": [], "image": "images/1.jpg",
         "decoded_image": png(three_dots), "answer": "3", "solution": None, "level": 1, "subject": "counting"},
        {"id": "2", "question": "Which bar is the tallest?\n<image1>", "options": list(OPTION_LETTERS),
         "image": "images/2.jpg", "decoded_image": png(five_shapes), "answer": "E", "solution": None, "level": 2,
         "subject": "metric geometry - length"},
        {"id": "3", "question": "What fraction of the dots are black?\n<image1>",
         "options": ["$\\frac{1}{3}$", "$\\frac{1}{2}$", "1", "0", "$\\frac{2}{3}$"], "image": "images/3.jpg",
         "decoded_image": png(three_dots), "answer": "C", "solution": None, "level": 3, "subject": "arithmetic"},
    ]  # fmt: skip
    features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"),
        "options": datasets.Sequence(datasets.Value("string")), "image": datasets.Value("string"),
        "decoded_image": datasets.Image(), "answer": datasets.Value("string"), "solution": datasets.Value("string"),
        "level": datasets.Value("int64"), "subject": datasets.Value("string"),
    })  # fmt: skip
    write_parquet(rows, features, folder / "test.parquet")


register(TaskSpec(
    name="mathvision",
    title="MathVision full (test), 3,040 problems: MATH-V's CoT prompt and its rule extraction and LaTeX equivalence",
    modalities=("image",),
    dataset=DatasetConfig(hub_id="MathLLMs/MathVision", split="test"),
    scorer=ScorerConfig("mathvision"),
    prompt=COT_PROMPT,
    prompt_fields=("question", "options"),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_mathvision, "MATH-V answer file: JSON lines {id, response}; --references data/test.jsonl",
        takes=("references",),
    ),
    reported=reported_in(VISION_TABLES, "MathVision", "full", "accuracy"),
    max_new_tokens=2048,
    smoke=SmokeVariant(fixture="mathvision", make_fixture=make_smoke_fixture, local_path="test.parquet"),
))
