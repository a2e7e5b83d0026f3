"""Run configs composed as `evalkit run` composes them: Hydra for model/runner/suite, the registry for tasks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evalkit.config import RunConfig, TaskConfig
from evalkit.hydra_config import load_run_config


def _compose_run(*overrides: str) -> RunConfig:
    return load_run_config(list(overrides))


@pytest.fixture(scope="session")
def compose_run() -> Callable[..., RunConfig]:
    """Compose and validate the run config with command-line style overrides."""
    return _compose_run


@pytest.fixture(scope="session")
def smoke_run() -> RunConfig:
    return _compose_run("suite=smoke")


@pytest.fixture(scope="session")
def smoke_all_run() -> RunConfig:
    return _compose_run("suite=smoke_all")


@pytest.fixture
def smoke_task(smoke_all_run: RunConfig) -> Callable[..., TaskConfig]:
    """A fresh copy of any smoke task's config, with attribute overrides applied (dataclasses.replace style)."""
    import copy

    def make(name: str, **changes: object) -> TaskConfig:
        task = copy.deepcopy(smoke_all_run.tasks[name])
        for key, value in changes.items():
            setattr(task, key, value)
        return task

    return make
