"""MMMU-Pro (MMMU/MMMU_Pro, split test): "standard (10 options)" (1,730 questions, up to 10 options, images from
the question) and "vision" (1,730 screenshots holding question and options, the image alone), with MMMU-Pro's
own prompts (mmmu-pro/prompts.yaml and infer/infer_gpt.py @ MMMU-Benchmark/MMMU bb0b95a) and its scorer.

Rows, standard: id, question, options (a list's string form), answer (a letter), image_1..image_7,
topic_difficulty, subject. Vision: id, image, options, answer, subject.
Prompt, standard: "{question}\n{options}\n{instruction}", options rendered "A. text" one per line, each
`<image N>` tag replaced by "<image>" and its image given in tag order (repeats kept, as infer_gpt.py does);
vision: the instruction alone. options.mode picks the instruction pair: "cot" (default; Qwen does not say which
mode it used, an explicit evalkit choice) or "direct". Images go before the text (Qwen's media-first convention;
infer_gpt.py sends the text first).
Tasks: mmmu_pro (both settings; the paper's column is their mean, the `setting` category), mmmu_pro_standard10
and mmmu_pro_vision (one setting each; `evalkit score` also reads mmmu-pro's output files for them).
Reference: ChoiceQuestion(letter, options). Categories: setting, subject, discipline, difficulty (standard).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import VISION_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.choice_files import read_mmmu_pro
from evalkit.scoring.mmmu import mmmu_categories
from evalkit.scoring.mmmu_pro import SETTING_KEY
from evalkit.smoke_fixtures import png, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample
from tasks.mmmu import literal_list

STANDARD = "standard (10 options)"
VISION = "vision"
INSTRUCTIONS = {  # mode -> setting -> the instruction (mmmu-pro/prompts.yaml)
    "cot": {
        STANDARD: "Answer the preceding multiple choice question. The last line of your response should be of the "
                  "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of options. Think step by "
                  "step before answering.",
        VISION: "Write out the multiple-choice question in the image and then solve it. The last line of your "
                "response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one "
                "of options. Think step by step before answering.",
    },
    "direct": {
        STANDARD: "Answer with the option letter from the given choices directly.",
        VISION: "Answer with the option letter from the given choices directly. The last line of your response "
                "should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of options.",
    },
}
COLUMNS = ("id", "options", "answer", "subject")
IMAGE_TAG = re.compile(r"<image\s+(\d+)>")
MEDIA_COLUMNS = {c: "image" for c in ("image", *(f"image_{n}" for n in range(1, 8)))}


def check(config: TaskConfig) -> None:
    if config.options.get("mode") not in INSTRUCTIONS:
        raise ConfigError(f"task {config.name!r}: options.mode must be one of {', '.join(INSTRUCTIONS)}")
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, setting: str, row: dict[str, Any]) -> Sample:
    where = f"{config.name} {setting} item {row['id']}"
    texts = literal_list(str(row["options"]), where)
    options = {chr(ord("A") + i): text for i, text in enumerate(texts)}
    instruction = INSTRUCTIONS[config.options["mode"]][setting]
    if setting == VISION:
        images, text = [media_cell("image", row.get("image"), where)], instruction
    else:
        rendered = "\n".join(f"{letter}. {option}" for letter, option in options.items())
        full = format_prompt(config, config.prompt, question=row["question"], options=rendered, instruction=instruction)
        numbers = [int(n) for n in IMAGE_TAG.findall(full)]
        for n in numbers:
            if row.get(f"image_{n}") is None:
                raise ConfigError(f"{where}: the text names <image {n}> but the row has no image_{n}")
        images = [media_cell("image", row[f"image_{n}"], where) for n in numbers]
        text = IMAGE_TAG.sub("<image>", full)
    categories = {SETTING_KEY: setting, **mmmu_categories(row["subject"])}
    if row.get("topic_difficulty"):
        categories["difficulty"] = row["topic_difficulty"]
    return Sample(task=config.name, sample_id=f"{setting}/{row['id']}", messages=user_turn(images, text),
                  reference=ChoiceQuestion(answer=row["answer"], options=options), categories=categories)


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, MEDIA_COLUMNS)  # type: ignore[arg-type]
    samples = [_sample(config, part.subset, row) for part in loaded.parts for row in part.records()]
    return LoadedTask(samples, {**loaded.provenance, "mode": config.options["mode"]})


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    options = "['Circle', 'Square', 'Triangle', 'Star', 'Hexagon', 'Line', 'Dot', 'Cross', 'Arrow', 'Heart']"
    circle = png(lambda d: d.ellipse([12, 12, 52, 52], fill="red"))
    square = png(lambda d: d.rectangle([12, 12, 52, 52], fill="blue"))
    standard_features = datasets.Features({
        "id": datasets.Value("string"), "question": datasets.Value("string"), "options": datasets.Value("string"),
        "explanation": datasets.Value("string"), **{f"image_{n}": datasets.Image() for n in range(1, 8)},
        "img_type": datasets.Value("string"), "answer": datasets.Value("string"),
        "topic_difficulty": datasets.Value("string"), "subject": datasets.Value("string"),
    })  # fmt: skip
    blank = {f"image_{n}": None for n in range(1, 8)}
    standard = [
        {"id": "test_Math_1", "question": "Which shape is shown in <image 1>?", "options": options,
         "explanation": "", **blank, "image_1": circle, "img_type": "['Diagrams']", "answer": "A",
         "topic_difficulty": "Easy", "subject": "Math"},
        {"id": "test_Art_2", "question": "<image 1> shows a shape. Which one?", "options": options,
         "explanation": "", **blank, "image_1": square, "img_type": "['Diagrams']", "answer": "B",
         "topic_difficulty": "Medium", "subject": "Art"},
    ]  # fmt: skip
    write_parquet(standard, standard_features, folder / f"{STANDARD}.parquet")
    vision_features = datasets.Features({
        "id": datasets.Value("string"), "image": datasets.Image(), "options": datasets.Value("string"),
        "answer": datasets.Value("string"), "subject": datasets.Value("string"),
    })  # fmt: skip
    screenshot = png(lambda d: d.text((4, 24), "A. red  B. blue", fill="black"))
    write_parquet([{"id": "test_Art_3", "image": screenshot, "options": "['red', 'blue']", "answer": "A",
                    "subject": "Art"}], vision_features, folder / f"{VISION}.parquet")


_FORMAT = OfficialFormat(
    read_mmmu_pro,
    "MMMU-Pro JSON lines as mmmu-pro/evaluate.py reads them: id, options (list or its string form), answer (letter), "
    "subject, topic_difficulty, response",
)
for _name, _settings, _scorer, _title, _reported, _format in (
    ("mmmu_pro", (STANDARD, VISION), "mmmu_pro_overall",
     "MMMU-Pro overall: the mean of standard (10 options) and vision, 2 x 1,730 questions",
     reported_in(VISION_TABLES, "MMMU-Pro", "", "accuracy"), None),
    ("mmmu_pro_standard10", (STANDARD,), "mmmu_pro", "MMMU-Pro standard, 10 options, 1,730 questions", (), _FORMAT),
    ("mmmu_pro_vision", (VISION,), "mmmu_pro", "MMMU-Pro vision, the question inside the image, 1,730 questions",
     (), _FORMAT),
):
    register(TaskSpec(
        name=_name,
        title=_title,
        modalities=("image",),
        dataset=DatasetConfig(hub_id="MMMU/MMMU_Pro", subsets=list(_settings), split="test"),
        scorer=ScorerConfig(_scorer),
        prompt="{question}\n{options}\n{instruction}",
        prompt_fields=("question", "options", "instruction"),
        load=load_samples,
        check=check,
        official_format=_format,
        reported=_reported,
        max_new_tokens=4096,  # infer_gpt.py's max_tokens
        options={"mode": "cot"},
        smoke=SmokeVariant(fixture="mmmu_pro", make_fixture=make_smoke_fixture),
    ))
