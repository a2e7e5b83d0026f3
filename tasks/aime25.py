"""AIME 2025 (math-ai/aime25, split test, 30 problems, AIME I and II; answers are integers 0-999), the last
`\\boxed{}` of the answer compared with the gold by math-verify (evalkit.scoring.boxed_math, box="last").

Rows: id, problem, answer.
Prompt: Qwen's math prompt from the Qwen2.5-Math / Qwen3 model cards, "{problem}\\nPlease reason step by step, and
put your final answer within \\boxed{}." (evalkit's choice: the Qwen3-Omni report does not print its AIME prompt).
options.samples_per_problem: each problem asked k times with its own seed; the score is the mean over all k x 30
answers (avg@k), each problem's repeats one bootstrap cluster. Qwen's Thinking evaluations average several
samples (the Qwen3 report: 64 for AIME); with greedy Instruct decoding k=1, the default, is the protocol.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.task import LoadedTask, format_prompt, repeated, samples_per_problem, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "problem", "answer")
QWEN_MATH_PROMPT = "{problem}\nPlease reason step by step, and put your final answer within \\boxed{{}}."


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)
    samples_per_problem(config)


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    problems = [
        Sample(task=config.name, sample_id=str(row["id"]),
               messages=user_turn([], format_prompt(config, config.prompt, problem=row["problem"])),
               reference=str(row["answer"]).strip())
        for row in loaded.rows
    ]  # fmt: skip
    return LoadedTask(repeated(problems, samples_per_problem(config)), loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    rows = [
        {"id": "0", "problem": "Find the remainder when $2^{10}$ is divided by $1000$.", "answer": "24"},
        {"id": "1", "problem": "How many positive divisors does $360$ have?", "answer": "24"},
        {"id": "2", "problem": "Find $a+b$ if $a$ and $b$ are positive integers with $ab=35$ and $a<b$, $a>1$.",
         "answer": "12"},
    ]
    (folder / "test.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


register(TaskSpec(
    name="aime25",
    title="AIME 2025, 30 problems, Qwen's boxed-answer prompt, math-verify equivalence, mean over k samples",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="math-ai/aime25", split="test"),
    scorer=ScorerConfig("boxed_math", {"box": "last"}),
    prompt=QWEN_MATH_PROMPT,
    prompt_fields=("problem",),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "AIME25", "", "score"),
    max_new_tokens=16384,
    options={"samples_per_problem": 1},
    smoke=SmokeVariant(fixture="aime25", make_fixture=make_smoke_fixture, local_path="test.jsonl",
                       options={"samples_per_problem": 2}),
))
