"""A non-editable install carries configs/ and the published scores inside the package: the wheel is built from a
copy of the sources, installed into a folder, and `evalkit tasks --json` / a config composition run from elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evalkit.config import REPO_ROOT

SOURCES = ("pyproject.toml", "README.md", "evalkit", "tasks", "configs", "results/reference")


def _run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    for name in SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():  # symlinks stay symlinks, as in a checkout
            shutil.copytree(origin, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    # offline: the build uses this environment's setuptools instead of fetching one
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--quiet", "-w",
                 str(root / "dist"), str(source), cwd=root)
    if built.returncode != 0:
        pytest.skip(f"pip cannot build the wheel offline here: {built.stderr.strip().splitlines()[-1:]}")
    wheel = next((root / "dist").glob("evalkit-*.whl"))
    site = root / "site"
    installed = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
                     str(wheel), cwd=root)
    assert installed.returncode == 0, installed.stderr
    return site


def _in_another_folder(site: Path, tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}  # the installed copy only, not this checkout
    return _run(sys.executable, "-c", code, cwd=tmp_path, env=env)


def test_the_wheel_carries_configs_and_reported_scores(installed: Path) -> None:
    assert (installed / "evalkit" / "configs" / "config.yaml").is_file()
    assert (installed / "evalkit" / "configs" / "suite" / "paper_audio.yaml").is_file()
    assert (installed / "evalkit" / "configs" / "model" / "qwen3_omni_30b_a3b_instruct.yaml").is_file()
    shipped = (installed / "evalkit" / "reference" / "reported_scores.csv").read_bytes()
    assert shipped == (REPO_ROOT / "results" / "reference" / "reported_scores.csv").read_bytes()


def test_installed_evalkit_lists_tasks_and_composes_a_run_from_any_folder(installed: Path, tmp_path: Path) -> None:
    listed = _in_another_folder(installed, tmp_path,
                                "import sys, evalkit.cli; sys.exit(evalkit.cli.main(['tasks', '--json']))")
    assert listed.returncode == 0, listed.stderr
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {"mmmu_val", "videomme", "librispeech_test_clean"} <= {r["name"] for r in records}
    composed = _in_another_folder(installed, tmp_path, (
        "import evalkit, tasks; from evalkit.hydra_config import load_run_config; "
        "cfg = load_run_config(['model=qwen3_omni_30b_a3b_instruct', 'suite=paper_vision']); "
        "print(evalkit.__file__, tasks.__file__, list(cfg.tasks))"
    ))
    assert composed.returncode == 0, composed.stderr
    package, task_package, names = composed.stdout.split(" ", 2)
    assert package.startswith(str(installed)) and task_package.startswith(str(installed))
    suite = yaml.safe_load((REPO_ROOT / "configs" / "suite" / "paper_vision.yaml").read_text(encoding="utf-8"))
    assert names.strip() == str(list(suite["tasks"]))
