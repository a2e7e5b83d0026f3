"""Per-sample failures are recorded with their reason, counted and scored as wrong; the run goes on, up to
`failures.max_failures`; a killed run resumes without losing or repeating work."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import evalkit.generation as generation
from evalkit.generation import RunAborted
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.runners import build_runner

from .run_helpers import SMOKE_FIXTURES, copy_fixtures, read_lines, smoke_overrides, stable_records


def corrupt_fixtures(root: Path) -> dict[str, str]:
    """One corrupt audio, one missing image, one video that will not decode; returns task -> sample id."""
    fixtures = copy_fixtures(root / "smoke")
    clean = fixtures / "librispeech" / "clean.parquet"
    table = pd.read_parquet(clean)
    table.at[0, "audio"] = {"bytes": b"RIFF this is not audio", "path": table.at[0, "audio"]["path"]}
    table.to_parquet(clean)
    art = fixtures / "mmmu" / "Art.parquet"
    images = pd.read_parquet(art)
    images.at[0, "image_1"] = {"bytes": None, "path": str(root / "missing" / "image_1.png")}
    images.to_parquet(art)
    (fixtures / "videomme" / "videos" / "smokeSquare.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 broken")
    questions = pd.read_parquet(fixtures / "videomme" / "test.parquet")
    broken_video = questions[questions["videoID"] == "smokeSquare"]["question_id"].tolist()
    return {
        "librispeech_test_clean_smoke": str(table.at[0, "id"]),
        "mmmu_val_smoke": str(images.at[0, "id"]),
        "videomme_smoke": broken_video,
    }


def fixture_overrides(fixtures: Path) -> list[str]:
    return [
        f"tasks.librispeech_test_clean_smoke.dataset.local_path={fixtures}/librispeech",
        f"tasks.mmmu_val_smoke.dataset.local_path={fixtures}/mmmu",
        f"tasks.videomme_smoke.dataset.local_path={fixtures}/videomme/test.parquet",
        f"tasks.videomme_smoke.dataset.media_dir={fixtures}/videomme/videos",
    ]


def test_broken_media_fail_alone_with_their_reasons(tmp_path: Path, tiny_model_dir: Path) -> None:
    broken = corrupt_fixtures(tmp_path)
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=10",
                                *fixture_overrides(tmp_path / "smoke"))
    summary = run_evaluation(load_run_config(overrides))
    records = read_lines(tmp_path / "run" / "samples.jsonl")
    failed = {(r["task"], r["sample_id"]): r for r in records if r["error"]}
    expected = {("librispeech_test_clean_smoke", broken["librispeech_test_clean_smoke"]),
                ("mmmu_val_smoke", broken["mmmu_val_smoke"])}
    expected |= {("videomme_smoke", qid) for qid in broken["videomme_smoke"]}
    assert set(failed) == expected and summary.n_failed == len(expected)
    assert all(r["error_stage"] == "media" for r in failed.values())
    missing_image = failed[("mmmu_val_smoke", broken["mmmu_val_smoke"])]["error"]
    assert "image_1.png" in missing_image and "file not found" in missing_image
    assert all("smokeSquare.mp4" in failed[("videomme_smoke", q)]["error"] for q in broken["videomme_smoke"])
    scores = json.loads((tmp_path / "run" / "scores.json").read_text())["tasks"]
    assert scores["librispeech_test_clean_smoke"]["n_failed"] == 1
    assert scores["videomme_smoke"]["n_failed"] == len(broken["videomme_smoke"])
    assert all(r["response"] for r in records if not r["error"])  # the rest were answered and scored
    assert "failed" in (tmp_path / "run" / "report.md").read_text()


class FlakyRunner:
    """The real tiny-model runner, raising on chosen samples (only when they are in the batch)."""

    def __init__(self, inner, failing: set[str]):
        self.inner, self.failing, self.name = inner, failing, inner.name

    def generate(self, batch):
        if any(p.sample.sample_id in self.failing for p in batch):
            raise RuntimeError("injected engine failure")
        return self.inner.generate(batch)

    def info(self):
        return self.inner.info()

    def close(self):
        self.inner.close()


def test_runner_errors_are_isolated_to_their_samples(tmp_path, tiny_model_dir, monkeypatch) -> None:
    failing = {"9001-1-0000", "validation_Math_1"}
    monkeypatch.setattr(generation, "build_runner", lambda *a: FlakyRunner(build_runner(*a), failing))
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=5")
    summary = run_evaluation(load_run_config(overrides))
    failed = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl") if r["error"]}
    assert set(failed) == failing and summary.n_failed == 2
    assert all(r["error"] == "RuntimeError: injected engine failure" for r in failed.values())
    assert all(r["error_stage"] == "runner" for r in failed.values())


def test_too_many_failures_abort_and_a_rerun_retries_them(tmp_path, tiny_model_dir, monkeypatch) -> None:
    monkeypatch.setattr(generation, "build_runner", lambda *a: FlakyRunner(build_runner(*a), {"9001-1-0000"}))
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=0",
                                "runner.batch_size=2")
    with pytest.raises(RunAborted, match="9001-1-0000.*injected"):
        run_evaluation(load_run_config(overrides))
    kept = read_lines(tmp_path / "run" / "samples.jsonl")
    assert len(kept) >= 1 and any(r["error"] for r in kept)
    monkeypatch.setattr(generation, "build_runner", build_runner)
    summary = run_evaluation(load_run_config(overrides))
    assert summary.n_failed == 0 and summary.n_resumed == len([r for r in kept if not r["error"]])


def test_the_failure_budget_is_per_task(tmp_path, tiny_model_dir, monkeypatch) -> None:
    """Two of the 3 Video-MME questions fail: 2/19 = 11% of the suite, within a 50% budget for the suite as a whole,
    but 67% of the task, so the run stops and names the task."""
    failing = {"001-1", "001-2"}
    monkeypatch.setattr(generation, "build_runner", lambda *a: FlakyRunner(build_runner(*a), failing))
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=0.5")
    with pytest.raises(RunAborted, match=r"task videomme_smoke: 2 samples failed, over its limit of 1\.5"):
        run_evaluation(load_run_config(overrides))
    within = smoke_overrides(tiny_model_dir, tmp_path / "run2", tmp_path / "cache", "failures.max_failures=2")
    assert run_evaluation(load_run_config(within)).n_failed == 2  # a count of 2 per task lets both through


def test_kill_9_mid_run_then_resume_loses_and_repeats_nothing(tmp_path: Path, tiny_model_dir: Path,
                                                               kill_run_mid_way) -> None:
    run_dir = tmp_path / "run"
    overrides = smoke_overrides(tiny_model_dir, run_dir, tmp_path / "cache", "runner.batch_size=1",
                                "use_response_cache=false")
    samples = run_dir / "samples.jsonl"
    answered_before = kill_run_mid_way(overrides, samples)
    assert 3 <= answered_before < 19

    summary = run_evaluation(load_run_config(overrides))
    assert summary.n_resumed == answered_before and summary.n_generated == 19 - answered_before
    keys = [(r["task"], r["sample_id"]) for r in read_lines(samples)]
    assert len(keys) == len(set(keys)) == 19

    uninterrupted = tmp_path / "uninterrupted"
    run_evaluation(load_run_config(smoke_overrides(tiny_model_dir, uninterrupted, tmp_path / "cache",
                                                   "runner.batch_size=1", "use_response_cache=false")))
    assert stable_records(samples) == stable_records(uninterrupted / "samples.jsonl")
    assert (run_dir / "scores.json").read_text() == (uninterrupted / "scores.json").read_text()


def test_kill_9_of_evalkit_leaves_no_media_worker_behind(tmp_path: Path, tiny_model_dir: Path,
                                                         kill_run_leader_mid_way) -> None:
    """Only evalkit's own process is killed, as `kill -9 PID` does: its media workers (and the resource tracker
    they share with it) must end by themselves within a few seconds."""
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "runner.batch_size=1",
                                "use_response_cache=false", "media_workers=2")
    children, left = kill_run_leader_mid_way(overrides, tmp_path / "run" / "samples.jsonl")
    assert sum("multiprocessing.spawn" in c for c in children) == 2  # the workers were up when it was killed
    assert left == []


class GarblingRunner(FlakyRunner):
    """The real runner, with chosen samples' outputs replaced by an empty or a broken-UTF-8 text."""

    def generate(self, batch):
        responses = self.inner.generate(batch)
        garbled = {"9001-1-0000": "   ", "9001-1-0001": "caf\ufffd"}
        return [replace(r, text=garbled.get(p.sample.sample_id, r.text)) for p, r in zip(batch, responses, strict=True)]


def test_empty_and_non_utf8_outputs_are_failures(tmp_path, tiny_model_dir, monkeypatch) -> None:
    monkeypatch.setattr(generation, "build_runner", lambda *a: GarblingRunner(build_runner(*a), set()))
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=5")
    summary = run_evaluation(load_run_config(overrides))
    failed = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl") if r["error"]}
    assert summary.n_failed == 2 and {r["error_stage"] for r in failed.values()} == {"output"}
    assert failed["9001-1-0000"]["error"] == "the model returned an empty output"
    assert "not valid UTF-8" in failed["9001-1-0001"]["error"]
    scores = json.loads((tmp_path / "run" / "scores.json").read_text())["tasks"]
    assert scores["librispeech_test_clean_smoke"]["n_failed"] == 2


def test_media_failures_are_retried_on_resume_once_fixed(tmp_path: Path, tiny_model_dir: Path) -> None:
    broken = corrupt_fixtures(tmp_path)
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=10",
                                *fixture_overrides(tmp_path / "smoke"))
    first = run_evaluation(load_run_config(overrides))
    assert first.n_failed == 2 + len(broken["videomme_smoke"])
    shutil.copy(SMOKE_FIXTURES / "videomme" / "videos" / "smokeSquare.mp4",
                tmp_path / "smoke" / "videomme" / "videos" / "smokeSquare.mp4")  # the cause, fixed
    second = run_evaluation(load_run_config(overrides))
    assert second.n_failed == 2 and second.n_generated == len(broken["videomme_smoke"])
