"""The one place where a run's flow lives:

    checks -> tasks loaded -> model path -> token-budget preflight (prompt rendered, tokens counted, videos
    planned) -> manifest -> (media decoded ahead in workers) -> response cache -> runner (vLLM: fed continuously;
    others: one call per batch) -> samples.jsonl journal, as answers finish (spoken answers saved as WAV files) ->
    listening to spoken answers (speech recognition, speaker similarity) -> scoring -> scores.json -> report

The generation stage (media, response cache, engine, journal, failure budget) is evalkit.generation's.
Multi-turn conversations (evalkit.turns) generate in rounds, one per turn depth: the generation stage runs once per
round, a later turn's conversation built from the journaled answers of the round before and planned then. Agent
loops (evalkit.agents) add their next steps to each round until every loop has ended.
Everything that can be wrong with the config or the data fails before a model is loaded. A failure of one
sample is recorded with its reason and the run goes on, up to `failures.max_failures` in any one task.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import datasets

from evalkit.agents import AgentRounds
from evalkit.config import ConfigError, ModelConfig, RunConfig, TaskConfig
from evalkit.dataset_lock import DatasetPin, pin_datasets
from evalkit.decoding import describe, for_draw, read_generation_config, resolve_decoding
from evalkit.generation import GenerationStage, PendingSample
from evalkit.listening import check_listeners, listen, listeners_used
from evalkit.manifest import Manifest, ModelInfo, RunCounts, Session
from evalkit.model_store import resolve_model_path
from evalkit.phases import PhaseClock
from evalkit.preflight import EngineLimits, Failure, Preflight, SamplePlan, budget_summary, plan_run
from evalkit.profiles import get_profile
from evalkit.provenance import engine_version, git_state, host_info, model_identity, package_versions
from evalkit.registry import task_spec
from evalkit.run_folder import RunStore, SampleRecord, TaskScore, scores_document
from evalkit.scorecard import run_judges, score_run, with_answer
from evalkit.scoring.registry import build_scorer
from evalkit.task import LoadedTask, check_task, load_task, spoken_language, spoken_voice
from evalkit.turns import PREVIOUS_TURN_STAGE, earlier_turns, resolved, turn_depths
from evalkit.types import Decoding, Request, Sample, media_parts


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


def run_evaluation(cfg: RunConfig) -> RunSummary:
    started = datetime.now(UTC)
    clock = PhaseClock()
    with clock.phase("checks"):
        pins = pin_datasets(cfg)  # locked commits set as the tasks' revisions; require_pinned refuses the unpinned
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
        if cfg.cluster.name == "ray":  # a cluster that does not answer fails here; and Ray joins from the main thread
            from evalkit.cluster import connect

            connect(cfg.cluster)
        check_listeners(cfg)  # the recognisers and speaker models of spoken tasks, before any generation
        store = RunStore(Path(cfg.output_dir))
        fingerprint = config_fingerprint(cfg)
        _check_resumable(store, cfg, fingerprint)
    # a server answers with its own weights and random weights need none: then only config and processor are fetched
    before = prepare_run(cfg, weights=cfg.runner.name != "openai" and cfg.model.weights == "checkpoint", clock=clock)
    model_path, loaded = before.model_path, before.loaded
    with clock.phase("manifest"):
        identity = model_identity(model_path, cfg.model.revision)
        manifest = _manifest(cfg, store, fingerprint, profile.name, before, identity, started, pins)
        if not cfg.resume:
            store.reset()
        # engine and media failures are tried again (the cause may be fixed); an output failure is the model's
        # answer; a spoken answer counts only while its audio file is in the folder as written
        answered = {
            k: r for k, r in store.load_records().items()
            if r.error_stage in (None, "output") and (r.speech is None or store.has_speech(r))
        }  # fmt: skip
    generation = GenerationStage(cfg, store, model_path, identity, engine_identity(cfg),
                                 {n: len(t.samples) for n, t in loaded.items()}, answered, clock)
    loops = AgentRounds.start(cfg.tasks, {n: a for n in cfg.tasks if (a := task_spec(n).agent) is not None},
                              {n: t.samples for n, t in loaded.items()}, answered, store.load_records() if cfg.resume
                              else {}, cfg.model.reasoning)
    try:
        with clock.phase("generation"):
            store.append(loops.retire_ended())  # loops that ended in replay, killed before their item's record
            # one round per turn depth (evalkit.turns), and on while agent loops run: a single-turn run is one round
            depths = max((max(d.values(), default=0) for d in before.depths.values()), default=0) + 1
            depth = 0
            while depth < depths or loops:
                chains = (_round(cfg, before, depth, answered, store.load_records() if depth else {}, loops.looped)
                          if depth < depths else [])
                store.append(loops.advance(generation.run(chains + _steps(cfg, before, loops))))
                depth += 1
    finally:
        loops.close()
        generation.close()
    with clock.phase("listening"):
        records = listen(cfg, store, store.load_records())
    with clock.phase("scoring"):
        try:
            media = {name: {s.sample_id: tuple(media_parts(s.messages)) for s in loaded[name].samples}
                     for name in cfg.tasks}  # for judges that see the media (a record keeps only their hashes)
            scores, final_records = score_run(
                cfg, {name: [records[(name, s.sample_id)] for s in loaded[name].samples] for name in cfg.tasks}, judges,
                media, on_cluster=cfg.cluster.name == "ray",
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
        finished = datetime.now(UTC).isoformat()
        manifest.sessions.append(Session(
            started=started.isoformat(), finished=finished, resumed=len(answered), generated=generation.n_generated,
            cache_hits=generation.n_cache_hits, engine=generation.engine_info, host=manifest.host, git=manifest.git,
            phase_seconds=clock.rounded(),
        ))  # fmt: skip
        manifest.finished, manifest.counts = finished, RunCounts(samples=n_total, failed=n_failed)
        store.write_manifest(manifest)
    with clock.phase("report"):
        from evalkit.report import write_report

        write_report(store.dir, formats=("md",))
    return RunSummary(store.dir, scores, n_total, len(answered), generation.n_generated,
                      generation.n_cache_hits, n_failed, clock.rounded())


def _round(cfg: RunConfig, before: RunInputs, depth: int, answered: dict[tuple[str, str], SampleRecord],
           journal: dict[tuple[str, str], SampleRecord], looped: set[tuple[str, str]]) -> list[PendingSample]:
    """The requests of one round: every task's unanswered turns `depth` deep in their conversation, but the items of
    agent loops (`looped`: their steps are asked for by _steps). A later turn's conversation is rebuilt from the
    answers journaled so far (`journal`) and planned now; one whose earlier turn failed is planned as failed."""
    pending = []
    for name, task in cfg.tasks.items():
        samples = before.loaded[name].samples
        by_id = {sample.sample_id: sample for sample in samples}
        for index, sample in enumerate(samples):
            key = (name, sample.sample_id)
            if before.depths[name][sample.sample_id] != depth or key in answered or key in looped:
                continue
            if depth == 0:
                plan = before.plans[(name, sample.sample_id)]
            else:
                sample, plan = _later_turn(cfg, before, task, sample, by_id, journal)
            request = Request(sample, for_draw(before.decodings[name], sample.draw), task.media.use_audio_in_video,
                              spoken_language(task), spoken_voice(task))  # fmt: skip
            pending.append(PendingSample(task, index, request, plan))
    return pending


def _steps(cfg: RunConfig, before: RunInputs, loops: AgentRounds) -> list[PendingSample]:
    """The next step of every running agent loop, planned now. A loop's conversation grows with every step: a step
    whose prompt leaves less than the task's max_new_tokens in runner.max_model_len gets what is left but 2 tokens,
    as gorilla's OSS handler asks for min(4096, context - prompt - 2) (ShishirPatil/gorilla @ cd9429c,
    bfcl_eval/model_handler/local_inference/base_oss_handler.py _query_prompting); one that leaves nothing fails
    (stage "budget")."""
    pending = []
    for item in loops.active:
        task, sample = item.task, item.step_sample
        plan = before.preflight.plan(task.name, sample, task.media, before.decodings[task.name].max_new_tokens,
                                     spoken_language(task))
        left = before.limits.max_model_len - plan.prompt_tokens - 2
        if plan.counted and plan.failure is not None and plan.failure.stage == "budget" and left > 0:
            plan = before.preflight.plan(task.name, sample, task.media, left, spoken_language(task))
        decoding = replace(for_draw(before.decodings[task.name], sample.draw), max_new_tokens=plan.max_new_tokens)
        request = Request(sample, decoding, task.media.use_audio_in_video, spoken_language(task), spoken_voice(task))
        pending.append(PendingSample(task, item.index, request, plan))
    return pending


def _later_turn(cfg: RunConfig, before: RunInputs, task: TaskConfig, sample: Sample, by_id: dict[str, Sample],
                journal: dict[tuple[str, str], SampleRecord]) -> tuple[Sample, SamplePlan]:
    """A later turn with its whole conversation, planned; or, when an earlier turn has no answer, a failed plan."""
    answers = {}
    for earlier in earlier_turns(sample, by_id):
        record = journal.get((task.name, earlier))
        if record is None or record.failed:
            why = "has no record" if record is None else f"failed ({record.error_stage}: {record.error})"
            failure = Failure(PREVIOUS_TURN_STAGE, f"sample {sample.sample_id}: its earlier turn {earlier} {why}")
            budget = before.decodings[task.name].max_new_tokens
            return sample, SamplePlan(task.name, sample.sample_id, "", 0, {}, budget, failure=failure, counted=False)
        answers[earlier] = with_answer(record, cfg.model.reasoning).answer or ""
    turn = resolved(sample, by_id, answers)
    return turn, before.preflight.plan(task.name, turn, task.media, before.decodings[task.name].max_new_tokens,
                                       spoken_language(task))


def _manifest(cfg: RunConfig, store: RunStore, fingerprint: str, profile: str, before: RunInputs,
              identity: dict[str, Any], started: datetime, pins: dict[str, DatasetPin]) -> Manifest:
    """The manifest as written before generation: config, model, data, token budget, code, packages, host."""
    previous = store.read_manifest() if cfg.resume else None
    manifest = Manifest(
        config=cfg.to_dict(),
        config_fingerprint=fingerprint,
        model=ModelInfo(**identity, name=cfg.model.name, variant=cfg.model.variant, profile=profile,
                        generation_config=before.generation_config),
        decoding={name: describe(d) for name, d in before.decodings.items()},
        datasets={name: {**t.provenance, "pin": asdict(pins[name])} for name, t in before.loaded.items()},
        token_budget=budget_summary(before.limits, list(before.plans.values())),
        git=git_state(),
        packages=dict(package_versions()),
        host=host_info(),
        started=previous.started if previous else started.isoformat(),
        # one entry per invocation: a resumed run shows each part it was made in, with its engine
        sessions=previous.sessions if previous else [],
        rescored=previous.rescored if previous else [],
    )
    store.write_manifest(manifest)
    return manifest


@dataclass(frozen=True)
class RunInputs:
    """What a run knows before any engine loads: the checkpoint's processor and generation settings, the samples,
    their decoding, and the token-budget preflight's plan of every sample."""

    model_path: str
    generation_config: dict[str, Any] | None
    loaded: dict[str, LoadedTask]
    depths: dict[str, dict[str, int]]  # per task, each sample's depth in its conversation (evalkit.turns)
    decodings: dict[str, Decoding]
    preflight: Preflight  # plans the later turns of conversations when their round comes
    plans: dict[tuple[str, str], SamplePlan]  # the opening turns (every sample of a single-turn task)

    @property
    def limits(self) -> EngineLimits:
        return self.preflight.limits


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
        preflight, plans = plan_run(cfg, renderer, counter, {name: t.samples for name, t in loaded.items()},
                                    {name: d.max_new_tokens for name, d in decodings.items()})
    depths = {name: turn_depths(name, task.samples) for name, task in loaded.items()}
    return RunInputs(model_path, generation_config, loaded, depths, decodings, preflight, plans)


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
    if cfg.model.talker and cfg.model.talker_max_new_tokens != ModelConfig.talker_max_new_tokens:
        name += f":talker-max-{cfg.model.talker_max_new_tokens}"  # a shorter budget cuts spoken answers short
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
    previous = store.read_manifest() if cfg.resume else None  # resume=false starts over whatever the folder holds
    if previous and previous.config_fingerprint != fingerprint:
        raise ConfigError(
            f"{store.dir} holds a run with a different model, engine, or task prompt/data/media settings; resuming "
            "would mix answers. Choose another output_dir, or pass resume=false to start this folder over. (A "
            "changed scorer needs neither: `evalkit rescore` applies it.)"
        )
