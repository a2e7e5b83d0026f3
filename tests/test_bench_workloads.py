"""The GPU benchmark's synthetic workloads: a short device lease builds only the workloads it measures, and a folder
left half-written by a killed call is written again, not trusted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench import workloads


def test_only_the_named_workloads_are_written_and_a_half_written_one_is_redone(tmp_path: Path):
    chosen = workloads.build(tmp_path, workloads.REHEARSAL, max_frames=8, names=["text_large", "text"])
    assert [w.name for w in chosen] == ["text", "text_large"]  # the bench's order, whatever order was asked
    (root,) = tmp_path.iterdir()
    assert sorted(p.name for p in root.iterdir()) == ["text", "text_large"]
    assert len(pd.read_parquet(root / "text_large" / "Bench.parquet")) == workloads.REHEARSAL.text_large

    (root / "text" / "complete").unlink()  # as a call killed while writing leaves it
    (root / "text" / "Bench.parquet").write_bytes(b"cut off")
    workloads.build(tmp_path, workloads.REHEARSAL, max_frames=8, names=["text"])
    assert len(pd.read_parquet(root / "text" / "Bench.parquet")) == workloads.REHEARSAL.text


def test_an_unknown_workload_name_is_refused_with_the_known_ones(tmp_path: Path):
    with pytest.raises(ValueError, match=r"no workload named \['vid'\]; known: \['text', 'text_large', 'audio'"):
        workloads.build(tmp_path, workloads.REHEARSAL, max_frames=8, names=["vid"])
    assert not any(tmp_path.iterdir())
