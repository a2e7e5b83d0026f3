"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random Qwen3-Omni (seed 0), built once per test session (~5 s, offline)."""
    from evalkit.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen3-omni"), seed=0)


def _run_until_answers(overrides: list[str], samples: Path, answers: int, timeout_s: float) -> subprocess.Popen:
    """`evalkit run` started in its own session (its id is the run's pid), still running with `answers` samples
    journaled."""
    from evalkit.config import REPO_ROOT

    process = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "run", *overrides], cwd=REPO_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if samples.exists() and samples.read_text().count("\n") >= answers:
            break
        time.sleep(0.02)
    if process.poll() is not None:
        raise AssertionError("the run finished before it could be killed")
    return process


def _kill_run_mid_way(overrides: list[str], samples: Path, answers: int = 3, timeout_s: float = 600) -> int:
    """SIGKILL a run's whole session (engine processes and media workers too) once `answers` samples are
    journaled, and return how many lines the journal then holds."""
    process = _run_until_answers(overrides, samples, answers, timeout_s)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return samples.read_text().count("\n")


def session_processes(session: int) -> list[str]:
    """The command lines of the processes alive in a session (Linux /proc; zombies left out)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp session ...
            if int(fields[3]) == session and fields[0] != "Z":
                alive.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip())
        except (OSError, IndexError, ValueError):  # it ended while being read
            continue
    return alive


def _kill_run_leader_mid_way(overrides: list[str], samples: Path, answers: int = 3, timeout_s: float = 600,
                             grace_s: float = 5.0) -> tuple[list[str], list[str]]:  # fmt: skip
    """SIGKILL only the run's own process once `answers` samples are journaled, as a user's kill -9 of evalkit
    does. Returns the command lines of the session's other processes just before, and of those still alive
    `grace_s` later (which are then killed, so a failing test leaves nothing behind)."""
    process = _run_until_answers(overrides, samples, answers, timeout_s)
    children = [p for p in session_processes(process.pid) if "evalkit.cli" not in p]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + grace_s
    while (left := session_processes(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        os.killpg(process.pid, signal.SIGKILL)
    return children, left


@pytest.fixture
def kill_run_mid_way():
    return _kill_run_mid_way


@pytest.fixture
def kill_run_leader_mid_way():
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding a session's processes reads Linux's /proc")
    return _kill_run_leader_mid_way
