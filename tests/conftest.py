"""Fixtures shared across the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random Qwen3-Omni (seed 0), built once per test session (~5 s, offline)."""
    from evalkit.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen3-omni"), seed=0)


def _kill_run_mid_way(overrides: list[str], samples: Path, answers: int = 3, timeout_s: float = 600) -> int:
    """Start `evalkit run` in its own session, SIGKILL the whole session (engine processes and media workers
    too) once `answers` samples are journaled, and return how many lines the journal then holds."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from evalkit.config import REPO_ROOT

    process = subprocess.Popen([sys.executable, "-m", "evalkit.cli", "run", *overrides], cwd=REPO_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if samples.exists() and samples.read_text().count("\n") >= answers:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return samples.read_text().count("\n")


@pytest.fixture
def kill_run_mid_way():
    return _kill_run_mid_way
