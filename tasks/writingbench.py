"""WritingBench (X-PLUG/WritingBench @ ae2d5176449b7b769815482641d35926f26793eb): 1,000 writing queries in six
domains, each response judged once per query-specific criterion by the official judge (evalkit.scoring.writingbench);
the score is the mean criterion score x10.

There is no hub copy: set dataset.local_path to the repository's benchmark_query/benchmark_all.jsonl, one query a
line: index, domain1, domain2, lang, query, checklist (the criteria: objects with a name). It is read line by line
with json, as evaluate_benchmark.py reads it, so that each criterion reaches the judge exactly as the official
prompt renders it. Prompt: the query alone as the only user turn (generate_response.py). Categories: domain1 and
domain2 (calculate_scores.py's breakdown; its requirement subsets are not computed).
`evalkit score --task writingbench --predictions responses.jsonl --references benchmark_all.jsonl --judge
use=official` judges generate_response.py's output instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.writingbench import query_categories, query_reference, read_queries
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

QUERY_FILE = "benchmark_all.jsonl"


def _queries(config: TaskConfig) -> tuple[list[dict[str, Any]], Path]:
    path = datasets_io.local_file(config.dataset, config.name, f"WritingBench's benchmark_query/{QUERY_FILE}")
    try:
        return read_queries(path), path
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def check(config: TaskConfig) -> None:
    _queries(config)


def load_samples(config: TaskConfig) -> LoadedTask:
    rows, path = _queries(config)
    samples = [Sample(
        task=config.name, sample_id=str(row["index"]),
        messages=user_turn([], format_prompt(config, config.prompt, query=row["query"])),
        reference=query_reference(row), categories=query_categories(row),
    ) for row in rows]
    return LoadedTask(samples, datasets_io.local_file_provenance(path, len(rows)))


def _criterion(name: str, description: str) -> dict[str, str]:
    return {"name": name, "criteria_description": description,
            "1-2": "Fails the requirement.", "3-4": "Mostly fails it.", "5-6": "Meets it adequately.",
            "7-8": "Meets it well.", "9-10": "Meets it perfectly."}


def make_smoke_fixture(folder: Path) -> None:
    rows = [
        {"index": 1, "domain1": "Education", "domain2": "Lesson Plans", "lang": "en",
         "query": "Write a three-sentence lesson objective for teaching fractions to ten-year-olds.",
         "checklist": [_criterion("Clarity", "The objective is clear."),
                       _criterion("Length", "Exactly three sentences.")]},
        {"index": 2, "domain1": "Finance & Business", "domain2": "Memos", "lang": "en",
         "query": "Draft a two-line memo announcing that the office closes early on Friday.",
         "checklist": [_criterion("Format", "A memo of two lines.")]},
    ]  # fmt: skip
    (folder / QUERY_FILE).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                     encoding="utf-8")


register(TaskSpec(
    name="writingbench",
    title="WritingBench, 1,000 queries: one official judge request per criterion (1-10), mean x10",
    modalities=("text",),
    dataset=DatasetConfig(hub_id="", split="test"),
    scorer=ScorerConfig("writingbench"),
    prompt="{query}",
    prompt_fields=("query",),
    load=load_samples,
    check=check,
    reported=reported_in(TEXT_TABLES, "WritingBench", "", "score"),
    max_new_tokens=16384,
    smoke=SmokeVariant(fixture="writingbench", make_fixture=make_smoke_fixture, local_path=QUERY_FILE),
))
