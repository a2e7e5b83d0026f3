"""MultiPL-E (nuprl/MultiPL-E, HumanEval translated; configs humaneval-<lang>, split test, ~160 problems each) in
the eight languages Qwen's coder evaluations average: Python, C++, Java, PHP, TypeScript, C#, Bash, JavaScript
(Qwen2.5-Coder and Qwen3 technical reports; the Qwen3-Omni paper prints only the average). pass@1, one greedy
sample per problem, the paper's number is the mean over the languages (scorer option average=languages).

Rows: name ("HumanEval_0_has_close_elements"), language, prompt (ends with the function signature), doctests,
original, prompt_terminology, tests (start by closing the function), stop_tokens. The program executed is
MultiPL-E's own, prompt + completion + "\\n" + tests (evaluation/src/main.py), judged as its eval_<lang>.py do
(exit status 0; compile failure, exception and timeout fail; 15 s per step), in evalkit's sandbox
(evalkit/scoring/sandbox.py: a process per program, rlimits, no network). A language whose toolchain is missing
here is not run: its problems are excluded from the official number and listed with the missing executables
(scripts/install_system_packages.sh installs all eight on Debian). The completion is cut at the row's stop
tokens, as MultiPL-E's generation does.
Prompt: evalkit's choice (the paper gives none): evalplus' instruct wording with the language named; field
{language} and {prompt}. The hub dataset has no pinned revision here (its main branch's last commit is c0d6f65,
"MultiPL-E v3 prompts and tests"; the full sha was not available).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.code_execution import CodeProblem
from evalkit.scoring.sandbox import TOOLCHAINS
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

LANGUAGES = ("py", "cpp", "java", "php", "ts", "cs", "sh", "js")
COLUMNS = ("name", "language", "prompt", "tests", "stop_tokens")


def subset(language: str) -> str:
    return f"humaneval-{language}"


def check(config: TaskConfig) -> None:
    unknown = [s for s in config.dataset.subsets if s.removeprefix("humaneval-") not in TOOLCHAINS]
    if unknown:
        raise ConfigError(f"task {config.name!r}: dataset.subsets {unknown} name no language evalkit can run; "
                          f"valid: {', '.join(subset(lang) for lang in TOOLCHAINS)}")  # fmt: skip
    datasets_io.check(config.dataset, COLUMNS)


def _sample(config: TaskConfig, language: str, row: dict) -> Sample:
    if row["language"] != language:
        raise ConfigError(f"{config.name} {subset(language)} row {row['name']}: language {row['language']!r}, "
                          f"expected {language!r}; the local copy mixes subsets")  # fmt: skip
    text = format_prompt(config, config.prompt, language=TOOLCHAINS[language].name, prompt=row["prompt"].strip())
    # the Python function keeps HumanEval's name ("HumanEval_0_has_close_elements" -> has_close_elements)
    entry_point = re.sub(r"^HumanEval_\d+_", "", row["name"]) if language == "py" else ""
    return Sample(task=config.name, sample_id=f"{language}/{row['name']}", messages=user_turn([], text),
                  reference=CodeProblem(language=language, prompt=row["prompt"], tests=row["tests"],
                                        entry_point=entry_point, stop_tokens=tuple(row["stop_tokens"])),
                  categories={"language": language})  # fmt: skip


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [_sample(config, part.subset.removeprefix("humaneval-"), row)
               for part in loaded.parts for row in part.records()]
    return LoadedTask(samples, loaded.provenance)


# One made-up problem per language in MultiPL-E's layout (the prompt ends at the signature; the tests close the function
# where the stop tokens cut the model's closing brace: C++, Bash, Java, C#; elsewhere the model writes it):
# (prompt, tests, stop tokens, a right body). The tests in tests/tasks check that the right body passes.
SMOKE_PROBLEMS: dict[str, tuple[str, str, list[str], str]] = {
    "py": ('def add(x: int, y: int) -> int:\n    """Add two numbers\n    >>> add(2, 3)\n    5\n    """\n',
           "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n\n"
           "def test_check():\n    check(add)\n\ntest_check()\n",
           ["\ndef", "\n#", "\nif", "\nclass"], "    return x + y\n"),
    "cpp": ("#include<assert.h>\n#include<bits/stdc++.h>\n// Add two numbers\n// >>> add((2), (3))\n// (5)\n"
            "long add(long x, long y) {\n",
            "}\nint main() {\n    auto candidate = add;\n    assert(candidate((2), (3)) == (5));\n"
            "    assert(candidate((-1), (1)) == (0));\n}\n",
            ["\n}"], "    return x + y;\n"),
    "java": ("import java.util.*;\nimport java.lang.reflect.*;\nimport org.javatuples.*;\nimport java.security.*;\n"
             "import java.math.*;\nimport java.io.*;\nimport java.util.stream.*;\nclass Problem {\n"
             "    // Add two numbers\n    // >>> add((2l), (3l))\n    // (5l)\n"
             "    public static long add(long x, long y) {\n",
             "    }\n    public static void main(String[] args) {\n    assert(add((2l), (3l)) == (5l));\n"
             "    assert(add((-1l), (1l)) == (0l));\n    }\n\n}\n",
             ["\n    }\n"], "        return x + y;\n"),
    "php": ("<?php\n// Add two numbers\n// >>> add(2, 3)\n// 5\nfunction add($x, $y) {\n",
            "function candidate(...$args) {\n    return add(...$args);\n}\n\nfunction test(): void {\n"
            "    if (candidate(2, 3) !== 5) { throw new Exception(\"Test failed!\"); }\n"
            "    if (candidate(-1, 1) !== 0) { throw new Exception(\"Test failed!\"); }\n}\n\ntest();",
            ["\nfunction", "\n?>", "\n//", "\n#"], "    return $x + $y;\n}\n"),
    "ts": ("//Add two numbers\n// >>> add(2, 3)\n// 5\nfunction add(x: number, y: number): number {\n",
           "declare var require: any;\nconst assert = require('node:assert');\n\n\nfunction test() {\n"
           "  let candidate = add;\n  assert.deepEqual(candidate(2, 3),5);\n"
           "  assert.deepEqual(candidate(-1, 1),0);\n}\n\n"
           "test();",
           ["\nfunction ", "\n/*", "\n//", "\nclass"], "  return x + y;\n}\n"),
    "cs": ("using System;\nusing System.Numerics;\nusing System.Diagnostics;\nusing System.Collections.Generic;\n"
           "using System.Linq;\nusing System.Text;\nusing System.Security.Cryptography;\nclass Problem {\n"
           "    // Add two numbers\n    // >>> Add((2L), (3L))\n    // (5L)\n"
           "    public static long Add(long x, long y) {\n",
           "    }\n    public static void Main(string[] args) {\n    Debug.Assert(Add((2L), (3L)) == (5L));\n"
           "    Debug.Assert(Add((-1L), (1L)) == (0L));\n    }\n\n}\n",
           ["\n    }\n"], "        return x + y;\n"),
    "sh": ("#!/bin/bash\n# Add two numbers\n# >>> $(add \"2\" \"3\")\n# \"5\"\n#\n"
           "# $1 is an integer\n# $2 is an integer\n"
           "add() {\n",
           "}\n\ncandidate() {\n    add \"$@\"\n}\n\nset -e\nrun_test() {\n    [[ $(candidate \"2\" \"3\") = \"5\" ]]\n"
           "    [[ $(candidate \"-1\" \"1\") = \"0\" ]]\n}\n\nrun_test",
           ["\n}"], "    echo $(( $1 + $2 ))\n"),
    "js": ("//Add two numbers\n// >>> add(2, 3)\n// 5\nfunction add(x, y){\n",
           "const assert = require('node:assert');\n\n\nfunction test() {\n  let candidate = add;\n"
           "  assert.deepEqual(candidate(2, 3),5);\n  assert.deepEqual(candidate(-1, 1),0);\n}\n\ntest();",
           ["\nfunction ", "\n/*", "\n//", "\nconsole.log"], "  return x + y;\n}\n"),
}  # fmt: skip


def make_smoke_fixture(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for language, (prompt, tests, stop_tokens, _) in SMOKE_PROBLEMS.items():
        row = {"name": "HumanEval_0_add", "language": language, "prompt": prompt, "doctests": "transform",
               "original": "", "prompt_terminology": "reworded", "tests": tests, "stop_tokens": stop_tokens}
        (folder / f"{subset(language)}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")


register(TaskSpec(
    name="multipl_e",
    title="MultiPL-E HumanEval in 8 languages (py cpp java php ts cs sh js), pass@1 by execution, mean over languages",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="nuprl/MultiPL-E", subsets=[subset(lang) for lang in LANGUAGES], split="test"),
    scorer=ScorerConfig("code_execution", {"timeout_s": 15.0, "average": "languages"}),
    prompt="Please provide a self-contained {language} script that solves the following problem in a markdown code "
           "block:\n```\n{prompt}\n```",
    prompt_fields=("language", "prompt"),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "MultiPL-E", "", "score"),
    max_new_tokens=1024,
    smoke=SmokeVariant(fixture="multipl_e", make_fixture=make_smoke_fixture),
))
