"""What the replica end-to-end tests share: the smoke suite on the tiny model in float32 (greedy outputs then do
not depend on how requests are batched), run once in one process as the answer every replicated run must equal,
and a driver process killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from engine.run_helpers import read_lines, smoke_overrides, stable_records

from evalkit.config import REPO_ROOT
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation

N_SMOKE = 19


def replica_overrides(model_dir: Path, run_dir: Path, cache_dir: Path, *extra: str) -> list[str]:
    return smoke_overrides(model_dir, run_dir, cache_dir, "runner.dtype=float32", "use_response_cache=false", *extra)


@pytest.fixture(scope="session")
def one_process_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("one-process")
    run_evaluation(load_run_config(replica_overrides(tiny_model_dir, root / "run", root / "cache")))
    return root / "run"


def assert_same_run(run_dir: Path, reference: Path) -> None:
    """Every sample answered exactly once, and the records (in dataset order) and scores of the reference run."""
    keys = [(r["task"], r["sample_id"]) for r in read_lines(run_dir / "samples.jsonl")]
    assert len(keys) == len(set(keys)) == N_SMOKE
    assert stable_records(run_dir / "samples.jsonl") == stable_records(reference / "samples.jsonl")
    assert (run_dir / "scores.json").read_text() == (reference / "scores.json").read_text()


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


def alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def start_driver(overrides: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "evalkit.cli", "run", *overrides], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for_answers(process: subprocess.Popen, samples: Path, answers: int, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if samples.exists() and samples.read_text().count("\n") >= answers:
            return
        time.sleep(0.02)
    raise AssertionError(f"the run ended (exit {process.poll()}) or stalled before {answers} answers")


def kill_session(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
