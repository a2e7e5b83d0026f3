"""A run's generation stage: the samples still to answer, through media decoding (ahead, in workers), the response
cache and the engine's stream of answers, into the samples.jsonl journal, within each task's failure budget.

evalkit.pipeline runs it between the preflight and listening; every answer, failure and cache hit becomes one
SampleRecord here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from evalkit.config import RunConfig, TaskConfig
from evalkit.media import MediaError
from evalkit.media.pool import MediaPool, default_workers
from evalkit.phases import PhaseClock
from evalkit.preflight import SamplePlan
from evalkit.response_cache import ResponseCache, cache_key
from evalkit.run_folder import RunStore, SampleRecord
from evalkit.runners import build_runner
from evalkit.runners.base import Completed, EngineInfo, Runner, completions
from evalkit.types import HeldMedia, MediaData, NotReady, PreparedRequest, Request, Response, Sample, media_parts

if TYPE_CHECKING:
    from evalkit.cluster.ray_media import RayMediaPool

JOURNAL_INTERVAL_S = 0.5  # answers reach samples.jsonl at most this long after they finish


class RunAborted(RuntimeError):
    """Too many samples of one task failed; what was answered is kept and the run can be resumed."""


@dataclass(frozen=True)
class PendingSample:
    """A sample still to answer: its task, its place in the task, its request and its preflight plan."""

    task: TaskConfig
    index: int
    request: Request
    plan: SamplePlan


class GenerationStage:
    """Media decoding ahead in workers, cache lookups, the engine's stream of answers, the journal and the failure
    budget. Answers are journaled (and cached) in groups at most JOURNAL_INTERVAL_S apart, never waiting for a
    batch: a kill loses at most that much work, which a resumed run generates again."""

    def __init__(self, cfg: RunConfig, store: RunStore, model_path: str, identity: dict, engine: dict[str, Any],
                 task_sizes: dict[str, int], answered: dict[tuple[str, str], SampleRecord], clock: PhaseClock):
        self.clock = clock
        self.cfg, self.store, self.model_path, self.identity = cfg, store, model_path, identity
        # the budget is per task: a task whose media all fail aborts the run even beside large healthy tasks
        self.max_failures = {name: _failure_limit(cfg.failures.max_failures, n) for name, n in task_sizes.items()}
        self.n_failed = {name: sum(r.failed for r in answered.values() if r.task == name) for name in task_sizes}
        self.n_generated = self.n_cache_hits = 0
        self.cache = ResponseCache(Path(cfg.cache_dir) / "responses.sqlite") if cfg.use_response_cache else None
        self.pool = _media_pool(cfg)
        self.engine = engine  # the engine's name and version, as the response cache keys it
        self.scope = hashlib.sha256(json.dumps([identity, self.engine], sort_keys=True).encode()).hexdigest()
        self.runner: Runner | None = None
        self._loading: Future[Runner] | None = None
        self.engine_info: EngineInfo | None = None
        self._owners: dict[int, PendingSample] = {}  # id(PreparedRequest) -> its sample, while the engine has it
        self._unwritten: list[SampleRecord] = []
        self._recorded: list[SampleRecord] = []  # what the current run() recorded
        self._uncached: list[tuple[str, Response]] = []
        self._last_write = time.monotonic()
        self._progress = tqdm(disable=True)  # the bar of the stage running (run() sets it)

    def run(self, planned: Sequence[PendingSample]) -> list[SampleRecord]:
        """Answer (or record as failed) every planned sample; their records, journaled."""
        self._recorded = []
        unfit = [(p, p.plan.failure) for p in planned if p.plan.failure is not None]
        pending = [p for p in planned if p.plan.failure is None]
        if unfit:  # recorded before the engine loads: a run whose samples all fail never loads it
            with tqdm(total=len(unfit), desc="unfit samples", unit="sample") as self._progress:
                for p, failure in unfit:
                    self._record(self._failed_record(p, failure.reason, failure.stage))
        engine_started = self.runner is not None or self._loading is not None  # by an earlier round of turns
        if pending and not engine_started and not (self.cache and self.cache.has_scope(self.scope)):
            # Nothing cached for this model and engine, so the engine will be needed: load it while the media
            # workers start and decode. With earlier answers cached it is loaded only on the first miss.
            loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-load")
            self._loading = loader.submit(build_runner, self.cfg.model, self.cfg.runner, self.model_path,
                                          self.cfg.cluster)
            loader.shutdown(wait=False)
        if pending and self.cfg.cluster.name == "ray":  # before anything decodes: the decoding nodes see the media
            from evalkit.cluster.ray_media import RayMediaPool, check_shared_media

            assert isinstance(self.pool, RayMediaPool)
            refs = (ref for p in pending for ref in media_parts(p.request.sample.messages))
            check_shared_media(self.pool.nodes, refs, self.pool.cache_dir)
        with tqdm(total=len(pending), desc="samples", unit="sample", disable=not pending) as self._progress:
            misses = self._misses(pending)
            first = next(misses, None)
            while isinstance(first, NotReady):  # the engine is loaded only if some request needs it
                first.wait()
                first = next(misses, None)
            if first is not None:
                # closing: an abort mid-stream takes back what the engine still holds
                with closing(completions(self._engine(), chain([first], misses), self.cfg.runner.batch_size)) as stream:
                    for group in stream:
                        self._answered(group)
            self._write()
        return self._recorded

    def _misses(self, pending: Sequence[PendingSample]) -> Iterator[PreparedRequest | NotReady]:
        """The requests the engine must answer, media decoded, as the engine takes them (NotReady while the next
        one's media are still decoding); media failures and cache hits are recorded on the way."""
        by_key = {(p.task.name, p.index): p for p in pending}
        items = (
            (key, media_parts(p.request.sample.messages), p.task.media, p.plan.video_plans) for key, p in by_key.items()
        )
        for ready in self.pool.prepare(items, poll=True):
            if isinstance(ready, NotReady):
                yield ready
                continue
            key, media = ready
            item = by_key[key]
            if isinstance(media, MediaError):
                self._record(self._failed_record(item, str(media), "media"))
                continue
            prepared = self._prepare(item, media)
            cached = self.cache.get(prepared.cache_key) if self.cache else None
            if cached is not None:
                self.n_cache_hits += 1
                self._record(self._record_for(item, prepared, cached, cache_hit=True))
                continue
            self._owners[id(prepared)] = item
            yield prepared

    def _prepare(self, item: PendingSample, media: tuple[MediaData, ...] | HeldMedia) -> PreparedRequest:
        """The request with its cache key, which hashes its media's provenance (decoded here, or held where a Ray
        worker decoded them)."""
        prompt, ids = item.plan.prompt, item.plan.prompt_token_ids
        prepared = (PreparedRequest(item.request, prompt, (), "", ids, held_media=media) if isinstance(media, HeldMedia)
                    else PreparedRequest(item.request, prompt, media, "", ids))  # fmt: skip
        key = cache_key(
            self.identity, self.engine, prompt, prepared.provenance,
            asdict(item.request.decoding), item.request.use_audio_in_video, item.request.voice,
        )
        return replace(prepared, cache_key=key)

    def _engine(self) -> Runner:
        if self.runner is None:
            self.runner = self._loading.result() if self._loading else build_runner(
                self.cfg.model, self.cfg.runner, self.model_path, self.cfg.cluster
            )
        return self.runner

    def _answered(self, group: list[Completed]) -> None:
        self.n_generated += len(group)
        self._uncached.extend((prepared.cache_key, response) for prepared, response in group)
        for prepared, response in group:
            self._record(self._record_for(self._owners.pop(id(prepared)), prepared, response))

    def _record(self, record: SampleRecord) -> None:
        self._unwritten.append(record)
        self._recorded.append(record)
        self._progress.update(1)
        if record.failed:
            task = record.task
            self.n_failed[task] += 1
            if self.n_failed[task] > self.max_failures[task]:
                self._write()
                raise RunAborted(
                    f"task {task}: {self.n_failed[task]} samples failed, over its limit of {self.max_failures[task]:g} "
                    f"(failures.max_failures={self.cfg.failures.max_failures}, per task); last: {record.sample_id}: "
                    f"{record.error}. Answers so far are kept in {self.store.samples_path}; fix the cause and re-run "
                    "with the same output_dir to resume."
                )
        if time.monotonic() - self._last_write >= JOURNAL_INTERVAL_S:
            self._write()

    def _write(self) -> None:
        """Cache, then journal, what was answered since the last write (one transaction and one fsync each)."""
        with self.clock.phase("journal"):
            if self.cache and self._uncached:
                self.cache.put_many(self.scope, self._uncached)
            self.store.append(self._unwritten)
        self._uncached, self._unwritten, self._last_write = [], [], time.monotonic()

    def _record_for(self, item: PendingSample, prepared: PreparedRequest, response: Response,
                    cache_hit: bool = False) -> SampleRecord:
        error, stage = response.error, "runner" if response.error else None
        if error is None:
            error = output_problem(response.text) or speech_problem(item.request.voice, response)
            stage = "output" if error else None
        sample_id = item.request.sample.sample_id
        speech = self.store.save_speech(item.task.name, sample_id, response.speech) if response.speech else None
        return SampleRecord(
            task=item.task.name, sample_id=sample_id, index=item.index, prompt=prepared.prompt,
            media=prepared.provenance, reference=item.request.sample.reference,
            categories=dict(item.request.sample.categories), cluster=item.request.sample.cluster,
            cache_key=prepared.cache_key, response=response.fields(), error=error, error_stage=stage,
            cache_hit=cache_hit, speech=speech,
        )

    def _failed_record(self, item: PendingSample, error: str, stage: str) -> SampleRecord:
        sample: Sample = item.request.sample
        return SampleRecord(
            task=item.task.name, sample_id=sample.sample_id, index=item.index, prompt=item.plan.prompt, media=[],
            reference=sample.reference, categories=dict(sample.categories), cluster=sample.cluster, cache_key="",
            response=None, error=error, error_stage=stage,
        )

    def close(self) -> None:
        self._write()  # whatever was answered before an error stops the run
        self.pool.close()
        if self.cache:
            self.cache.close()
        if self.runner is None and self._loading is not None and self._loading.exception() is None:
            self.runner = self._loading.result()  # loaded but not needed (e.g. every sample failed in media)
        if self.runner is not None:
            self.engine_info = self.runner.info()
            self.runner.close()


def _media_pool(cfg: RunConfig) -> MediaPool | RayMediaPool:
    """This machine's media workers, or with cluster=ray Ray tasks on the other nodes (evalkit.cluster.ray_media)."""
    cache_dir = Path(cfg.cache_dir) / "media"
    if cfg.cluster.name != "ray":
        return MediaPool(cfg.media_workers, cache_dir)
    from evalkit.cluster.ray_media import RayMediaPool

    workers = default_workers() if cfg.media_workers is None else cfg.media_workers
    return RayMediaPool(cfg.cluster, cache_dir, max_in_flight=2 * max(workers, cfg.cluster.replicas, 1))


def output_problem(text: str | None) -> str | None:
    """Why an engine's answer cannot be scored, if it cannot: nothing in it, or bytes that are not UTF-8 (decoders
    turn those into U+FFFD, so its presence is the mark of a broken byte sequence)."""
    if not (text or "").strip():
        return "the model returned an empty output"
    if "\ufffd" in (text or ""):
        return "the model output is not valid UTF-8 (it decodes to U+FFFD replacement characters)"
    return None


def speech_problem(voice: str | None, response: Response) -> str | None:
    """Why a speech-generation answer cannot be heard, if it cannot: no audio, or audio without a sample."""
    if voice is None:
        return None
    if response.speech is None:
        return "the engine returned no audio for a speech-generation request"
    if response.speech.waveform.size == 0:
        return "the talker returned empty audio (it ended before its first sound)"
    return None


def _failure_limit(max_failures: float, n_samples: int) -> float:
    return max_failures if max_failures >= 1 else max_failures * n_samples

