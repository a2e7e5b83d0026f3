"""`evalkit score`: dispatch, table, --json last line, and usage errors (exit 2). Tested through the command
module's own parser; the cli.main route is checked once every command module cli.py lists exists."""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import pytest

from evalkit import cli
from evalkit.commands import score
from evalkit.scoring.base import PredictionFiles


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    score.add_arguments(parser)
    rc = score.main(parser.parse_args(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.fixture
def videomme_file(tmp_path: Path) -> Path:
    questions = [{"question_id": f"1-{i}", "task_type": "Counting Problem", "answer": "A", "response": response}
                 for i, response in enumerate(["A", "B", "I cannot tell."])]
    video = {"duration_category": "short", "video_category": "Knowledge", "video_subcategory": "Law",
             "questions": questions}
    path = tmp_path / "results.json"
    path.write_text(json.dumps([video]), encoding="utf-8")
    return path


def test_json_last_line(videomme_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["--task", "videomme", "--predictions", str(videomme_file), "--json"], capsys)
    assert rc == 0
    record = json.loads(out.strip().splitlines()[-1])
    assert record == {
        "task": "videomme", "metric": "accuracy", "mode": "official", "value": 50.0,
        "strict_value": pytest.approx(100 / 3), "n": 3, "n_failed": 0, "n_excluded": 1, "denominator": 2,
        "n_fallback": 0,
        "official_denominator": "answered questions (a letter A-D extracted from the response)",
        "by_category": {"Counting Problem": 50.0, "Knowledge": 50.0, "Law": 50.0, "short": 50.0},
    }


def test_table_without_json(videomme_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["--task", "videomme", "--predictions", str(videomme_file)], capsys)
    assert rc == 0 and "overall" in out and "50.00" in out and not out.strip().endswith("}")


def test_unknown_task_lists_valid_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _run(["--task", "mmlu", "--predictions", str(tmp_path)], capsys)
    assert rc == 2 and "unknown task 'mmlu'" in err
    # every task with an official format, from the registry; smoke variants have none
    assert all(task in err for task in ("mmmu_val", "videomme", "librispeech_test_clean", "fleurs_yue",
                                        "fleurs_s2tt_zh_en", "mathvista_testmini", "mmmu_pro_vision"))
    assert "_smoke" not in err


def test_unreadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    rc, _, err = _run(["--task", "mmau_test_mini", "--predictions", str(missing)], capsys)
    assert rc == 2 and "missing.json" in err and "model_output" in err  # the file and the expected format


def test_options_that_do_not_apply(videomme_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _run(["--task", "videomme", "--predictions", str(videomme_file), "--normalizer", "none"], capsys)
    assert rc == 2 and "--normalizer" in err
    rc, _, err = _run(["--task", "librispeech_test_clean", "--predictions", str(videomme_file),
                       "--references", str(videomme_file)], capsys)
    assert rc == 2 and "--references" in err


def test_speech_tasks_take_language_and_unit_from_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "asr.jsonl"
    path.write_text(json.dumps({"gt": "a b", "response": "a c", "source": "fleurs"}), encoding="utf-8")
    scorer, items = score.load_predictions("fleurs_yue", PredictionFiles(path))
    assert (scorer.language, scorer.unit, scorer.normalizer, len(items)) == ("yue", "cer", "qwen", 1)
    scorer, _ = score.load_predictions("librispeech_test_other", PredictionFiles(path, normalizer="none"))
    assert (scorer.language, scorer.unit, scorer.normalizer) == ("en", "wer", "none")


@pytest.mark.skipif(
    not all(importlib.util.find_spec(f"evalkit.commands.{m}") for m in cli.COMMANDS.values()),
    reason="cli.main needs every command module listed in cli.COMMANDS",
)
def test_through_cli_main(videomme_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["score", "--task", "videomme", "--predictions", str(videomme_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["value"] == 50.0
