"""LiveBench, its six categories (livebench/<category>, split test; graders: evalkit.scoring.livebench): reasoning,
language, data analysis, instruction following, math and coding, the questions of one release, and its overall.

Release: the Qwen3 report evaluates LiveBench 2024-11-25; as LiveBench's load_questions selects them, a question
belongs to release R when its livebench_release_date is one of the releases up to R and its livebench_removal_date
is empty or later than R (options.release). Rows: question_id, task, turns (the prompt is turns[0], as LiveBench
sends it), livebench_release_date, livebench_removal_date, and ground_truth (math: and subtask, which picks the
grader), or for instruction following instruction_id_list and kwargs (IFEval's), or for coding public_test_cases,
private_test_cases, original_json (its metadata's func_name) and partial_solution. Categories: task.
The paper's LiveBench column is `livebench_overall`: the mean of the six categories' scores, as
show_livebench_result.py averages its category columns (each category the mean of its tasks' mean scores).
"""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import (
    TEXT_TABLES,
    AggregateMember,
    SmokeVariant,
    TaskAggregate,
    TaskSpec,
    register,
    register_aggregate,
    reported_in,
)
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.scoring.livebench import GRADERS, TABLE_REFORMAT, TASK_KEY
from evalkit.scoring.livebench_coding import CodingProblem
from evalkit.scoring.livebench_data_analysis import table_format
from evalkit.scoring.livebench_latex import DEFAULT_ANTLR_RUNTIME
from evalkit.scoring.livebench_math import amc_choice_text, math_grader
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("question_id", "task", "turns", "livebench_release_date", "livebench_removal_date")
ANSWER_COLUMNS = ("ground_truth",)
INSTRUCTION_COLUMNS = ("instruction_id_list", "kwargs")
MATH_COLUMNS = ("ground_truth", "subtask")
CODING_COLUMNS = ("public_test_cases", "private_test_cases", "original_json", "partial_solution")
CODING_TASKS = ("LCB_generation", "coding_completion")
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


Reference = Callable[[dict[str, Any], str], dict[str, Any]]


def instruction_reference(row: dict[str, Any], where: str) -> dict[str, Any]:
    if not row["instruction_id_list"]:
        raise ConfigError(f"{where}: an instruction-following question without instructions")
    try:
        return {"instructions": IFEvalPrompt.from_row(row["instruction_id_list"], row["kwargs"], where)}
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _ground_truth(row: dict[str, Any], where: str) -> str:
    if row["ground_truth"] in (None, ""):
        raise ConfigError(f"{where}: no ground_truth; the local copy must follow the hub schema")
    return str(row["ground_truth"])


def answer_reference(row: dict[str, Any], where: str) -> dict[str, Any]:
    graded = sorted([*GRADERS, TABLE_REFORMAT])
    if row["task"] not in graded:
        raise ConfigError(f"{where}: task {row['task']!r} has no grader in evalkit; graded: {graded}")
    reference = {"ground_truth": _ground_truth(row, where), "released": _day(row["livebench_release_date"])}
    if row["task"] == TABLE_REFORMAT:
        try:
            reference["table_format"] = table_format(row["turns"][0])
        except IndexError as exc:
            raise ConfigError(f"{where}: the question does not say 'Please convert the Input Table from X format to "
                              "Y format'") from exc
    return reference


def math_reference(row: dict[str, Any], where: str) -> dict[str, Any]:
    truth, subtask = _ground_truth(row, where), str(row["subtask"] or "")
    grader = math_grader(subtask)
    if grader is None:
        raise ConfigError(f"{where}: subtask {subtask!r} has no LiveBench math grader (amc_*, smc_*, *_amc_*, aime_*, "
                          "imo_*, usamo_*, *amps_hard*)")
    reference = {"ground_truth": truth, "math_grader": grader}
    if grader == "amc":
        if len(truth) != 1 or not "A" <= truth <= "E":
            raise ConfigError(f"{where}: ground_truth {truth!r} is not a letter A-E")
        reference["choice_text"] = amc_choice_text(row["turns"][0], truth)
    if grader == "proof_rearrangement" and not all(n.strip().lstrip("-").isdigit() for n in truth.split(",")):
        raise ConfigError(f"{where}: ground_truth {truth!r} is not a comma-separated list of expression numbers")
    return reference


def coding_reference(row: dict[str, Any], where: str) -> dict[str, Any]:
    if row["task"] not in CODING_TASKS:
        raise ConfigError(f"{where}: task {row['task']!r} is not a LiveBench coding task {CODING_TASKS}")
    try:
        return {"coding": CodingProblem.from_row(row).to_json()}
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _sample(config: TaskConfig, row: dict[str, Any], reference: Reference) -> Sample:
    where = f"{config.name} question {row['question_id']}"
    if not row["turns"]:
        raise ConfigError(f"{where}: no prompt turn; the local copy must follow the hub schema")
    return Sample(task=config.name, sample_id=str(row["question_id"]),
                  messages=user_turn([], format_prompt(config, config.prompt, question=row["turns"][0])),
                  reference=reference(row, where), categories={TASK_KEY: row["task"]})


@dataclass(frozen=True)
class CategoryData:
    """One category's dataset shape: the columns its rows hold besides the common ones, and how a row becomes the
    reference its grader reads."""

    columns: tuple[str, ...]
    reference: Reference

    def check(self, config: TaskConfig) -> None:
        _release(config)
        datasets_io.check(config.dataset, COLUMNS + self.columns)

    def load(self, config: TaskConfig) -> LoadedTask:
        release = _release(config)
        loaded = datasets_io.load(config.dataset, COLUMNS + self.columns)
        rows = [row for row in loaded.rows if in_release(row, release)]
        samples = [_sample(config, row, self.reference) for row in rows]
        return LoadedTask(samples, {**loaded.provenance, "release": release})


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


def make_math_fixture(folder: Path) -> None:
    amc = ("What is $1 + 1$? $\\textbf{(A) }1\\qquad\\textbf{(B) }2\\qquad\\textbf{(C) }3\\qquad\\textbf{(D) }4"
           "\\qquad\\textbf{(E) }5$ If you cannot determine the correct multiple-choice answer, take your best guess. "
           "Once you have your answer, please duplicate that letter five times in a single string.")
    rows = [
        ("m1", "math_comp", "amc_12a_2024", "B", amc),
        ("m2", "math_comp", "aime_2024_I", "204", "Find the remainder when 2024 is divided by 910. The answer is an "
         "integer of three digits; put it at the end of your response."),
        ("m3", "olympiad", "usamo_2024", "2,1", "Fill in the missing formulae <missing 1> and <missing 2> of the "
         "solution from the list: <expression 1> x = 2 <expression 2> x = 1. Answer: <comma separated list of "
         "numbers representing expression identifiers>"),
        ("m4", "AMPS_Hard", "amps_hard_derivatives", "2 x", "Differentiate $x^2$. Please put your final answer in a "
         "$\\boxed{}$."),
    ]
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for question_id, task, subtask, truth, prompt in rows:
            f.write(json.dumps({"question_id": question_id, "category": "math", "task": task, "subtask": subtask,
                                "ground_truth": truth, "turns": [prompt], "livebench_release_date": "2024-11-25",
                                "livebench_removal_date": ""}) + "\n")


def _compressed(cases: list[dict[str, str]]) -> str:
    """LiveCodeBench's private_test_cases form: base64 of zlib of a pickled JSON string."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode("ascii")


def make_coding_fixture(folder: Path) -> None:
    stdin = [{"input": "3\n1 2 3\n", "output": "6\n", "testtype": "stdin"}]
    call = [{"input": "[2, 7, 11]\n9", "output": "[0, 1]", "testtype": "functional"}]
    starter = "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        "
    rows = [
        ("c1", "LCB_generation", "Read n and n integers from stdin and print their sum. Put your Python program in a "
         "```python code block.", stdin, [{"input": "2\n-5 5\n", "output": "0\n", "testtype": "stdin"}], "{}", ""),
        ("c2", "LCB_generation", f"Return the indices of the two numbers that add up to target.\n```python\n{starter}"
         "\n```", call, [{"input": "[3, 3]\n6", "output": "[0, 1]", "testtype": "functional"}],
         '{"func_name": "twoSum"}', ""),
        ("c3", "coding_completion", "Complete the code below; give the rest of the function in a ```python block."
         f"\n```python\n{starter}seen = {{}}\n```", call, [], '{"func_name": "twoSum"}',
         starter + "seen = {}"),
    ]
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for question_id, task, prompt, public, private, metadata, partial in rows:
            f.write(json.dumps({
                "question_id": question_id, "category": "coding", "task": task, "turns": [prompt],
                "question_title": question_id, "public_test_cases": json.dumps(public),
                "private_test_cases": _compressed(private), "original_json": {"metadata": metadata},
                "partial_solution": partial, "livebench_release_date": "2024-11-25", "livebench_removal_date": "",
            }) + "\n")


CATEGORIES = (
    ("reasoning", CategoryData(ANSWER_COLUMNS, answer_reference), make_reasoning_fixture),
    ("language", CategoryData(ANSWER_COLUMNS, answer_reference), make_language_fixture),
    ("data_analysis", CategoryData(ANSWER_COLUMNS, answer_reference), make_data_analysis_fixture),
    ("instruction_following", CategoryData(INSTRUCTION_COLUMNS, instruction_reference), make_instruction_fixture),
    ("math", CategoryData(MATH_COLUMNS, math_reference), make_math_fixture),
    ("coding", CategoryData(CODING_COLUMNS, coding_reference), make_coding_fixture),
)
for category, data, make_fixture in CATEGORIES:
    register(TaskSpec(
        name=f"livebench_{category}",
        title=f"LiveBench {category} (release 2024-11-25), LiveBench's graders; one of the six in livebench_overall",
        modalities=("text",),
        dataset=DatasetConfig(hub_id=f"livebench/{category}", split="test"),
        # AMPS_Hard's LaTeX comparisons read ANTLR 4.11 from this folder (evalkit.scoring.livebench_latex)
        scorer=ScorerConfig("livebench", {"antlr_runtime": str(DEFAULT_ANTLR_RUNTIME)} if category == "math" else {}),
        prompt="{question}",
        prompt_fields=("question",),
        load=data.load,
        check=data.check,
        max_new_tokens=4096,
        options={"release": "2024-11-25"},
        smoke=SmokeVariant(fixture=f"livebench_{category}", make_fixture=make_fixture, local_path="test.jsonl"),
    ))

LIVEBENCH_OVERALL = register_aggregate(TaskAggregate(
    name="livebench_overall",
    title="LiveBench overall (release 2024-11-25): the mean of its six categories, as show_livebench_result.py",
    metric="score",
    members=tuple(AggregateMember(f"livebench_{category}") for category, _, _ in CATEGORIES),
    reported=reported_in(TEXT_TABLES[1:], "LiveBench", "", "score"),
))
