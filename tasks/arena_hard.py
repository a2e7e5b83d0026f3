"""Arena-Hard v2 (lmarena/arena-hard-auto @ 196f6b826783b3da7310e361a805fa36f0be83f3, data/arena-hard-v2.0):
500 hard prompts (coding, math) and 250 creative-writing prompts, each answer judged pairwise against the official
baseline's answer in both orders (evalkit.scoring.arena_hard). One task per category, as show_result.py reports
them: `arena_hard_v2` (hard_prompt, the leaderboard's set and the paper's Thinking-table row) and
`arena_hard_v2_creative_writing`.

There is no hub copy pinned here: set dataset.local_path to the repository's `question.jsonl`; the baselines'
answers are read from `model_answer/<baseline>.jsonl` beside it, as the repository lays them out (o3-mini-2025-01-31
for hard prompts, gemini-2.0-flash-001 for creative writing). Both are checked before the model loads.

Rows: uid, category, subcategory, prompt. Prompt: the question alone as the only user turn (gen_answer.py sends no
system prompt by default). Categories: subcategory (coding / math / creative_writing). The paper does not say
which category or whether style control was applied: the hard-prompt win rate without style control is
evalkit's reading of "win rate judged by GPT-4.1", recorded here and in the README.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.arena_hard import CATEGORY_SETTINGS, ArenaHardQuestion
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("uid", "category", "subcategory", "prompt")
ANSWER_FOLDER = "model_answer"


def _baseline_files(config: TaskConfig) -> dict[str, Path]:
    """The baseline answer file of each category the task scores, checked to exist."""
    if not config.dataset.local_path:
        raise ConfigError(f"{config.name}: set dataset.local_path to arena-hard-auto's "
                          "data/arena-hard-v2.0/question.jsonl (there is no hub copy)")
    folder = datasets_io.resolve_path(config.dataset.local_path).parent / ANSWER_FOLDER
    baseline = CATEGORY_SETTINGS[config.options["category"]].baseline
    path = folder / f"{baseline}.jsonl"
    if not path.is_file():
        raise ConfigError(f"{config.name}: the baseline's answers {path} are missing; copy arena-hard-auto's "
                          f"data/arena-hard-v2.0/{ANSWER_FOLDER}/{baseline}.jsonl beside question.jsonl")
    return {baseline: path}


def check(config: TaskConfig) -> None:
    if config.options.get("category") not in CATEGORY_SETTINGS:
        raise ConfigError(f"{config.name}: options.category={config.options.get('category')!r}; valid: "
                          f"{', '.join(CATEGORY_SETTINGS)}")
    _baseline_files(config)
    datasets_io.check(config.dataset, COLUMNS)


def read_answers(path: Path) -> dict[str, str]:
    """uid -> the final answer text of a model_answer file (its last message's content.answer)."""
    answers = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            answers[row["uid"]] = row["messages"][-1]["content"]["answer"]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not an arena-hard answer line with uid and "
                              f"messages[-1].content.answer ({exc!r})") from exc
    return answers


def load_samples(config: TaskConfig) -> LoadedTask:
    category = config.options["category"]
    (baseline, path), = _baseline_files(config).items()
    answers = read_answers(path)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = []
    for row in (row for part in loaded.parts for row in part.rows if row["category"] == category):
        if row["uid"] not in answers:
            raise ConfigError(f"{config.name} question {row['uid']}: {baseline} has no answer to it in {path}")
        samples.append(Sample(
            task=config.name, sample_id=row["uid"],
            messages=user_turn([], format_prompt(config, config.prompt, prompt=row["prompt"])),
            reference=ArenaHardQuestion(row["uid"], category, row["prompt"], answers[row["uid"]]),
            categories={"subcategory": row["subcategory"]},
        ))
    return LoadedTask(samples, {**loaded.provenance, "baseline": baseline, "baseline_answers": str(path)})


SMOKE_QUESTIONS = [
    ("a0000000000000e1", "hard_prompt", "coding", "Write a Python one-liner that reverses a string s.",
     "Use slicing: `s[::-1]`."),
    ("a0000000000000e2", "hard_prompt", "math", "What is the sum of the first 10 positive integers?",
     "1 + 2 + ... + 10 = 10 * 11 / 2 = 55."),
    ("a0000000000000e3", "creative_writing", "creative_writing", "Write a two-line poem about autumn rain.",
     "Cold silver threads stitch the maple's gold,\nand every gutter hums a story told."),
]  # fmt: skip


def make_smoke_fixture(folder: Path) -> None:
    """question.jsonl and the two baselines' answer files in the repository's layout."""
    (folder / ANSWER_FOLDER).mkdir(parents=True, exist_ok=True)
    questions = [{"uid": uid, "category": category, "subcategory": sub, "prompt": prompt}
                 for uid, category, sub, prompt, _ in SMOKE_QUESTIONS]
    (folder / "question.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    for baseline in sorted({s.baseline for s in CATEGORY_SETTINGS.values()}):
        rows: list[dict[str, Any]] = [
            {"uid": uid, "ans_id": f"smoke-{uid}", "model": baseline,
             "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": {"answer": answer}}],
             "tstamp": 0.0, "metadata": {"token_len": len(answer.split())}}
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
        scorer=ScorerConfig("arena_hard_v2"),
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
          "win rate without style control", reported=True)
_register("arena_hard_v2_creative_writing", "creative_writing", "Arena-Hard v2 creative writing, 250: pairwise "
          "against gemini-2.0-flash-001, GPT-4.1 judge, win rate", reported=False)
