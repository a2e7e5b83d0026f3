"""MMLU-Redux as ZeroEval runs it (yuchenlin/zero-eval, config mmlu-redux, split test, 2,778 questions), scored by
ZeroEval's mcqa_eval (evalkit.scoring.zeroeval).

Which MMLU: the model card's column says MMLU; the Qwen3 technical report's tables for instruct and thinking
models report MMLU-Redux, and Qwen3-Omni's text numbers are Qwen3's protocol, so evalkit runs MMLU-Redux
(evalkit's reading: the Qwen3-Omni report does not name the variant). Which copy: ZeroEval's (ZebraLogic's
official harness, which ships MMLU-Redux too; evalkit's choice): edinburgh-dawg/mmlu-redux (30 subjects x 100)
keeping the questions marked "ok" and those whose ground truth was fixed to a letter (data_prep/mmlu-redux.py),
2,778 in all. Another copy in
the same schema is `dataset.hub_id=...`, recorded in the manifest like every dataset setting.

Rows: id, question, choices (list), correct_answer (the correct choice's text), config (the subject: category).
Prompt: ZeroEval's MCQA template (src/templates/MCQA.py, byte for byte: the model answers in JSON), its options
"- (A) text" one per line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.zeroeval import LETTERS
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "question", "choices", "correct_answer", "config")
ZEROEVAL_MCQA_PROMPT = (
    "\n## Question: \n\n{question}\n\n## Choices:\n\n{choices}\n\n## Instruction \n\n"
    "Please answer this question by first reasoning and then selecting the correct choice. \n"
    "Present your reasoning and solution in the following json format. \n"
    'Please show your choice in the `answer` field with only the choice letter, e.g.,`"answer": "C"`.\n\n'
    '```json\n{{\n    "reasoning": "___",\n    "answer": "___"\n}}\n```\n'
)


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    choices = list(row["choices"])
    if row["correct_answer"] not in choices:
        raise ConfigError(f"{config.name} question {row['id']}: correct_answer {row['correct_answer']!r} is not one of "
                          "its choices; the local copy must follow ZeroEval's mmlu-redux schema")
    listed = "".join(f"- ({LETTERS[i]}) {choice}\n" for i, choice in enumerate(choices))
    text = format_prompt(config, config.prompt, question=row["question"], choices=listed)
    return Sample(task=config.name, sample_id=str(row["id"]), messages=user_turn([], text),
                  reference=LETTERS[choices.index(row["correct_answer"])], categories={"subject": row["config"]})


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    rows = [
        ("mmlu-redux-astronomy-#0", "Which planet is closest to the Sun?", ["Venus", "Mercury", "Mars", "Earth"],
         "Mercury", "astronomy"),
        ("mmlu-redux-virology-#0", "Which of these is a virus?", ["E. coli", "Yeast", "Influenza", "Algae"],
         "Influenza", "virology"),
        ("mmlu-redux-philosophy-#0", "Who wrote the Republic?", ["Plato", "Kant", "Hume", "Locke"], "Plato",
         "philosophy"),
    ]
    keys = ("id", "question", "choices", "correct_answer", "config")
    with open(folder / "test.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({**dict(zip(keys, row, strict=True)), "source": "edinburgh-dawg/mmlu-redux",
                                "task_type": "multiple_choice"}) + "\n")


register(TaskSpec(
    name="mmlu_redux",
    title="MMLU-Redux (the paper's MMLU column), ZeroEval's 2,778 questions, JSON answers, ZeroEval's mcqa_eval",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="yuchenlin/zero-eval", subsets=["mmlu-redux"], split="test"),
    scorer=ScorerConfig("zeroeval_mcqa"),
    prompt=ZEROEVAL_MCQA_PROMPT,
    prompt_fields=("question", "choices"),
    load=load_samples,
    check=lambda config: datasets_io.check(config.dataset, COLUMNS),
    reported=reported_in(TEXT_TABLES, "MMLU", "", "score"),
    max_new_tokens=4096,
    smoke=SmokeVariant(fixture="mmlu_redux", make_fixture=make_smoke_fixture, local_path="test.jsonl", subsets=()),
))
