"""The runner contract. A runner is built once per run and handed batches of prepared requests; it never
sees a task or a scorer. One engine call per batch, never one per sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from evalkit.types import PreparedRequest, Response


@dataclass(frozen=True)
class EngineInfo:
    """What a run's manifest records about the engine."""

    runner: str
    model_path: str
    model_revision: str | None
    model_hash: str | None  # content hash of a local checkpoint's config and weights index
    dtype: str
    device: str
    details: dict[str, Any]


class Runner(Protocol):
    name: str

    def info(self) -> EngineInfo: ...

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        """One response per request, same order. A failure of one request is returned as a Response with
        `error` set; an exception means the whole batch failed (the pipeline then splits and retries)."""
        ...

    def close(self) -> None: ...
