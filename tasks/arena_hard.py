"""Arena-Hard v2 (lmarena/arena-hard-auto @ 196f6b826783b3da7310e361a805fa36f0be83f3, data/arena-hard-v2.0):
500 hard prompts (coding, math) and 250 creative-writing prompts, each answer judged pairwise against the official
baseline's answer in both orders (evalkit.scoring.arena_hard). One task per category, as show_result.py reports
them: `arena_hard_v2` (hard_prompt, the leaderboard's set and the paper's Thinking-table row) and
`arena_hard_v2_creative_writing`.

There is no hub copy pinned here: set dataset.local_path to the repository's `question.jsonl`; the baselines'
answers are read from `model_answer/<baseline>.jsonl` beside it, as the repository lays them out (o3-mini-2025-01-31
for hard prompts, gemini-2.0-flash-001 for creative writing). Both are checked before the model loads.

Rows: uid, category, subcategory, prompt. Prompt: the question alone as the only user turn (gen_answer.py sends
no system prompt by default). `evalkit score --task arena_hard_v2 --predictions <model>.jsonl --references
question.jsonl --judge use=official` judges answers made by gen_answer.py instead. Categories: subcategory
(coding / math / creative_writing). The paper does not say which category or whether style control was applied:
the hard-prompt win rate with style control (arena-hard-auto's README: "Hard Prompt, Style Control, and GPT-4.1 as
Judge", its official setting for a GPT-4.1 judge) is evalkit's reading of "win rate judged by GPT-4.1", recorded
here and in the README; `scorer.options.style_control=false` gives the plain win rate. The baselines' answer files
must carry gen_answer.py's `metadata` (token_len and markdown counts), as the repository's do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.arena_hard import ANSWER_FOLDER, CATEGORY_SETTINGS, QuestionSet, read_questions
from evalkit.scoring.arena_style import answer_metadata
from evalkit.scoring.o200k import o200k_encoding
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample


def _questions(config: TaskConfig) -> tuple[QuestionSet, Path]:
    path = datasets_io.local_file(config.dataset, config.name, "arena-hard-auto's data/arena-hard-v2.0/question.jsonl")
    try:
        return read_questions(path, config.options.get("category", "")), path
    except ValueError as exc:
        raise ConfigError(f"{config.name}: {exc}") from exc


def check(config: TaskConfig) -> None:
    _questions(config)


def load_samples(config: TaskConfig) -> LoadedTask:
    questions, path = _questions(config)
    samples = [Sample(
        task=config.name, sample_id=question.uid,
        messages=user_turn([], format_prompt(config, config.prompt, prompt=question.prompt)),
        reference=question, categories={"subcategory": subcategory},
    ) for question, subcategory in zip(questions.questions, questions.subcategories, strict=True)]
    provenance = datasets_io.local_file_provenance(path, len(samples))
    return LoadedTask(samples, {**provenance, "baseline_answers": datasets_io.local_file_provenance(
        questions.baseline_answers, len(samples))})


SMOKE_QUESTIONS = [
    ("a0000000000000e1", "hard_prompt", "coding", "Write a Python one-liner that reverses a string s.",
     "Use slicing: `s[::-1]`."),
    ("a0000000000000e2", "hard_prompt", "math", "What is the sum of the first 10 positive integers?",
     "1 + 2 + ... + 10 = 10 * 11 / 2 = 55."),
    ("a0000000000000e3", "creative_writing", "creative_writing", "Write a two-line poem about autumn rain.",
     "Cold silver threads stitch the maple's gold,\nand every gutter hums a story told."),
]  # fmt: skip


def make_smoke_fixture(folder: Path) -> None:
    """question.jsonl and the two baselines' answer files in the repository's layout, metadata as gen_answer.py
    writes it."""
    (folder / ANSWER_FOLDER).mkdir(parents=True, exist_ok=True)
    questions = [{"uid": uid, "category": category, "subcategory": sub, "prompt": prompt}
                 for uid, category, sub, prompt, _ in SMOKE_QUESTIONS]
    (folder / "question.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    for baseline in sorted({s.baseline for s in CATEGORY_SETTINGS.values()}):
        rows: list[dict[str, Any]] = [
            {"uid": uid, "ans_id": f"smoke-{uid}", "model": baseline,
             "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": {"answer": answer}}],
             "tstamp": 0.0, "metadata": answer_metadata(answer, o200k_encoding())}
            for uid, category, _, prompt, answer in SMOKE_QUESTIONS if CATEGORY_SETTINGS[category].baseline == baseline
        ]
        (folder / ANSWER_FOLDER / f"{baseline}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                                                   encoding="utf-8")


def _register(name: str, category: str, title: str, reported: bool) -> None:
    register(TaskSpec(
        name=name,
        title=title,
        modalities=("text",),
        dataset=DatasetConfig(hub_id="", split="train"),
        scorer=ScorerConfig("arena_hard_v2", {"style_control": CATEGORY_SETTINGS[category].style_control}),
        prompt="{prompt}",
        prompt_fields=("prompt",),
        load=load_samples,
        check=check,
        reported=reported_in(TEXT_TABLES[1:], "Arena-Hard v2", "", "score") if reported else (),
        max_new_tokens=8192,
        options={"category": category},
        smoke=SmokeVariant(fixture="arena_hard_v2", make_fixture=make_smoke_fixture, local_path="question.jsonl"),
    ))


_register("arena_hard_v2", "hard_prompt", "Arena-Hard v2 hard prompts, 500: pairwise against o3-mini, GPT-4.1 judge, "
          "style-controlled win rate", reported=True)
_register("arena_hard_v2_creative_writing", "creative_writing", "Arena-Hard v2 creative writing, 250: pairwise "
          "against gemini-2.0-flash-001, GPT-4.1 judge, win rate (no style control, as the README's command)",
          reported=False)
