"""IFEval (google/IFEval, split train, 541 prompts): verifiable instructions checked by Google's official checkers
(evalkit.scoring.ifeval); the headline is prompt-level strict accuracy, the Qwen3 report's IFEval metric.

Rows: key, prompt, instruction_id_list, kwargs (one dict per instruction; the hub copy fills unused keys with None).
Prompt: the row's prompt as the only user turn, as the official evaluation sends it (no template of its own).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

COLUMNS = ("key", "prompt", "instruction_id_list", "kwargs")
# the hub copy's kwargs struct: every key any instruction takes
KWARGS_KEYS = ("num_highlights", "relation", "num_words", "num_placeholders", "prompt_to_repeat", "num_bullets",
               "section_spliter", "num_sections", "capital_relation", "capital_frequency", "keywords",
               "num_paragraphs", "language", "let_relation", "letter", "let_frequency", "end_phrase",
               "forbidden_words", "keyword", "frequency", "num_sentences", "postscript_marker", "first_word",
               "nth_paragraph")


def _sample(config: TaskConfig, row: dict[str, Any]) -> Sample:
    where = f"{config.name} key {row['key']}"
    try:
        reference = IFEvalPrompt.from_row(row["instruction_id_list"], row["kwargs"], where)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return Sample(
        task=config.name,
        sample_id=str(row["key"]),
        messages=user_turn([], format_prompt(config, config.prompt, prompt=row["prompt"])),
        reference=reference,
        categories={"instructions": str(len(reference.instruction_ids))},
    )


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    return LoadedTask([_sample(config, row) for row in loaded.rows], loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    def kwargs(**given: Any) -> dict[str, Any]:
        return {key: given.get(key) for key in KWARGS_KEYS}

    rows = [
        {"key": 1, "prompt": "Write a haiku about rain. Do not use any commas.",
         "instruction_id_list": ["punctuation:no_comma"], "kwargs": [kwargs()]},
        {"key": 2, "prompt": "Describe a river in at least 30 words, all in lowercase letters.",
         "instruction_id_list": ["length_constraints:number_words", "change_case:english_lowercase"],
         "kwargs": [kwargs(relation="at least", num_words=30), kwargs()]},
        {"key": 3, "prompt": "Name a fruit. Wrap your entire response with double quotation marks.",
         "instruction_id_list": ["startend:quotation"], "kwargs": [kwargs()]},
    ]  # fmt: skip
    (folder / "train.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


register(TaskSpec(
    name="ifeval",
    title="IFEval, 541 prompts with verifiable instructions, Google's official checkers (prompt-level strict)",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="google/IFEval", split="train"),
    scorer=ScorerConfig("ifeval"),
    prompt="{prompt}",
    prompt_fields=("prompt",),
    load=load_samples,
    check=lambda config: datasets_io.check(config.dataset, COLUMNS),
    reported=reported_in(TEXT_TABLES, "IFEval", "", "score"),
    max_new_tokens=4096,
    smoke=SmokeVariant(fixture="ifeval", make_fixture=make_smoke_fixture, local_path="train.jsonl"),
))
