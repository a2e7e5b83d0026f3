"""runner.data_parallel_size=2 on this machine: two transformers replicas in their own processes pull the smoke
suite's requests and stream answers into the one run folder; the result is the one-process run's, and a driver
killed with SIGKILL takes its replicas with it and resumes exactly."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation

from .conftest import (
    N_SMOKE,
    alive,
    assert_same_run,
    children_of,
    kill_session,
    replica_overrides,
    start_driver,
    wait_for_answers,
)

DP2 = ("runner.data_parallel_size=2", "runner.batch_size=1")  # small batches: a kill lands mid-run


def test_two_local_replicas_give_the_one_process_run(tmp_path: Path, tiny_model_dir: Path, one_process_run: Path):
    run_dir = tmp_path / "run"
    summary = run_evaluation(load_run_config(replica_overrides(tiny_model_dir, run_dir, tmp_path / "cache", *DP2)))
    assert summary.n_generated == N_SMOKE
    assert_same_run(run_dir, one_process_run)
    engine = json.loads((run_dir / "manifest.json").read_text())["sessions"][0]["engine"]
    assert engine["details"]["replicas"]["count"] == 2 and engine["details"]["data_parallel_size"] == 2
    assert engine["details"]["replicas"]["placement"] == ["CPU, 1 threads", "CPU, 1 threads"]


def test_a_killed_driver_takes_its_replicas_along_and_the_rerun_resumes_exactly(tmp_path: Path, tiny_model_dir: Path,
                                                                                one_process_run: Path):
    run_dir = tmp_path / "run"
    overrides = replica_overrides(tiny_model_dir, run_dir, tmp_path / "cache", *DP2)
    driver = start_driver(overrides)
    replicas = _replicas_of(driver.pid, count=2)
    wait_for_answers(driver, run_dir / "samples.jsonl", answers=1)  # the run is short: kill at its first answers
    kill_session(driver)  # the replicas lead their own process groups: only their parent watch ends them
    deadline = time.monotonic() + 10
    while alive(replicas) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(replicas) == []
    answered = (run_dir / "samples.jsonl").read_text().count("\n")
    assert 1 <= answered < N_SMOKE

    summary = run_evaluation(load_run_config(overrides))
    assert (summary.n_resumed, summary.n_generated) == (answered, N_SMOKE - answered)
    assert_same_run(run_dir, one_process_run)


def _replicas_of(driver: int, count: int, timeout_s: float = 120) -> list[int]:
    """The driver's replica processes, once `count` are up: its children that lead their own process group (its
    media workers stay in the driver's)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [pid for pid in children_of(driver) if _leads_its_group(pid)]
        if len(found) == count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"the driver did not start {count} replica processes")


def _leads_its_group(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False
