"""A run's manifest.json, typed: what was run (resolved config, model, decoding, data, token budget), with what
(code, packages, host) and how each invocation into the folder went (its sessions). The pipeline builds it,
`evalkit rescore` appends to it, reports read it; evalkit.run_folder reads and writes the file (schema version,
upgrades of older folders, errors naming the file).

Fields added after the first versioned manifests have defaults, so an older folder reads with them unknown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from evalkit.provenance import GitState
from evalkit.runners.base import EngineInfo


@dataclass(frozen=True)
class ModelInfo:
    """The model as configured and, for a local checkpoint, fingerprints of its files (provenance.model_identity)."""

    name: str
    variant: str
    path: str
    revision: str | None
    profile: str | None = None  # None: a folder made before model profiles
    content_hash: str | None = None  # None: a model evalkit has no files of (served or hosted)
    processor_hash: str | None = None  # None: no processor files, or a folder made before it was recorded
    generation_config: dict[str, Any] | None = None  # the checkpoint's, when model.decoding=generation_config


@dataclass(frozen=True)
class Session:
    """One invocation into the folder: a resumed run has one per part it was made in, each with its engine."""

    started: str
    finished: str
    resumed: int  # answers kept from earlier sessions
    generated: int
    cache_hits: int
    engine: EngineInfo | None  # None: no engine was needed (every answer cached, or every sample failed first)
    host: dict[str, Any]  # provenance.host_info(); what it holds has changed over versions
    git: GitState
    phase_seconds: dict[str, float] = field(default_factory=dict)  # evalkit.phases; empty before phases were timed

    @classmethod
    def from_dict(cls, entry: dict[str, Any]) -> Session:
        engine = entry.get("engine")
        return cls(**{**entry, "engine": EngineInfo(**engine) if engine is not None else None,
                      "git": GitState(**entry["git"])})  # fmt: skip


@dataclass(frozen=True)
class RunCounts:
    samples: int
    failed: int


@dataclass(frozen=True)
class Rescoring:
    """An `evalkit rescore` of the folder: when, and the config overrides it applied."""

    at: str
    overrides: list[str]


@dataclass
class Manifest:
    config: dict[str, Any]  # the resolved RunConfig (RunConfig.to_dict); rescoring builds its config from it
    config_fingerprint: str  # what must match for a resumed run to reuse the folder's answers
    model: ModelInfo
    decoding: dict[str, dict[str, Any]]  # per task: the decoding policy and its parameters
    # per task: the dataset's provenance (hub id, revision, files, counts) and its pin (evalkit.dataset_lock.DatasetPin)
    datasets: dict[str, dict[str, Any]]
    git: GitState  # the code of the latest session (each session keeps its own)
    packages: dict[str, str]
    host: dict[str, Any]  # the host of the latest session
    started: str  # the first session's start
    sessions: list[Session]
    token_budget: dict[str, Any] | None = None  # evalkit.preflight.budget_summary; None before the preflight
    finished: str | None = None  # None while the first session runs
    counts: RunCounts | None = None  # None while the first session runs
    rescored: list[Rescoring] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Manifest:
        """The manifest of a document in the current schema; a missing or unknown key raises TypeError or KeyError,
        which the reader turns into an error naming the file."""
        counts = document.get("counts")
        return cls(**{
            **document,
            "model": ModelInfo(**document["model"]),
            "git": GitState(**document["git"]),
            "sessions": [Session.from_dict(s) for s in document["sessions"]],
            "counts": RunCounts(**counts) if counts is not None else None,
            "rescored": [Rescoring(**r) for r in document.get("rescored", [])],
        })  # fmt: skip
