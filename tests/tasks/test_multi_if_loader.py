"""Multi-IF's loader: the official csv layout becomes one sample per turn, each later turn following the one before."""

from __future__ import annotations

import pandas as pd

from evalkit.registry import task_spec
from evalkit.task import load_task


def test_the_official_csv_loads_as_turn_chains_and_an_absent_turn_ends_a_conversation(tmp_path):
    fixture = task_spec("multi_if_smoke").task_config().dataset.local_path
    pd.read_json(fixture, lines=True).to_csv(tmp_path / "multiIF_20241018.csv", index=False)
    config = task_spec("multi_if").task_config()
    config.dataset.local_path = str(tmp_path / "multiIF_20241018.csv")
    samples = load_task(config).samples
    assert [(s.sample_id, s.follows) for s in samples] == [
        ("1001/1", None), ("1001/2", "1001/1"), ("1001/3", "1001/2"), ("1002/1", None), ("1002/2", "1002/1")]
    assert samples[4].categories == {"turn": "2", "language": "Chinese"} and samples[4].cluster == "1002"
    assert samples[1].reference.instruction_ids == ("punctuation:no_comma", "change_case:english_lowercase")
