"""The runner contract. A runner is built once per run and handed batches of prepared requests; it never
sees a task or a scorer. One engine call per batch, never one per sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from evalkit.types import PreparedRequest, Response, VideoData


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


def video_fps(prepared: PreparedRequest) -> float | None:
    """The one sampling rate of a request's videos: engines take one fps per request."""
    rates = {m.fps for m in prepared.media if isinstance(m, VideoData)}
    if len(rates) > 1:
        raise ValueError(
            f"sample {prepared.sample.sample_id}: its videos were sampled at different rates {sorted(rates)}; "
            "engines take one fps per request, so sample all videos of a sample at the same fps"
        )
    return rates.pop() if rates else None
