"""`evalkit tasks` lists the registry (a table, or one JSON object per task) and the suites with their tasks."""

from __future__ import annotations

import csv
import json

from evalkit.cli import main
from evalkit.config import REPO_ROOT
from evalkit.registry import all_specs


def test_lists_tasks_and_suites(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line and not line.startswith(("suite ", "aggregate "))}
    assert rows["mmmu_val"] == ["mmmu_val", "image", "MMMU/MMMU", "[30", "subsets]", "validation", "unpinned",
                                "accuracy", "run+score", "MMMU/val"]
    assert rows["librispeech_test_other"][-1] == "LibriSpeech/test_other"
    assert rows["mathvista_testmini"][-2:] == ["run+score", "MathVista/testmini"]
    assert rows["mmmu_pro"][-1] == "MMMU-Pro"
    assert ("suite paper_vision: mmstar, hallusionbench, mm_mt_bench, mmmu_val, mmmu_pro, mathvista_testmini, "
            "mathvision,") in out
    assert ("aggregate voicebench_overall (VoiceBench/overall), computed in the report: mean of "
            "voicebench_alpacaeval x20, voicebench_commoneval x20, voicebench_wildvoice x20, voicebench_sd_qa, ") in out


def test_one_suite_and_an_unknown_one(capsys):
    assert main(["tasks", "--suite", "paper_vision"]) == 0
    out = capsys.readouterr().out
    assert "videomme" in out and "fleurs_en" not in out and "aggregate" not in out
    assert main(["tasks", "--suite", "nope"]) == 2
    suites = "paper_audio, paper_av, paper_speech, paper_text, paper_vision, scale, smoke, smoke_all, smoke_speech"
    assert f"unknown suite 'nope'; suites: {suites}" in capsys.readouterr().out


def test_json_has_one_object_per_task_with_keys_into_the_reported_scores(capsys):
    assert main(["tasks", "--json"]) == 0
    records = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert list(records) == list(all_specs())
    with (REPO_ROOT / "results" / "reference" / "reported_scores.csv").open(encoding="utf-8") as f:
        published = {(r["table"], r["benchmark"], r["subset"], r["metric"]) for r in csv.DictReader(f)}
    for record in records.values():
        assert {"name", "modalities", "dataset", "metric", "reported"} <= set(record)
        assert all((k["table"], k["benchmark"], k["subset"], k["metric"]) in published for k in record["reported"])
    assert records["videomme"]["dataset"] == {"id": "lmms-lab/Video-MME", "revision": None,
                                              "pin": {"state": "unpinned", "revision": None},
                                              "subsets": ["videomme"], "split": "test", "local_path": None}
    assert (records["fleurs_ko"]["metric"], records["librispeech_test_clean"]["metric"]) == ("CER", "WER")
    assert records["librispeech_test_clean"]["reported"] == [
        {"table": "audio->text (asr, s2tt)", "benchmark": "LibriSpeech", "subset": "test_clean", "metric": "wer"}]
    assert records["mmmu_pro_vision"]["runnable"] is True and records["mmmu_pro_vision"]["official_format"] is True
