"""The published numbers (results/reference/reported_scores.csv, shipped inside the package as
evalkit/reference/): the paper's tables, the models each compares, and each model's number.

A task's spec names the columns it reproduces (`reported` keys, evalkit.registry). The paper prints instruct and
thinking variants in separate tables for most modalities; a run's model variant picks among them. Tiny and
captioner runs have no table of their own and are set beside the Instruct numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evalkit.config import PACKAGE_DIR
from evalkit.registry import ReportedKey

REFERENCE_CSV = PACKAGE_DIR / "reference" / "reported_scores.csv"  # a symlink to results/reference/ in a checkout
QWEN_PREFIX = "Qwen3-Omni-30B-A3B"
_COLUMNS = ("table", "benchmark", "subset", "metric", "lower_is_better", "model", "value")
_VARIANT_TABLES = ("instruct", "thinking")


@dataclass(frozen=True)
class Column:
    """One benchmark column of a paper table."""

    benchmark: str
    subset: str
    metric: str
    lower_is_better: bool

    @property
    def label(self) -> str:
        return f"{self.benchmark} {self.subset}".strip()


@dataclass(frozen=True)
class PaperTable:
    name: str  # as the CSV names it, e.g. "vision->text (instruct)"
    columns: tuple[Column, ...]  # in the paper's order
    models: tuple[str, ...]  # in the paper's order
    values: dict[tuple[str, Column], float]  # (model, column) -> published number

    def value(self, model: str, column: Column) -> float | None:
        return self.values.get((model, column))

    def qwen_model(self, variant: str) -> str | None:
        """The Qwen3-Omni-30B-A3B column matching a run's variant (tiny and captioner runs: Instruct)."""
        wanted = variant if variant in _VARIANT_TABLES else "instruct"
        for name in (f"{QWEN_PREFIX}-{wanted.capitalize()}", QWEN_PREFIX):
            if name in self.models:
                return name
        return None

    def other_models(self) -> tuple[str, ...]:
        """The non-Qwen baselines (Gemini, GPT-4o, CosyVoice) this table compares against."""
        return tuple(m for m in self.models if not m.startswith("Qwen3-Omni"))


@dataclass(frozen=True)
class PublishedScores:
    tables: tuple[PaperTable, ...]

    def locate(self, keys: Sequence[ReportedKey], variant: str) -> tuple[PaperTable, Column] | None:
        """Of a task's reported columns, the one in the table of the run's variant."""
        found = [
            (table, column)
            for key in keys
            for table in self.tables
            if table.name == key.table
            for column in table.columns
            if (column.benchmark, column.subset, column.metric) == (key.benchmark, key.subset, key.metric)
        ]
        if not found:
            return None
        wanted = variant if variant in _VARIANT_TABLES else "instruct"
        return min(found, key=lambda tc: _table_rank(tc[0].name, wanted))

    def has(self, key: ReportedKey) -> bool:
        return self.locate([key], "instruct") is not None


def _table_rank(table_name: str, variant: str) -> int:
    if table_name.endswith(f"({variant})"):
        return 0
    if not any(table_name.endswith(f"({v})") for v in _VARIANT_TABLES):
        return 1  # a table that mixes variants in its columns (audio understanding, speech generation)
    return 2


@lru_cache(maxsize=4)
def load_published_scores(path: Path = REFERENCE_CSV) -> PublishedScores:
    if not path.is_file():
        raise FileNotFoundError(f"published scores {path} are missing; they ship inside the evalkit package")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(_COLUMNS)}, got {reader.fieldnames}")
        rows = [_parse_row(path, number, row) for number, row in enumerate(reader, 2)]
    tables: dict[str, tuple[dict[Column, None], dict[str, None], dict[tuple[str, Column], float]]] = {}
    for table_name, model, column, value in rows:
        columns, models, values = tables.setdefault(table_name, ({}, {}, {}))
        columns[column] = None  # dicts keep first-seen order, which is the paper's
        models[model] = None
        if (model, column) in values:
            raise ValueError(f"{path}: {model} has two values for {column.label} in table {table_name!r}")
        values[(model, column)] = value
    return PublishedScores(
        tables=tuple(
            PaperTable(name, tuple(columns), tuple(models), values)
            for name, (columns, models, values) in tables.items()
        )
    )


def _parse_row(path: Path, number: int, row: dict[str, str]) -> tuple[str, str, Column, float]:
    try:
        value = float(row["value"])
        if row["lower_is_better"] not in ("true", "false"):
            raise ValueError(f"lower_is_better must be true or false, got {row['lower_is_better']!r}")
    except ValueError as exc:
        raise ValueError(f"{path}:{number}: {exc}") from exc
    column = Column(row["benchmark"], row["subset"], row["metric"], row["lower_is_better"] == "true")
    return row["table"], row["model"], column, value
