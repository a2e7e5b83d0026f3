"""LiveBench, the categories whose graders evalkit reproduces (evalkit.scoring.livebench): reasoning, language and
data analysis and instruction following (livebench/<category>), split test, the questions of one release.

Release: the Qwen3 report evaluates LiveBench 2024-11-25; as LiveBench's load_questions selects them, a question
belongs to release R when its livebench_release_date is one of the releases up to R and its livebench_removal_date
is empty or later than R (options.release). Rows: question_id, task, turns (the prompt is turns[0], as LiveBench
sends it), livebench_release_date, livebench_removal_date, and ground_truth, or for instruction following
instruction_id_list and kwargs (IFEval's). Categories: task.
The paper's LiveBench column is the mean of six categories; math and coding are not reproduced here, so no task
maps to it and the four categories are reported on their own, NOT comparable with the paper's
number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import SmokeVariant, TaskSpec, register
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.scoring.livebench import GRADERS, TABLE_REFORMAT, TASK_KEY
from evalkit.scoring.livebench_data_analysis import table_format
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("question_id", "task", "turns", "livebench_release_date", "livebench_removal_date")
ANSWER_COLUMNS = ("ground_truth",)
INSTRUCTION_COLUMNS = ("instruction_id_list", "kwargs")
RELEASES = ("2024-06-24", "2024-07-26", "2024-08-31", "2024-11-25")  # livebench/common.py @ f3501c7


def _day(value: Any) -> str:
    """A release or removal date as LiveBench compares them: "YYYY-MM-DD", or "" for none."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return "" if value is None else str(value)[:10]


def _release(config: TaskConfig) -> str:
    release = config.options["release"]
    if release not in RELEASES:
        raise ConfigError(f"task {config.name!r}: options.release={release!r}; LiveBench releases: {list(RELEASES)}")
    return release




def in_release(row: dict[str, Any], release: str) -> bool:
    released, removed = _day(row["livebench_release_date"]), _day(row["livebench_removal_date"])
    return released in RELEASES and released <= release and (removed == "" or removed > release)


def _reference(row: dict[str, Any], where: str) -> dict[str, Any]:
    if "instruction_id_list" in row:
        if not row["instruction_id_list"]:
            raise ConfigError(f"{where}: an instruction-following question without instructions")
        try:
            return {"instructions": IFEvalPrompt.from_row(row["instruction_id_list"], row["kwargs"], where)}
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    graded = sorted([*GRADERS, TABLE_REFORMAT])
    if row["task"] not in graded:
        raise ConfigError(f"{where}: task {row['task']!r} has no grader in evalkit; graded: {graded}")
    if row["ground_truth"] in (None, ""):
        raise ConfigError(f"{where}: no ground_truth; the local copy must follow the hub schema")
    reference = {"ground_truth": str(row["ground_truth"]), "released": _day(row["livebench_release_date"])}
    if row["task"] == TABLE_REFORMAT:
        try:
            reference["table_format"] = table_format(row["turns"][0])
        except IndexError as exc:
            raise ConfigError(f"{where}: the question does not say 'Please convert the Input Table from X format to "
                              "Y format'") from exc
    return reference


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} question {row['question_id']}"
    if not row["turns"]:
        raise ConfigError(f"{where}: no prompt turn; the local copy must follow the hub schema")
    return Sample(task=config.name, sample_id=str(row["question_id"]),
                  messages=user_turn([], format_prompt(config, config.prompt, question=row["turns"][0])),
                  reference=_reference(row, where), categories={TASK_KEY: row["task"]})


@dataclass(frozen=True)
class CategoryData:
    """One category's dataset shape: the columns its rows hold besides the common ones."""

    columns: tuple[str, ...]

    def check(self, config: TaskConfig) -> None:
        _release(config)
        datasets_io.check(config.dataset, COLUMNS + self.columns)

    def load(self, config: TaskConfig) -> LoadedTask:
        release = _release(config)
        loaded = datasets_io.load(config.dataset, COLUMNS + self.columns)
        rows = [row for row in loaded.rows if in_release(row, release)]
        return LoadedTask([_sample(config, row) for row in rows], {**loaded.provenance, "release": release})


def _write_rows(folder: Path, rows: list[tuple[str, str, str, str, str, str]]) -> None:
    keys = ("question_id", "task", "ground_truth", "livebench_release_date", "livebench_removal_date")
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for *values, prompt in rows:
            row = dict(zip(keys, values, strict=True))
            f.write(json.dumps({**row, "category": "", "turns": [prompt]}) + "\n")


def make_reasoning_fixture(folder: Path) -> None:
    _write_rows(folder, [
        ("r1", "web_of_lies_v2", "yes, no, yes", "2024-06-24", "",
         "Ann tells the truth. Bob says Ann lies. Cy says Bob lies. Do Ann, Bob and Cy tell the truth? Answer in "
         "**bold** as a list of three words, yes or no."),
        ("r2", "spatial", "3", "2024-11-25", "", "How many corners does a triangle have? Answer in **bold**."),
        ("r3", "zebra_puzzle", "2,tea", "2024-11-25", "",
         "Two people stand in a line. Where is the cat owner, and what does the first person drink? Put the "
         "answers in <solution></solution> tags, comma-separated."),
        ("r4", "spatial", "4", "2024-06-24", "2024-08-31", "A question removed before the 2024-11-25 release."),
    ])


def make_language_fixture(folder: Path) -> None:
    _write_rows(folder, [
        ("l1", "typos", "The cat sat on the mat.", "2024-11-25", "",
         "Fix the typos and print the text: The cta sat on teh mat."),
        ("l2", "connections", "a,b,c,d,e,f,g,h", "2024-11-25", "",
         "Group the words a, e, b, f, c, g, d, h into two groups of four. Answer in <solution></solution> tags."),
        ("l3", "plot_unscrambling", "First. Second. Third.", "2024-08-31", "",
         "Order the sentences: Third. First. Second. Give the plot after <PLOT_SUMMARY>."),
    ])


def make_data_analysis_fixture(folder: Path) -> None:
    _write_rows(folder, [
        ("d1", "cta", "birth_date", "2024-11-25", "",
         "Pick the column's class from ['birth_date', 'name']. Sample: [['1990-01-02'], ['1985-07-30']]."),
        ("d2", "tablejoin", "{'id': 'user_id', 'city': 'town'}", "2024-11-25", "",
         "Map each column of table A to table B as a Python dictionary. A: id,city. B: user_id,town."),
        ("d3", "tablereformat", '{"name":"ann","age":3}\n{"name":"bob","age":5}', "2024-11-25", "",
         "Please convert the Input Table from CSV format to JSONL format.\nInput Table: name,age\nann,3\nbob,5"),
    ])


def make_instruction_fixture(folder: Path) -> None:
    questions = [
        ("i1", "paraphrase", "Paraphrase: the sun rose. Use all lowercase letters and no commas.",
         ["change_case:english_lowercase", "punctuation:no_comma"], [{}, {}]),
        ("i2", "summarize", "Summarize a day at the beach in at least 20 words.",
         ["length_constraints:number_words"], [{"relation": "at least", "num_words": 20}]),
    ]
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for question_id, task, prompt, instructions, kwargs in questions:
            f.write(json.dumps({"question_id": question_id, "category": "instruction_following", "task": task,
                                "turns": [prompt], "instruction_id_list": instructions, "kwargs": kwargs,
                                "livebench_release_date": "2024-11-25", "livebench_removal_date": ""}) + "\n")


for category, data, make_fixture in (
    ("reasoning", CategoryData(ANSWER_COLUMNS), make_reasoning_fixture),
    ("language", CategoryData(ANSWER_COLUMNS), make_language_fixture),
    ("data_analysis", CategoryData(ANSWER_COLUMNS), make_data_analysis_fixture),
    ("instruction_following", CategoryData(INSTRUCTION_COLUMNS), make_instruction_fixture),
):
    register(TaskSpec(
        name=f"livebench_{category}",
        title=f"LiveBench {category} (release 2024-11-25), LiveBench's graders; its overall is not computed",
        modalities=("text",),
        dataset=DatasetConfig(hub_id=f"livebench/{category}", split="test"),
        scorer=ScorerConfig("livebench"),
        prompt="{question}",
        prompt_fields=("question",),
        load=data.load,
        check=data.check,
        max_new_tokens=4096,
        options={"release": "2024-11-25"},
        smoke=SmokeVariant(fixture=f"livebench_{category}", make_fixture=make_fixture, local_path="test.jsonl"),
    ))
