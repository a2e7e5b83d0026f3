"""The one place where a run's flow lives:

    checks -> tasks loaded -> model path -> token-budget preflight (prompt rendered, tokens counted, videos
    planned) -> manifest -> (media decoded ahead in workers) -> response cache -> runner (vLLM: fed continuously;
    others: one call per batch) -> samples.jsonl journal, as answers finish (spoken answers saved as WAV files) ->
    listening to spoken answers (speech recognition, speaker similarity) -> scoring -> scores.json -> report

Everything that can be wrong with the config or the data fails before a model is loaded. A failure of one
sample is recorded with its reason and the run goes on, up to `failures.max_failures` in any one task.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import datasets
from tqdm import tqdm

from evalkit.config import ConfigError, RunConfig, TaskConfig
from evalkit.decoding import describe, read_generation_config, resolve_decoding
from evalkit.listening import check_listeners, listen, listeners_used
from evalkit.media import MediaError
from evalkit.media.pool import MediaPool
from evalkit.model_store import resolve_model_path
from evalkit.phases import PhaseClock
from evalkit.preflight import EngineLimits, SamplePlan, budget_summary, plan_run
from evalkit.profiles import get_profile
from evalkit.provenance import engine_version, git_state, host_info, model_identity, package_versions
from evalkit.response_cache import ResponseCache, cache_key
from evalkit.run_folder import RunStore, SampleRecord, TaskScore, scores_document
from evalkit.runners import build_runner
from evalkit.runners.base import Completed, Runner, completions
from evalkit.scorecard import run_judges, score_run
from evalkit.scoring.registry import build_scorer
from evalkit.task import LoadedTask, check_task, load_task, spoken_language, spoken_voice
from evalkit.types import Decoding, MediaData, NotReady, PreparedRequest, Request, Response, Sample, media_parts

JOURNAL_INTERVAL_S = 0.5  # answers reach samples.jsonl at most this long after they finish


class RunAborted(RuntimeError):
    """Too many samples of one task failed; what was answered is kept and the run can be resumed."""


@dataclass
class RunSummary:
    output_dir: Path
    scores: dict[str, TaskScore]
    n_samples: int
    n_resumed: int  # answered by an earlier invocation into the same output_dir
    n_generated: int
    n_cache_hits: int
    n_failed: int
    phase_seconds: dict[str, float]  # wall seconds per phase of this invocation (evalkit.phases)


@dataclass(frozen=True)
class _Pending:
    task: TaskConfig
    index: int
    request: Request
    plan: SamplePlan


def run_evaluation(cfg: RunConfig) -> RunSummary:
    started = datetime.now(UTC)
    clock = PhaseClock()
    with clock.phase("checks"):
        scorers = []
        for task in cfg.tasks.values():
            check_task(task)
            try:
                scorers.append(build_scorer(task.scorer.name, **task.scorer.options))
            except (KeyError, TypeError, ValueError) as exc:  # unknown scorer, unknown or invalid option
                raise ConfigError(f"task {task.name!r}: scorer {task.scorer.name!r} with options "
                                  f"{dict(task.scorer.options)}: {exc}") from exc
        profile = get_profile(cfg.model.profile)
        profile.check_run(cfg)
        judges = run_judges(cfg)
        judges.preflight(scorers)  # a judge that cannot answer is found before the model under test generates
        if cfg.runner.name == "vllm":
            from evalkit.runners.vllm import check_engine_args

            check_engine_args(cfg.runner)
        check_listeners(cfg)  # the recognisers and speaker models of spoken tasks, before any generation
        store = RunStore(Path(cfg.output_dir))
        fingerprint = config_fingerprint(cfg)
        _check_resumable(store, cfg, fingerprint)
    # a server answers with its own weights and random weights need none: then only config and processor are fetched
    before = prepare_run(cfg, weights=cfg.runner.name != "openai" and cfg.model.weights == "checkpoint", clock=clock)
    model_path, loaded, decodings = before.model_path, before.loaded, before.decodings
    with clock.phase("manifest"):
        identity = model_identity(model_path, cfg.model.revision)
        manifest = _manifest(cfg, store, fingerprint, profile.name, before, identity, started)
        if not cfg.resume:
            store.reset()
        # engine and media failures are tried again (the cause may be fixed); an output failure is the model's
        # answer; a spoken answer counts only while its audio file is in the folder as written
        answered = {
            k: r for k, r in store.load_records().items()
            if r.error_stage in (None, "output") and (r.speech is None or store.has_speech(r))
        }  # fmt: skip
    pending = [
        _Pending(task, index, Request(sample, decodings[name], task.media.use_audio_in_video, spoken_language(task),
                                      spoken_voice(task)), before.plans[(name, sample.sample_id)])  # fmt: skip
        for name, task in cfg.tasks.items()
        for index, sample in enumerate(loaded[name].samples)
        if (name, sample.sample_id) not in answered
    ]
    generation = _Generation(cfg, store, model_path, identity, {n: len(t.samples) for n, t in loaded.items()},
                             answered, clock)
    try:
        with clock.phase("generation"):
            generation.run(pending)
    finally:
        generation.close()
    with clock.phase("listening"):
        records = listen(cfg, store, store.load_records())
    with clock.phase("scoring"):
        try:
            scores, final_records = score_run(
                cfg, {name: [records[(name, s.sample_id)] for s in loaded[name].samples] for name in cfg.tasks}, judges
            )
        finally:
            judges.close()
    with clock.phase("run_folder"):
        store.finalize(final_records)
        run_info: dict[str, Any] = {"model": cfg.model.name, "suite": cfg.suite}
        if listened := listeners_used(final_records):
            run_info["listening"] = {"mode": cfg.speech_eval.mode, "tasks": listened}
        store.write_scores(scores_document(scores, run_info))
        n_failed = sum(r.failed for r in final_records)
        n_total = sum(len(t.samples) for t in loaded.values())
        manifest["sessions"].append({
            "started": started.isoformat(), "finished": datetime.now(UTC).isoformat(),
            "resumed": len(answered), "generated": generation.n_generated,
            "cache_hits": generation.n_cache_hits, "engine": generation.engine_info, "host": manifest["host"],
            "git": manifest["git"], "phase_seconds": clock.rounded(),
        })
        manifest.update(finished=datetime.now(UTC).isoformat(),
                        counts={"samples": n_total, "failed": n_failed})
        store.write_manifest(manifest)
    with clock.phase("report"):
        from evalkit.report import write_report

        write_report(store.dir, formats=("md",))
    return RunSummary(store.dir, scores, n_total, len(answered), generation.n_generated,
                      generation.n_cache_hits, n_failed, clock.rounded())


def _manifest(cfg: RunConfig, store: RunStore, fingerprint: str, profile: str, before: RunInputs,
              identity: dict[str, Any], started: datetime) -> dict[str, Any]:
    """The manifest as written before generation: config, model, data, token budget, code, packages, host."""
    previous = store.read_manifest() if cfg.resume else None
    manifest: dict[str, Any] = {
        "config": cfg.to_dict(),
        "config_fingerprint": fingerprint,
        "model": {**identity, "name": cfg.model.name, "variant": cfg.model.variant, "profile": profile,
                  "generation_config": before.generation_config},
        "decoding": {name: describe(d) for name, d in before.decodings.items()},
        "datasets": {name: t.provenance for name, t in before.loaded.items()},
        "token_budget": budget_summary(before.limits, list(before.plans.values())),
        "git": dict(git_state()),
        "packages": dict(package_versions()),
        "host": host_info(),
        "started": previous["started"] if previous else started.isoformat(),
        # one entry per invocation: a resumed run shows each part it was made in, with its engine
        "sessions": previous.get("sessions", []) if previous else [],
    }
    store.write_manifest(manifest)
    return manifest


@dataclass(frozen=True)
class RunInputs:
    """What a run knows before any engine loads: the checkpoint's processor and generation settings, the samples,
    their decoding, and the token-budget preflight's plan of every sample."""

    model_path: str
    generation_config: dict[str, Any] | None
    loaded: dict[str, LoadedTask]
    decodings: dict[str, Decoding]
    limits: EngineLimits
    plans: dict[tuple[str, str], SamplePlan]


def prepare_run(cfg: RunConfig, weights: bool, clock: PhaseClock | None = None) -> RunInputs:
    """Tasks loaded and checked, the model path (with or without the weights), decoding resolved, samples planned."""
    clock = clock or PhaseClock()
    profile = get_profile(cfg.model.profile)
    with clock.phase("load_tasks"):
        datasets.disable_progress_bars()  # our own progress bar counts samples; theirs would interleave
        loaded = {name: load_task(task) for name, task in cfg.tasks.items()}
        _check_modalities(cfg, loaded, profile.input_kinds)
    with clock.phase("processor"):
        # a server answers with its own weights: only the processor (chat template) is needed here, and for a
        # hosted model nothing at all (its path is the name the API knows it by)
        model_path = (
            resolve_model_path(cfg.model, Path(cfg.cache_dir), weights=weights) if profile.local_processor
            else cfg.model.path
        )
        generation_config = (
            read_generation_config(model_path, cfg.model.revision) if cfg.model.decoding == "generation_config"
            else None
        )
        decodings = {
            name: resolve_decoding(cfg.model, task, cfg.runner.seed, generation_config)
            for name, task in cfg.tasks.items()
        }
        renderer = profile.renderer(model_path, cfg.model.revision)
        counter = profile.token_counter(renderer)
    with clock.phase("preflight"):
        limits, plans = plan_run(cfg, renderer, counter, {name: t.samples for name, t in loaded.items()},
                                 {name: d.max_new_tokens for name, d in decodings.items()})
    return RunInputs(model_path, generation_config, loaded, decodings, limits, plans)


# What a task's answers depend on; its scorer and paper reference do not, so changing them re-scores on resume.
_GENERATION_FIELDS = ("dataset", "prompt", "media", "max_new_tokens", "limit", "options")


def _check_modalities(cfg: RunConfig, loaded: dict[str, LoadedTask],
                      input_kinds: Callable[[set[str]], set[str]]) -> None:  # fmt: skip
    """Refuse, before the model loads, a task that gives the model an input kind it does not take."""
    for name, task in loaded.items():
        kinds = input_kinds({part.type for s in task.samples for m in s.messages for part in m.parts})
        unsupported = sorted(kinds - set(cfg.model.modalities))
        if unsupported:
            raise ConfigError(
                f"task {name!r} gives {', '.join(unsupported)} input, which model {cfg.model.name!r} does not take "
                f"(model.modalities={cfg.model.modalities}); choose another model or suite"
            )


def config_fingerprint(cfg: RunConfig) -> str:
    """What must match for a folder's answers to be reused: model, engine, and each task's generation settings."""
    relevant = {
        "model": asdict(cfg.model),
        "engine": engine_name(cfg),
        "tasks": {k: {f: getattr(v, f) for f in _GENERATION_FIELDS} for k, v in cfg.tasks.items()},
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()


def engine_name(cfg: RunConfig) -> str:
    """The engine that answers: the runner and its precision, or for a server the model it serves (never its
    address: a server restarted on another port is the same engine)."""
    if cfg.runner.name == "openai":
        return f"openai:{cfg.runner.served_model or cfg.model.path}"
    name = f"{cfg.runner.name}:{cfg.runner.dtype or cfg.model.dtype}"
    return f"{name}:random-weights" if cfg.model.weights == "random" else name


def engine_identity(cfg: RunConfig) -> dict[str, Any]:
    """The engine as the response cache keys it: its name and its version (the installed package, or what a
    server reports at /version), so a new engine version never serves an older one's answers."""
    if cfg.runner.name == "openai":
        from evalkit.runners.openai import reported_vllm_version

        version = reported_vllm_version(cfg.runner.base_url, cfg.runner.timeout_s) if cfg.runner.base_url else None
    else:
        version = engine_version(cfg.runner.name)
    return {"name": engine_name(cfg), "version": version}


def _check_resumable(store: RunStore, cfg: RunConfig, fingerprint: str) -> None:
    previous = store.read_manifest()
    if cfg.resume and previous and previous.get("config_fingerprint") != fingerprint:
        raise ConfigError(
            f"{store.dir} holds a run with a different model, engine, or task prompt/data/media settings; resuming "
            "would mix answers. Choose another output_dir, or pass resume=false to start this folder over. (A "
            "changed scorer needs neither: `evalkit rescore` applies it.)"
        )


class _Generation:
    """Media decoding ahead in workers, cache lookups, the engine's stream of answers, the journal and the failure
    budget. Answers are journaled (and cached) in groups at most JOURNAL_INTERVAL_S apart, never waiting for a
    batch: a kill loses at most that much work, which a resumed run generates again."""

    def __init__(self, cfg: RunConfig, store: RunStore, model_path: str, identity: dict, task_sizes: dict[str, int],
                 answered: dict[tuple[str, str], SampleRecord], clock: PhaseClock):
        self.clock = clock
        self.cfg, self.store, self.model_path, self.identity = cfg, store, model_path, identity
        # the budget is per task: a task whose media all fail aborts the run even beside large healthy tasks
        self.max_failures = {name: _failure_limit(cfg.failures.max_failures, n) for name, n in task_sizes.items()}
        self.n_failed = {name: sum(r.failed for r in answered.values() if r.task == name) for name in task_sizes}
        self.n_generated = self.n_cache_hits = 0
        self.cache = ResponseCache(Path(cfg.cache_dir) / "responses.sqlite") if cfg.use_response_cache else None
        self.pool = MediaPool(cfg.media_workers, Path(cfg.cache_dir) / "media")
        self.engine = engine_identity(cfg)
        self.scope = hashlib.sha256(json.dumps([identity, self.engine], sort_keys=True).encode()).hexdigest()
        self.runner: Runner | None = None
        self._loading: Future[Runner] | None = None
        self.engine_info: dict[str, Any] | None = None
        self._owners: dict[int, _Pending] = {}  # id(PreparedRequest) -> its sample, while the engine has it
        self._unwritten: list[SampleRecord] = []
        self._uncached: list[tuple[str, Response]] = []
        self._last_write = time.monotonic()
        self._progress = tqdm(disable=True)  # the bar of the stage running (run() sets it)

    def run(self, planned: Sequence[_Pending]) -> None:
        unfit = [(p, p.plan.failure) for p in planned if p.plan.failure is not None]
        pending = [p for p in planned if p.plan.failure is None]
        if unfit:  # recorded before the engine loads: a run whose samples all fail never loads it
            with tqdm(total=len(unfit), desc="unfit samples", unit="sample") as self._progress:
                for p, failure in unfit:
                    self._record(self._failed_record(p, failure.reason, failure.stage))
        if pending and not (self.cache and self.cache.has_scope(self.scope)):
            # Nothing cached for this model and engine, so the engine will be needed: load it while the media
            # workers start and decode. With earlier answers cached it is loaded only on the first miss.
            loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-load")
            self._loading = loader.submit(build_runner, self.cfg.model, self.cfg.runner, self.model_path)
            loader.shutdown(wait=False)
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

    def _misses(self, pending: Sequence[_Pending]) -> Iterator[PreparedRequest | NotReady]:
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

    def _prepare(self, item: _Pending, media: tuple[MediaData, ...]) -> PreparedRequest:
        prompt = item.plan.prompt
        key = cache_key(
            self.identity, self.engine, prompt, [dict(m.provenance) for m in media],
            asdict(item.request.decoding), item.request.use_audio_in_video, item.request.voice,
        )
        return PreparedRequest(item.request, prompt, media, key)

    def _engine(self) -> Runner:
        if self.runner is None:
            self.runner = self._loading.result() if self._loading else build_runner(
                self.cfg.model, self.cfg.runner, self.model_path
            )
        return self.runner

    def _answered(self, group: list[Completed]) -> None:
        self.n_generated += len(group)
        self._uncached.extend((prepared.cache_key, response) for prepared, response in group)
        for prepared, response in group:
            self._record(self._record_for(self._owners.pop(id(prepared)), prepared, response))

    def _record(self, record: SampleRecord) -> None:
        self._unwritten.append(record)
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

    def _record_for(self, item: _Pending, prepared: PreparedRequest, response: Response,
                    cache_hit: bool = False) -> SampleRecord:
        error, stage = response.error, "runner" if response.error else None
        if error is None:
            error = output_problem(response.text) or speech_problem(item.request.voice, response)
            stage = "output" if error else None
        sample_id = item.request.sample.sample_id
        speech = self.store.save_speech(item.task.name, sample_id, response.speech) if response.speech else None
        return SampleRecord(
            task=item.task.name, sample_id=sample_id, index=item.index, prompt=prepared.prompt,
            media=[dict(m.provenance) for m in prepared.media], reference=item.request.sample.reference,
            categories=dict(item.request.sample.categories), cluster=item.request.sample.cluster,
            cache_key=prepared.cache_key, response=response.fields(), error=error, error_stage=stage,
            cache_hit=cache_hit, speech=speech,
        )

    def _failed_record(self, item: _Pending, error: str, stage: str) -> SampleRecord:
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
            self.engine_info = asdict(self.runner.info())
            self.runner.close()


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

