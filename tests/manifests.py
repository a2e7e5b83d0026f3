"""Manifests for hand-made run folders: the typed shape a run writes, with made-up provenance."""

from __future__ import annotations

from typing import Any

from evalkit.manifest import Manifest, ModelInfo, RunCounts, Session
from evalkit.provenance import GitState
from evalkit.runners.base import EngineInfo

HOST = {"hostname": "test-host", "platform": "Linux-test", "python": "3.11.7", "cpu_count": 2}
GIT = GitState(commit="0" * 40, dirty=False)


def made_manifest(config: dict[str, Any] | None = None, model: str = "tiny_random", variant: str = "tiny",
                  n_samples: int = 1) -> Manifest:  # fmt: skip
    """A finished one-session run of `config` (the resolved RunConfig as a dict) on a transformers engine."""
    engine = EngineInfo(runner="transformers", model_path="/models/m", model_revision=None, model_hash="h" * 64,
                        dtype="float32", device="cpu", details={})  # fmt: skip
    session = Session(started="2026-12-01T10:00:00+00:00", finished="2026-12-01T10:01:00+00:00", resumed=0,
                      generated=n_samples, cache_hits=0, engine=engine, host=HOST, git=GIT,
                      phase_seconds={"generation": 1.5})  # fmt: skip
    return Manifest(
        config=config or {}, config_fingerprint="f" * 64,
        model=ModelInfo(name=model, variant=variant, path="/models/m", revision=None, profile="qwen3_omni"),
        decoding={}, datasets={}, git=GIT, packages={"evalkit": "0.1.0"}, host=HOST,
        started=session.started, sessions=[session], token_budget=None, finished=session.finished,
        counts=RunCounts(samples=n_samples, failed=0),
    )  # fmt: skip
