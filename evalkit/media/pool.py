"""Decoding ahead of the engine in worker processes.

`MediaPool.prepare` is a generator: it keeps at most `max_in_flight` items submitted-or-decoded-but-not-yet-
consumed, yields results in input order, and submits the next item each time the consumer takes one, so the
workers decode while the engine generates and memory stays bounded however long the run. A failed item
yields its MediaError and the stream goes on; a crashed worker process fails only the items it held.

The worker processes outlive a pool: starting them (spawn, each importing numpy, PyAV and evalkit) costs about a
second, which every run of a suite or benchmark in one process would pay again. Pools of the same size share one
set of workers, shut down when the process exits; a process killed outright (kill -9) cannot shut them down, so
each worker also ends itself once the process that started it is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Self, TypeVar

from evalkit.config import MediaConfig
from evalkit.media import handoff, tracks
from evalkit.media.cache import DecodedCache, decoded_key
from evalkit.media.qwen_rules import VideoPlan
from evalkit.media.source import MediaError, media_error, source_sha256
from evalkit.types import MediaData, MediaRef, NotReady

K = TypeVar("K", bound=Hashable)
Prepared = tuple[MediaData, ...] | MediaError
# One request's media: its key, references, media settings and, aligned with the references, video plans
# (empty when there are none)
Item = tuple[K, Sequence[MediaRef], MediaConfig, Sequence[VideoPlan | None]]
_Work = tuple[tuple[MediaRef, ...], MediaConfig, tuple[VideoPlan | None, ...]]


def prepare_item(refs: tuple[MediaRef, ...], config: MediaConfig, cache_dir: Path | None,
                 plans: tuple[VideoPlan | None, ...] = ()) -> Prepared:
    """Decode one request's media (through the cache when given); runs in a worker process. `plans`, aligned
    with refs, fix the frames of each video (None: the official default plan)."""
    cache = DecodedCache(cache_dir) if cache_dir is not None else None
    decoded: list[MediaData] = []
    for ref, plan in zip(refs, plans or (None,) * len(refs), strict=True):
        try:
            digest = cache.sha256(ref) if cache else source_sha256(ref)
            for track, decoder in tracks(ref, config, plan):
                key = decoded_key(digest, track, config, plan)
                item = cache.load(key, ref) if cache else None
                if item is None:
                    item = decoder(ref, config, digest)
                    if cache:
                        cache.store(key, item)
                decoded.append(replace(item, content_id=key))
        except MediaError as error:
            return error
        except Exception as error:  # noqa: BLE001 -- a decoder bug or library surprise must not stop the run: name the file
            return media_error(ref, f"unexpected {type(error).__name__}: {error}", "report this as an evalkit bug")
    return tuple(decoded)


def _decode_for_handoff(refs: tuple[MediaRef, ...], config: MediaConfig, cache_dir: Path | None,
                        plans: tuple[VideoPlan | None, ...]) -> object:
    """prepare_item in a worker process, its large arrays left in shared memory for the run's process."""
    return handoff.export(prepare_item(refs, config, cache_dir, plans))


_NOTHING: Future = Future()  # the result of an item without media: no worker round trip (nor pool start)
_NOTHING.set_result(())


_SHARED: dict[int, ProcessPoolExecutor] = {}  # worker count -> the process's workers of that count
PARENT_POLL_S = 0.5  # how often a worker checks that the process that started it is alive


def _end_with_parent(parent_pid: int) -> None:
    """A worker's initializer: a thread that ends the worker once its parent is gone (it is then re-parented, so
    getppid changes). A worker blocked waiting for work would otherwise wait forever: it holds its task queue's
    write end itself, so the parent's death never closes the queue."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _workers(count: int) -> ProcessPoolExecutor:
    if count not in _SHARED:
        # spawn: workers must not inherit the parent's threads (torch, engine) through fork
        _SHARED[count] = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_end_with_parent, initargs=(os.getpid(),))
    return _SHARED[count]


def _retire(count: int, executor: ProcessPoolExecutor) -> None:
    """A broken executor is replaced by a fresh one on the next submit."""
    executor.shutdown(wait=False, cancel_futures=True)
    if _SHARED.get(count) is executor:
        del _SHARED[count]


def _release(future: Future) -> None:
    if not future.cancelled() and future.exception() is None:
        handoff.release(future.result())


def default_workers() -> int:
    """Half the CPU cores, between 2 and 8: enough to decode long videos ahead of a GPU engine, leaving the
    other half to the engine's own CPU work (input processing, detokenizing)."""
    return max(2, min(8, (os.cpu_count() or 2) // 2))


class MediaPool:
    def __init__(self, workers: int | None, cache_dir: Path | None, max_in_flight: int | None = None) -> None:
        """`workers`: decoding processes (0 decodes inline, None the default_workers())."""
        workers = default_workers() if workers is None else workers
        if workers < 0:
            raise ValueError(f"workers={workers}; use 0 to decode inline or a positive number of processes")
        self.workers = workers
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_in_flight = max_in_flight or max(2 * workers, 1)
        self._executor: ProcessPoolExecutor | None = None

    def prepare(self, items: Iterable[Item[K]], poll: bool = False) -> Iterator[tuple[K, Prepared] | NotReady]:
        """Each item's media, in input order. With `poll`, NotReady is yielded while the next item is still being
        decoded, so the consumer can do other work (step the engine) and ask again."""
        if self.workers == 0:
            for key, refs, config, plans in items:
                yield key, prepare_item(tuple(refs), config, self.cache_dir, tuple(plans))
            return
        pending: deque[tuple[K, _Work, Future]] = deque()
        try:
            for key, refs, config, plans in items:
                work = (tuple(refs), config, tuple(plans))
                pending.append((key, work, self._submit(work) if refs else _NOTHING))
                while len(pending) >= self.max_in_flight:
                    yield self._ready_or_not(pending, poll)
            while pending:
                yield self._ready_or_not(pending, poll)
        finally:  # a consumer that stops early: the shared workers drop what it no longer wants
            for _, _, future in pending:
                if not future.cancel():  # running or done: free its shared memory once it is there
                    future.add_done_callback(_release)

    def _submit(self, work: _Work) -> Future:
        if self._executor is None:
            self._executor = _workers(self.workers)
        refs, config, plans = work
        return self._executor.submit(_decode_for_handoff, refs, config, self.cache_dir, plans)

    def _ready_or_not(self, pending: deque, poll: bool) -> tuple[K, Prepared] | NotReady:
        head = pending[0][2]
        return NotReady(head) if poll and not head.done() else self._next(pending)

    def _next(self, pending: deque) -> tuple[K, Prepared]:
        key, work, future = pending.popleft()
        try:
            return key, handoff.adopt(future.result())
        except BrokenProcessPool:
            return key, self._recover(work, pending)

    def _recover(self, work: _Work, pending: deque) -> Prepared:
        """A worker died (a decoder crash) and took the pool with it. Retry this item alone in a fresh pool to
        learn whether it is the culprit, then resubmit the items whose results were lost."""
        self._restart()
        try:
            result = handoff.adopt(self._submit(work).result())
        except BrokenProcessPool:
            self._restart()
            label = ", ".join(ref.label for ref in work[0]) or "<no media>"
            result = MediaError(f"{label}: the decoding process crashed on this item; check the files with ffprobe")
        for index, (key, other, future) in enumerate(pending):
            if future.exception() is not None:
                pending[index] = (key, other, self._submit(other))
        return result

    def _restart(self) -> None:
        if self._executor is not None:
            _retire(self.workers, self._executor)
        self._executor = None

    def close(self) -> None:
        """Let go of the workers (they stay up for the next pool of this size)."""
        self._executor = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
