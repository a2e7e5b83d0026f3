"""Helpers for end-to-end run tests: overrides that point a smoke run at the session's tiny model, and
reading a run folder back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from evalkit.config import REPO_ROOT

SMOKE_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "smoke"
# Timing and where a response came from legitimately differ between two runs of the same config.
VOLATILE = {"cache_hit"}
VOLATILE_RESPONSE = {"latency_s"}


def smoke_overrides(model_dir: Path, output_dir: Path, cache_dir: Path, *extra: str) -> list[str]:
    return [
        "model=tiny_random", "suite=smoke", f"model.path={model_dir}", f"output_dir={output_dir}",
        f"cache_dir={cache_dir}", *extra,
    ]


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stable_records(path: Path) -> list[dict[str, Any]]:
    """samples.jsonl without the fields that vary between identical runs."""
    records = []
    for record in read_lines(path):
        record = {k: v for k, v in record.items() if k not in VOLATILE}
        if record.get("response"):
            record["response"] = {k: v for k, v in record["response"].items() if k not in VOLATILE_RESPONSE}
        records.append(record)
    return records


def copy_fixtures(destination: Path) -> Path:
    shutil.copytree(SMOKE_FIXTURES, destination)
    return destination
