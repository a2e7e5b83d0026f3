"""`evalkit tasks` lists tasks with their dataset, scorer and paper row, and suites with their tasks."""

from __future__ import annotations

from evalkit.cli import main


def test_lists_tasks_and_suites(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line and not line.startswith("suite ")}
    assert "_fleurs_asr" not in rows  # shared parts are not tasks
    assert rows["mmmu_val"] == ["mmmu_val", "mmmu", "MMMU/MMMU", "[30", "subsets]", "validation", "mmmu", "MMMU/val"]
    assert rows["librispeech_test_other"][-1] == "LibriSpeech/test_other"
    assert "suite paper_vision: mmmu_val, videomme" in out


def test_one_suite_and_an_unknown_one(capsys):
    assert main(["tasks", "--suite", "paper_vision"]) == 0
    out = capsys.readouterr().out
    assert "videomme" in out and "fleurs_en" not in out
    assert main(["tasks", "--suite", "nope"]) == 2
    assert "unknown suite 'nope'; suites: paper_audio, paper_vision, scale, smoke" in capsys.readouterr().out
