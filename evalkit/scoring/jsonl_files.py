"""Reading the JSON-lines files benchmarks' official code reads and writes (questions, answers, judgements)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def read_jsonl(path: Path, fields: Sequence[str], what: str) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file, each checked to have `fields` (errors name the file and line)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
        missing = [f for f in fields if f not in row] if isinstance(row, dict) else list(fields)
        if missing:
            raise ValueError(f"{path}:{number}: not {what} (missing {', '.join(missing)})")
        rows.append(row)
    return rows
