"""The GPU benchmark's one-GPU engine parts (bench/gpu.py runs them: `--part vllm`, `restart`, `invariant`): one
vLLM engine shared by evalkit's `run_evaluation` and bare vLLM's one `LLM.generate` call over the same requests,
interleaved passes with vLLM's caches emptied before each, the engine timeline of each side's last pass, and the
greedy-output checks (identical outputs, batching, batch-invariant kernels); bench/GPU.md says how to read them."""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import workloads
from bench.engine_timeline import engine_timeline
from bench.gpu import base_overrides, build_workloads, merge_section, model_folder, task_overrides, with_text

if TYPE_CHECKING:  # evalkit is imported inside each part, after the environment is set
    from evalkit.pipeline import RunSummary


class SharedRunner:
    """The one engine, lent to each evalkit run: closing it is the bench's business."""

    def __init__(self, runner: Any):
        self.inner, self.name = runner, runner.name

    def generate(self, batch):
        return self.inner.generate(batch)

    def generate_stream(self, requests):
        return self.inner.generate_stream(requests)

    def info(self):
        return self.inner.info()

    def close(self) -> None:
        pass


def vllm_part(args: argparse.Namespace) -> dict[str, Any]:
    import evalkit.generation as generation
    from evalkit.hydra_config import load_run_config
    from evalkit.runners import build_runner
    from evalkit.runners.vllm import VLLMRunner

    model_dir = model_folder(args)
    loads = build_workloads(args, with_text(args.workloads))
    base = base_overrides(args, model_dir)
    cfg = load_run_config([*base, *task_overrides(loads[0], args.work_dir / "runs" / "start")])
    started = time.perf_counter()
    runner = build_runner(cfg.model, cfg.runner, str(model_dir))
    engine_start_s = time.perf_counter() - started
    if not isinstance(runner, VLLMRunner):  # the bare side calls vLLM's engine directly
        raise ValueError(f"the vllm part needs runner=vllm, got {cfg.runner.name}")
    generation.build_runner = lambda *_: SharedRunner(runner)  # every evalkit run below uses this engine
    rows = []
    try:
        for workload in [w for w in loads if not args.workloads or w.name in args.workloads]:
            rows.append(_compare(workload, base, runner, args, load_run_config))
            print(json.dumps(rows[-1]), flush=True)
            # saved as each finishes: a device call cut at its time limit still returns the finished workloads
            merge_section(args.result, "vllm", {"workloads": rows, "finished": False}, args.rehearse, args.commit)
        inputs, params, _, _ = _bare_requests(
            load_run_config([*base, *task_overrides(loads[0], args.work_dir / "x")]), runner)
        one_call = _generate_ids(runner, inputs, params)
        (args.work_dir / "text-default-ids.json").write_text(json.dumps(one_call))
        batching = _batching(runner, inputs, params, one_call)
        capacity = kv_capacity(runner)
    finally:
        closing = time.perf_counter()
        runner.close()
        engine_close_s = time.perf_counter() - closing
    return {"engine_start_s": round(engine_start_s, 1), "engine_close_s": round(engine_close_s, 1),
            "engine": runner.info().details if runner.engine else None, "settings": base, "workloads": rows,
            "batching": batching, "max_concurrent_sequences": capacity}


def kv_capacity(runner: Any) -> float | None:
    """How many sequences of max_model_len tokens the engine's KV cache holds at once (None where vLLM does not
    say: its log's "Maximum concurrency" line has it)."""
    cache = runner.engine.llm.llm_engine.vllm_config.cache_config
    if not cache.num_gpu_blocks:
        return None
    return round(cache.num_gpu_blocks * cache.block_size / runner.runner_config.max_model_len, 2)


def _generate_ids(runner: Any, inputs: list[Any], params: list[Any]) -> list[list[int]]:
    return [list(o.outputs[0].token_ids) for o in runner.engine.llm.generate(inputs, params, use_tqdm=False)]


def _batching(runner: Any, inputs: list[Any], params: list[Any], one_call: list[list[int]],
              group: int = 8) -> dict[str, Any]:
    """Greedy outputs of the text requests in one call against calls of `group`: the same engine and settings,
    only the company each request keeps in a batch differs."""
    grouped = [ids for start in range(0, len(inputs), group)
               for ids in _generate_ids(runner, inputs[start:start + group], params[start:start + group])]
    return {"n": len(inputs), "group": group, "identical": sum(a == b for a, b in zip(one_call, grouped, strict=True)),
            "first_divergence": _first_divergences(one_call, grouped)}


def _first_divergences(a: list[list[int]], b: list[list[int]]) -> list[int]:
    """Per differing pair, the token position where they first part (a few, to tell drift from noise)."""
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y:
            out.append(next((k for k, (s, t) in enumerate(zip(x, y, strict=False)) if s != t), min(len(x), len(y))))
    return sorted(out)[:20]


def _compare(workload: workloads.Workload, base: list[str], runner: Any, args: argparse.Namespace,
             load_run_config) -> dict[str, Any]:
    from evalkit.pipeline import run_evaluation

    out_dir = args.work_dir / "runs" / workload.name
    cfg = load_run_config([*base, *task_overrides(workload, out_dir)])
    inputs, params, ids, decode_s = _bare_requests(cfg, runner)
    evalkit_s: list[float] = []
    bare_s: list[float] = []
    phases: list[dict[str, float]] = []
    summary: RunSummary | None = None
    bare_outputs: list[Any] = []
    engine = runner.engine.llm.llm_engine
    timelines: dict[str, dict[str, Any]] = {}  # each side's last pass
    for repeat in range(args.warmup + args.repeats):  # interleaved: both sides see the same machine state
        if repeat == args.warmup:  # the first passes warm the engine's per-shape paths for both sides; untimed
            evalkit_s, bare_s, phases = [], [], []
        empty_caches(runner.engine.llm)
        with engine_timeline(engine) as timeline:
            bare_outputs = runner.engine.llm.generate(inputs, params, use_tqdm=False) if inputs else []
        timelines["bare"] = timeline.summary()
        bare_s.append(timelines["bare"]["wall_s"])
        empty_caches(runner.engine.llm)
        with engine_timeline(engine) as timeline:
            summary = run_evaluation(cfg)
        timelines["evalkit"] = timeline.summary()
        evalkit_s.append(timelines["evalkit"]["wall_s"])
        phases.append(summary.phase_seconds)
    if summary is None:
        raise ValueError(f"--warmup {args.warmup} --repeats {args.repeats}: at least one pass must run")
    profile = None
    if args.profile:
        empty_caches(runner.engine.llm)
        profile = _profiled(functools.partial(run_evaluation, cfg))
    records = [json.loads(line) for line in (out_dir / "samples.jsonl").read_text().splitlines()]
    ours = {r["sample_id"]: (r["response"] or {}).get("token_ids") for r in records}
    identical = sum(list(o.outputs[0].token_ids) == ours.get(sample_id)
                    for sample_id, o in zip(ids, bare_outputs, strict=True))
    evalkit_rps = workload.n / statistics.median(evalkit_s)
    bare_rps = len(inputs) / statistics.median(bare_s) if inputs else None  # None: vLLM refused every request
    return {"name": workload.name, "n": workload.n, "evalkit_rps": round(evalkit_rps, 2),
            "bare_rps": bare_rps and round(bare_rps, 2), "ratio": bare_rps and round(evalkit_rps / bare_rps, 3),
            "completed": summary.n_samples - summary.n_failed, "failed": summary.n_failed,
            "bare_completed": len(inputs), "identical_outputs": identical,
            # the bare side's media decoding, in one process before its timed call (not in bare_rps), and the ratio
            # against a bare user who must decode too
            "bare_decode_s": round(decode_s, 2),
            "ratio_with_decode": bare_rps and round(
                (statistics.median(bare_s) + decode_s) / statistics.median(evalkit_s), 3),
            "evalkit_s": [round(s, 2) for s in evalkit_s], "bare_s": [round(s, 2) for s in bare_s],
            # each interleaved pair's ratio: their spread is how finely `ratio` resolves a difference
            "ratio_per_pass": [round(b / e, 3) for e, b in zip(evalkit_s, bare_s, strict=True)],
            "failures": sorted({r["error"] for r in records if r["error"]})[:5],
            "timeline": timelines, "caches": "vLLM's processor and prefix caches emptied before every pass",
            # where evalkit's time went (median seconds per phase; "generation" holds the engine's own time)
            "evalkit_phase_s": {name: round(statistics.median(p.get(name, 0.0) for p in phases), 3)
                                for name in dict.fromkeys(n for p in phases for n in p)},
            **({"evalkit_profile": profile} if profile else {})}


def empty_caches(llm: Any) -> None:
    """vLLM's processor and prefix caches emptied before a pass: each pass then pays what a first run pays (every
    input processed and prefilled once) rather than a repeat's cache hits, and neither side profits from the
    other's entries."""
    llm.reset_mm_cache()
    llm.reset_prefix_cache()


def _profiled(work, top: int = 30) -> dict[str, Any]:
    """One pass under cProfile (the main thread only; media workers are other processes): its wall time and the
    functions with the most cumulative and own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(work)
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)

    def rows(key: int) -> list[str]:
        entries = sorted(stats.stats.items(), key=lambda kv: kv[1][key], reverse=True)[:top]  # type: ignore[attr-defined]
        return [f"{v[3]:.3f} cum {v[2]:.3f} own {v[1]}x {Path(f).name}:{line}({name})"
                for (f, line, name), v in entries]

    return {"wall_s": round(wall, 2), "by_cumulative": rows(3), "by_own": rows(2)}


def _bare_requests(cfg, runner) -> tuple[list[Any], list[Any], list[str], float]:
    """What a bare vLLM user passes to one `generate` call: the prompts and media evalkit's preflight plans and its
    workers decode (the same frames), prepared beforehand and not timed; without evalkit's content ids
    (multi_modal_uuids), as vLLM's plain call takes media."""
    from evalkit.media.pool import prepare_item
    from evalkit.media.source import MediaError
    from evalkit.pipeline import prepare_run
    from evalkit.types import PreparedRequest, Request, media_parts

    run = prepare_run(cfg, weights=False)
    [(name, task)] = cfg.tasks.items()
    inputs, params, ids, decode_s = [], [], [], 0.0
    for sample in run.loaded[name].samples:
        plan = run.plans[(name, sample.sample_id)]
        started = time.perf_counter()
        media = prepare_item(tuple(media_parts(sample.messages)), task.media, None, plan.video_plans)
        decode_s += time.perf_counter() - started
        if plan.failure is not None or isinstance(media, MediaError):
            continue  # refused before the engine: evalkit records it as failed, bare vLLM never sees it
        media = tuple(replace(item, content_id="") for item in media)  # plain generate: vLLM hashes the arrays
        try:
            prompt, sampling = runner.engine_request(
                PreparedRequest(Request(sample, run.decodings[name]), plan.prompt, media, ""))
        except ValueError:
            continue
        inputs.append(prompt)
        params.append(sampling)
        ids.append(sample.sample_id)
    return inputs, params, ids, decode_s


def restart_part(args: argparse.Namespace) -> dict[str, Any]:
    """A second engine start in a new process, with the compile cache the vllm part left."""
    from evalkit.hydra_config import load_run_config
    from evalkit.runners import build_runner

    model_dir = model_folder(args)
    [text] = build_workloads(args, ["text"])
    cfg = load_run_config([*base_overrides(args, model_dir), *task_overrides(text, args.work_dir / "runs" / "restart")])
    if cfg.runner.compile_cache_dir is None:
        raise ValueError("the restart part measures runner.compile_cache_dir: the runner config must set it")
    cache = Path(cfg.runner.compile_cache_dir)
    cache_mb = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 1e6 if cache.exists() else 0.0
    started = time.perf_counter()
    runner = build_runner(cfg.model, cfg.runner, str(model_dir))
    seconds = time.perf_counter() - started
    runner.close()
    return {"engine_start_s": round(seconds, 1), "compile_cache_dir": str(cache),
            "compile_cache_mb_before": round(cache_mb, 1)}


def invariant_part(args: argparse.Namespace) -> dict[str, Any]:
    """vLLM's batch-invariant kernels: engine start, bare text throughput against the default kernels' (the vllm
    part's), whether outputs still depend on batching, and how many equal the default kernels' outputs."""
    from evalkit.hydra_config import load_run_config
    from evalkit.runners import build_runner

    model_dir = model_folder(args)
    [text] = build_workloads(args, ["text"])
    cfg = load_run_config([*base_overrides(args, model_dir), "runner.batch_invariant=true",
                           *task_overrides(text, args.work_dir / "runs" / "invariant")])
    started = time.perf_counter()
    runner = build_runner(cfg.model, cfg.runner, str(model_dir))
    engine_start_s = time.perf_counter() - started
    try:
        inputs, params, _, _ = _bare_requests(cfg, runner)
        seconds = []
        for _ in range(args.warmup + args.repeats):
            started = time.perf_counter()
            one_call = _generate_ids(runner, inputs, params)
            seconds.append(time.perf_counter() - started)
        batching = _batching(runner, inputs, params, one_call)
    finally:
        runner.close()
    default_file = args.work_dir / "text-default-ids.json"
    default = json.loads(default_file.read_text()) if default_file.exists() else None
    timed = seconds[args.warmup:]
    return {"engine_start_s": round(engine_start_s, 1), "n": len(inputs),
            "bare_rps": round(len(inputs) / statistics.median(timed), 2), "bare_s": [round(s, 2) for s in timed],
            "batching": batching,
            "identical_to_default_kernels": None if default is None else sum(
                a == b for a, b in zip(default, one_call, strict=True))}
