"""Multi-IF (facebook/Multi-IF, multiIF_20241018.csv, 4,501 three-turn conversations in 11 languages): each turn adds
verifiable instructions, and each later turn's request holds the model's own earlier answers, so the turns are a
dependent-turn chain (evalkit.turns): all first turns generate in one engine stream, then all second turns, then
all third. Scored with Multi-IF's multilingual checkers (evalkit.scoring.multi_if).

Rows (the hub copy, or the official csv as dataset.local_path): key, language, and per turn k in 1..3
`turn_k_prompt` (a JSON chat message {"role": "user", "content": ...}), `turn_k_instruction_id_list` (a JSON list)
and `turn_k_kwargs` (a JSON list of JSON objects, one per instruction).
A turn whose prompt is empty or "None" is absent, as the official `metrics_gen` skips it; the conversation ends
there. Prompt: the turn's content as the user message, nothing added, as the official script sends it.
Each turn is one sample `<key>/<k>`, categories turn and language, clustered by conversation for the interval.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.scoring.multi_if import LANGUAGE, MULTI_IF_INSTRUCTIONS, TURN
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

TURNS = (1, 2, 3)
COLUMNS = ("key", "language", *(f"turn_{k}_{field}" for k in TURNS
                                for field in ("prompt", "instruction_id_list", "kwargs")))


def _json(row: dict[str, Any], column: str, where: str) -> Any:
    try:
        return json.loads(row[column])
    except (TypeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{where}: column {column} is not JSON ({exc}); is this Multi-IF's csv?") from exc


def _present(cell: Any) -> bool:
    """A turn's prompt cell holds JSON text; a csv reader may give None or NaN for an empty or "None" one."""
    return isinstance(cell, str) and cell.strip() not in ("", "None")


def _turns(config: TaskConfig, row: dict[str, Any]) -> list[Sample]:
    conversation = str(row["key"])
    samples: list[Sample] = []
    for turn in TURNS:
        where = f"{config.name} key {conversation} turn {turn}"
        if not _present(row[f"turn_{turn}_prompt"]):
            break
        message = _json(row, f"turn_{turn}_prompt", where)
        kwargs = [json.loads(k) if isinstance(k, str) else k for k in _json(row, f"turn_{turn}_kwargs", where)]
        try:
            reference = IFEvalPrompt.from_row(_json(row, f"turn_{turn}_instruction_id_list", where), kwargs, where,
                                               MULTI_IF_INSTRUCTIONS)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        samples.append(Sample(
            task=config.name, sample_id=f"{conversation}/{turn}",
            messages=user_turn([], format_prompt(config, config.prompt, prompt=message["content"])),
            reference=reference, categories={TURN: str(turn), LANGUAGE: str(row["language"])},
            cluster=conversation, follows=samples[-1].sample_id if samples else None,
        ))
    return samples


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = [sample for row in loaded.rows for sample in _turns(config, row)]
    return LoadedTask(samples, loaded.provenance)


def make_smoke_fixture(folder: Path) -> None:
    def turn(prompt: str, instructions: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
        return {"prompt": json.dumps({"role": "user", "content": prompt}, ensure_ascii=False),
                "instruction_id_list": json.dumps([i for i, _ in instructions]),
                "kwargs": json.dumps([json.dumps(kw, ensure_ascii=False) for _, kw in instructions])}

    conversations = [
        ("English", [
            turn("Write a short poem about the sea. Do not use any commas.", [("punctuation:no_comma", {})]),
            turn("Now rewrite it in all lowercase letters.", [("punctuation:no_comma", {}),
                                                              ("change_case:english_lowercase", {})]),
            turn("Finally, wrap the whole poem in double quotation marks.", [("startend:quotation", {})]),
        ]),
        ("Chinese", [
            turn("用至少20个字描述一下春天。", [("length_constraints:number_words",
                                                {"relation": "at least", "num_words": 20})]),
            turn("再用少于3句话总结它。", [("length_constraints:number_sentences",
                                           {"relation": "less than", "num_sentences": 3})]),
        ]),
    ]  # fmt: skip
    rows = []
    for key, (language, turns) in enumerate(conversations, start=1001):
        row: dict[str, Any] = {"key": key, "language": language}
        for number in TURNS:  # the csv writes "None" in every cell of a turn a conversation does not have
            content = turns[number - 1] if number <= len(turns) else dict.fromkeys(turns[0], "None")
            row.update({f"turn_{number}_{field}": value for field, value in content.items()})
        rows.append(row)
    (folder / "train.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                        encoding="utf-8")


register(TaskSpec(
    name="multi_if",
    title="Multi-IF, 4,501 three-turn conversations in 11 languages, multilingual IFEval checkers, mean over turns",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="facebook/Multi-IF", split="train"),
    scorer=ScorerConfig("multi_if"),
    prompt="{prompt}",
    prompt_fields=("prompt",),
    load=load_samples,
    check=lambda config: datasets_io.check(config.dataset, COLUMNS),
    reported=reported_in(TEXT_TABLES, "MultiIF", "", "score"),
    max_new_tokens=4096,
    smoke=SmokeVariant(fixture="multi_if", make_fixture=make_smoke_fixture, local_path="train.jsonl"),
))
