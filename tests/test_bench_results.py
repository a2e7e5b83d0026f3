"""The GPU results kept under bench/results/ (CI has no GPU, so these files are the record): each holds what issue 10
asks of it, its numbers agree with one another, and every file the README cites exists."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GPU_RESULTS = sorted((REPO / "bench" / "results").glob("gpu-*.json"))
ROW_KEYS = {"name", "n", "evalkit_rps", "bare_rps", "ratio", "completed", "failed"}


@pytest.mark.parametrize("path", GPU_RESULTS, ids=lambda p: p.name)
def test_a_gpu_result_names_its_machine_and_versions_and_its_rows_add_up(path: Path):
    document = json.loads(path.read_text())
    assert "H200" in document["device"] and document["date"].startswith("2026-")
    assert document["versions"]["vllm"] and document["versions"]["evalkit_commit"]
    assert document["workloads"], f"{path.name}: no workload rows"
    for row in document["workloads"]:
        assert ROW_KEYS <= row.keys(), f"{path.name} {row.get('name')}: missing {ROW_KEYS - row.keys()}"
        assert row["completed"] + row["failed"] == row["n"], f"{path.name} {row['name']}: a sample went uncounted"
        # the ratio is one of medians (pass times), so it must follow from the passes it summarises
        medians = statistics.median(row["bare_s"]) / statistics.median(row["evalkit_s"])
        assert row["ratio"] == pytest.approx(medians, abs=0.006), f"{path.name} {row['name']}"


def test_every_result_file_the_readme_cites_exists():
    cited = set(re.findall(r"gpu-\d{8}[a-z-]*\.json", (REPO / "README.md").read_text()))
    assert "gpu-20261203.json" in cited
    assert sorted(cited - {p.name for p in GPU_RESULTS}) == []
