"""Reports: the published scores, the paper-layout tables in every format, and the HTML page in a real
headless browser."""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from run_builder import TaskSpec, accuracy_records, record, write_run

from evalkit.commands import report as report_command
from evalkit.registry import ReportedKey, task_spec
from evalkit.report import render, write_report
from evalkit.report.reference import load_published_scores

HOSTILE = "<script>alert('x')</script><b>bold</b>"


def test_published_scores_pick_the_table_of_the_run_variant():
    published = load_published_scores()
    mmmu = task_spec("mmmu_val").reported
    table, column = published.locate(mmmu, "instruct")
    assert table.name == "vision->text (instruct)"
    assert table.value(table.qwen_model("instruct"), column) == 69.1
    assert table.other_models() == ("GPT-4o",)
    table, column = published.locate(mmmu, "thinking")
    assert (table.name, table.qwen_model("thinking")) == ("vision->text (thinking)", "Qwen3-Omni-30B-A3B-Thinking")
    assert table.value("Gemini-2.5-Flash-Thinking", column) == 76.9
    # MMAU sits in one table with both variants as columns
    table, column = published.locate(task_spec("mmau_test_mini").reported, "thinking")
    assert table.value(table.qwen_model("thinking"), column) == 75.4
    assert table.value(table.qwen_model("tiny"), column) == 77.5  # tiny runs sit beside Instruct
    # speech generation names the model without a variant, and scores one benchmark two ways
    table, column = published.locate([ReportedKey("speech generation (multilingual)", "MultilingualTTS", "de",
                                                  "speaker_similarity")], "instruct")
    assert (column.metric, table.qwen_model("instruct")) == ("speaker_similarity", "Qwen3-Omni-30B-A3B")
    assert published.locate([ReportedKey("vision->text (instruct)", "MMMU", "test", "accuracy")], "instruct") is None


def mixed_run(tmp_path, variant="instruct", intervals=False):
    rng = np.random.default_rng(0)
    mmmu = accuracy_records("mmmu_val", list(rng.random(300) < 0.69))
    mmmu[3] = record("mmmu_val", 3, {"correct": 0.0, "total": 1.0}, error="media: cannot decode image_1")
    mmmu[4] = record("mmmu_val", 4, {"correct": 0.0, "total": 1.0}, answer=HOSTILE, reference="C")
    asr = [record("librispeech_test_other", i, {"errors": float(e), "ref_words": 20.0}, answer=f"words {i}",
                  reference=f"ref {i}") for i, e in enumerate(rng.integers(0, 2, 200))]  # fmt: skip
    tasks = {
        "mmmu_val": TaskSpec(mmmu),
        "librispeech_test_other": TaskSpec(asr, scorer="test_error_rate"),
        "private_task": TaskSpec(accuracy_records("private_task", [True, False, True])),
    }
    return write_run(tmp_path / "run", tasks, variant=variant, with_intervals=intervals), tasks


def test_markdown_report_sets_ours_beside_the_paper(tmp_path):
    run, tasks = mixed_run(tmp_path)
    paths = write_report(run)
    assert paths == [run / "report.md"]
    text = paths[0].read_text(encoding="utf-8")
    ours = 100 * sum(r.stats["correct"] for r in tasks["mmmu_val"].records) / 300
    header = next(line for line in text.splitlines() if line.startswith("| Task |"))
    assert header.endswith("| Paper in CI | Gemini-2.5-Pro | GPT-4o |")  # baselines of the tables touched
    mmmu_line = next(line for line in text.splitlines() if line.startswith("| mmmu_val |"))
    cells = [c.strip() for c in mmmu_line.strip("|").split("|")]
    # ours, CI, strict (MMMU excludes nothing, so equal), n, failed, excluded, fallback, unclosed, paper
    assert cells[2] == cells[4] == f"{ours:.2f}" and cells[5:11] == ["300", "1", "0", "0", "0", "69.10"]
    assert cells[11] == f"{ours - 69.1:+.2f}"
    low, high = (float(x) for x in cells[3].strip("[]").split(","))
    assert cells[12] == ("yes" if low <= 69.1 <= high else "**no**")
    assert cells[13:] == ["—", "69.10"]  # no Gemini number for MMMU; GPT-4o
    wer_line = next(line for line in text.splitlines() if line.startswith("| librispeech_test_other |"))
    assert "WER ↓" in wer_line and "| 2.48 |" in wer_line and "| 3.56" in wer_line  # Qwen and Gemini-2.5-Pro
    assert "| private_task | accuracy ↑ | 66.67 |" in text
    assert "## Paper table: vision->text (instruct)" in text and "## Paper table: audio->text (asr, s2tt)" in text


def test_verdict_uses_the_interval_from_scores_json(tmp_path):
    run, _ = mixed_run(tmp_path, intervals=True)
    rows = list(csv.DictReader(io.StringIO(render(run, "csv"))))
    ours = next(r for r in rows if r["task"] == "mmmu_val" and r["source"] == "ours")
    low, high = float(ours["low"]), float(ours["high"])
    assert ours["verdict"] == ("inside" if low <= 69.1 <= high else "outside")
    published = {r["model"]: float(r["value"]) for r in rows if r["task"] == "mmmu_val" and r["source"] == "paper"}
    assert published == {"GPT-4o": 69.1, "Qwen3-Omni-30B-A3B-Instruct": 69.1, "Qwen3-Omni-Flash-Instruct": 69.8}
    private = next(r for r in rows if r["task"] == "private_task")
    assert (private["table"], private["verdict"], private["n"]) == ("", "", "3")


def test_thinking_run_is_set_in_the_thinking_table(tmp_path):
    run, _ = mixed_run(tmp_path, variant="thinking")
    text = render(run, "md")
    assert "## Paper table: vision->text (thinking)" in text and "| Gemini-2.5-Flash-Thinking | 76.90 |" in text
    assert "set beside the Instruct" not in text
    tiny = render(mixed_run(tmp_path / "tiny", variant="tiny")[0], "md")
    assert "## Paper table: vision->text (instruct)" in tiny and "set beside the Instruct ones" in tiny


def test_latex_tables_escape_and_mark_verdicts(tmp_path):
    run, _ = mixed_run(tmp_path)
    tex = render(run, "tex")
    assert tex.count(r"\begin{tabular}") == 2
    assert r"\textbf{Ours (qwen3\_omni\_30b\_a3b\_instruct)}" in tex
    assert r"LibriSpeech test\_other $\downarrow$" in tex
    assert r"$\checkmark$" in tex or r"$\times$" in tex


def test_report_command_writes_the_format_and_exits_2_on_a_bad_folder(tmp_path, capsys):
    run, _ = mixed_run(tmp_path)
    parser = argparse.ArgumentParser()
    report_command.add_arguments(parser)
    out = tmp_path / "page.html"
    assert report_command.main(parser.parse_args([str(run), "--format", "html", "--output", str(out)])) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert report_command.main(parser.parse_args([str(tmp_path / "missing")])) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_html_escapes_model_output(tmp_path):
    run, tasks = mixed_run(tmp_path)
    page = render(run, "html")
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "media: cannot decode image_1" in page
    # error-rate samples with errors are listed with their stats; a perfect utterance is not
    asr = tasks["librispeech_test_other"].records
    assert all((f"<td>{r.sample_id}</td>" in page) == (r.stats["errors"] > 0) for r in asr)
    assert "errors=1 ref_words=20" in page and "errors=0 ref_words=20" not in page
    assert page.count("<svg") == 3  # one chart per task


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_html_report_renders_in_headless_chromium(tmp_path):
    browser = find_chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); the HTML report is not rendered")
    run, _ = mixed_run(tmp_path)
    page = write_report(run, formats=("html",))[0]
    shot = tmp_path / "report.png"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600", f"--screenshot={shot}",
               page.as_uri()]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    image = np.asarray(Image.open(shot).convert("L"))
    assert image.shape == (1600, 1280)
    # a blank or error page is (almost) one colour; a rendered report has text, tables and bars
    assert image.std() > 20 and (image < 100).mean() > 0.005
    # the browser's own view of the page: the model's <script> is text in the document, not an element
    dom = subprocess.run([*command[:-3], "--dump-dom", page.as_uri()], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom and "<script>alert" not in dom
