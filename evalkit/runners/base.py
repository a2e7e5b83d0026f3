"""The runner contract. A runner is built once per run and never sees a task or a scorer. It answers either in
batches (`generate`, one engine call per batch, never one per sample) or, where the engine schedules requests
itself, as a stream (`generate_stream`: requests go in as the engine has room and answers come out as they finish,
so no batch waits for its slowest member). `completions` gives the pipeline one stream from either kind."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol, runtime_checkable

from evalkit.types import NotReady, PreparedRequest, Response, VideoData

# A request and its response; a runner's stream yields them in groups that finished together.
Completed = tuple[PreparedRequest, Response]


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


@runtime_checkable
class StreamingRunner(Runner, Protocol):
    def generate_stream(self, requests: Iterable[PreparedRequest | NotReady]) -> Iterator[list[Completed]]:
        """Every request answered exactly once, in finishing order, in groups that finished together. `requests`
        is consumed lazily, as the engine has room; a request the engine refuses is answered with `error` set.
        `requests` may yield NotReady (the next one is still being prepared): step the engine and ask again, or,
        with nothing in the engine, wait for it."""
        ...


def completions(
    runner: Runner, requests: Iterable[PreparedRequest | NotReady], batch_size: int
) -> Generator[list[Completed], None, None]:
    """The runner's own stream where it has one, else consecutive batches of `batch_size`, one engine call each."""
    if isinstance(runner, StreamingRunner):
        yield from runner.generate_stream(requests)
        return
    pending = ready(requests)
    while batch := list(islice(pending, batch_size)):
        yield list(zip(batch, generate_isolating(runner, batch), strict=True))


def ready(requests: Iterable[PreparedRequest | NotReady]) -> Iterator[PreparedRequest]:
    """The requests alone, waiting wherever the stream says the next one is not ready yet (for batch runners)."""
    for request in requests:
        if isinstance(request, NotReady):
            request.wait()
        else:
            yield request


def generate_isolating(runner: Runner, batch: Sequence[PreparedRequest]) -> list[Response]:
    """One engine call for the batch; if it raises (out of memory, a bad input), split it in halves and retry,
    so one bad request fails alone and a batch too big for memory still gets through."""
    try:
        responses = runner.generate(batch)
        if len(responses) != len(batch):  # a runner bug: never pair answers with the wrong samples
            raise RuntimeError(f"runner {runner.name} returned {len(responses)} responses for {len(batch)} requests")
        return responses
    except Exception as exc:  # noqa: BLE001 - any engine error is isolated to the requests that cause it
        if len(batch) == 1:
            return [Response(text=None, error=f"{type(exc).__name__}: {exc}")]
        _release_accelerator_memory()
        middle = len(batch) // 2
        return generate_isolating(runner, batch[:middle]) + generate_isolating(runner, batch[middle:])


def _release_accelerator_memory() -> None:
    """Free the failed call's cached blocks, where this process holds CUDA memory (never creating a context)."""
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def video_fps(prepared: PreparedRequest) -> float | None:
    """The one sampling rate of a request's videos: engines take one fps per request."""
    rates = {m.fps for m in prepared.media if isinstance(m, VideoData)}
    if len(rates) > 1:
        raise ValueError(
            f"sample {prepared.sample.sample_id}: its videos were sampled at different rates {sorted(rates)}; "
            "engines take one fps per request, so sample all videos of a sample at the same fps"
        )
    return rates.pop() if rates else None
