"""GPQA Diamond (Idavidrein/gpqa, config gpqa_diamond, split train, 198 questions; gated on the hub), read and
scored as OpenAI's simple-evals does (evalkit.scoring.gpqa): the four answers shuffled, the simple-evals prompt,
the first "Answer: X" line.

Rows: Record ID, Question, Correct Answer, Incorrect Answer 1..3, High-level domain (the category).
Choice order: the dataset lists the correct answer first, so the options are shuffled; the permutation of every
question is drawn as simple-evals draws it (one `random.Random(options.shuffle_seed)`, `rng.sample(range(4), 4)`
per question in row order, repeat after repeat; seed 0 is simple-evals'), so it is recorded by the seed and the
row order, and each sample's prompt holds its options.
options.samples_per_problem: each question asked k times, each time with its next permutation (simple-evals'
n_repeats; its default is 4). evalkit's default is 1: Qwen does not state GPQA's repeats.
Prompt: simple-evals' QUERY_TEMPLATE_MULTICHOICE (evalkit's choice: Qwen publishes no GPQA prompt).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.task import LoadedTask, as_draw, format_prompt, samples_per_problem, user_turn
from evalkit.types import Sample

ANSWERS = ("Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")
COLUMNS = ("Record ID", "Question", *ANSWERS, "High-level domain")
LETTERS = "ABCD"
PROMPT = (
    "Answer the following multiple choice question. The last line of your response should be of the following "
    "format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before answering."
    "\n\n{question}\n\nA) {A}\nB) {B}\nC) {C}\nD) {D}"
)


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)
    samples_per_problem(config)


def _sample(config: TaskConfig, row: dict[str, Any], permutation: list[int]) -> Sample:
    answers = [row[ANSWERS[i]] for i in permutation]
    text = format_prompt(config, config.prompt, question=row["Question"], **dict(zip(LETTERS, answers, strict=True)))
    return Sample(task=config.name, sample_id=str(row["Record ID"]), messages=user_turn([], text),
                  reference=LETTERS[permutation.index(0)], categories={"domain": row["High-level domain"]})


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    rows = loaded.rows
    draws = samples_per_problem(config)
    rng = random.Random(config.options["shuffle_seed"])
    by_draw = [[_sample(config, row, rng.sample(range(4), 4)) for row in rows] for _ in range(draws)]
    samples = by_draw[0] if draws == 1 else [as_draw(by_draw[d][i], d) for i in range(len(rows)) for d in range(draws)]
    return LoadedTask(samples, loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    rows = [
        ("rec01", "What is the charge of an electron in units of e?", "-1", "+1", "0", "-2", "Physics"),
        ("rec02", "Which molecule is benzene?", "C6H6", "C6H12", "CH4", "C2H6", "Chemistry"),
        ("rec03", "How many chromosomes does a human somatic cell hold?", "46", "23", "48", "44", "Biology"),
    ]
    with open(folder / "train.jsonl", "w", encoding="utf-8") as f:
        for record, question, *answers, domain in rows:
            f.write(json.dumps({"Record ID": record, "Question": question, **dict(zip(ANSWERS, answers, strict=True)),
                                "High-level domain": domain}) + "\n")


register(TaskSpec(
    name="gpqa_diamond",
    title="GPQA Diamond, 198 questions, simple-evals prompt, seeded choice shuffle and answer-line matching",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="Idavidrein/gpqa", subsets=["gpqa_diamond"], split="train"),
    scorer=ScorerConfig("gpqa"),
    prompt=PROMPT,
    prompt_fields=("question", *LETTERS),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "GPQA", "", "score"),
    max_new_tokens=4096,
    options={"shuffle_seed": 0, "samples_per_problem": 1},
    smoke=SmokeVariant(fixture="gpqa", make_fixture=make_smoke_fixture, local_path="train.jsonl", subsets=()),
))
