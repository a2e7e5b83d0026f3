"""evalkit's runner=vllm against bare vLLM on one GPU, with the full-size Qwen3-Omni-30B-A3B and random weights.

    python -m bench.gpu                       # everything, each part in its own process
    python -m bench.gpu --part vllm           # one part (a device call is limited to 10 minutes)
    python -m bench.gpu --rehearse            # the same flow on a CPU: vLLM's CPU build, the tiny model, small n

Parts, each adding its section to one JSON file (bench/results/gpu-<date>.json):
- prepare: the model folders (config-only, full size, with the tiny model's processor) and the synthetic inputs.
- vllm: one engine, started once (its start is timed), shared by both sides in this process. Per workload (text
  256 x 128 tokens, audio 64 clips of 8-30 s, images 32 prompts with 1-3 images, video 8 clips from 30 s to an
  hour at fps 2 under a frame cap), bare vLLM gets the requests already rendered and decoded and makes ONE
  `LLM.generate` call; evalkit runs `run_evaluation` on the same task from config to report (media decoded in
  its workers, journal, scoring). Interleaved repeats; medians. Same engine, same settings, so greedy outputs
  should be identical: `identical_outputs` says how many are.
  `batching` (text): whether greedy outputs depend on which requests share a batch (one call vs calls of 8).
- restart: a fresh process starts the engine again with the same settings, to measure the compile-cache reuse.
- invariant: a fresh engine with runner.batch_invariant=true (vLLM's batch-invariant kernels): its start, bare text
  throughput against the vllm part's, the same batching check, and how many outputs equal the default kernels'.
- dp / tp (two GPUs; bench/GPU.md; in bench/gpu_parallel.py): evalkit on text and audio with
  runner.data_parallel_size=2 (two replicas) or runner.tensor_parallel_size=2, against the vllm part's one-GPU
  numbers in the same result file (run that part first with one GPU visible): requests/s, speedup, whether the
  token ids equal one GPU's, and (tp) the KV cache's capacity in sequences of max_model_len. These rows make the
  file's `workloads` and set `gpus`: 2.
- transformers (in bench/gpu_memory.py): the transformers runner at full size (random weights built on the GPU),
  peak GPU memory for one video of 15/30/60/120 s at fps 2, beside the model card's table for Thinking.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import workloads
from bench.engine_timeline import engine_timeline

if TYPE_CHECKING:  # evalkit is imported inside each part, after the environment is set
    from evalkit.pipeline import RunSummary

REPO = Path(__file__).resolve().parent.parent
PARTS = ("prepare", "vllm", "restart", "invariant", "transformers")
TWO_GPU_PARTS = ("dp", "tp")  # run one by one (--part), after the vllm part on one of the two GPUs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("all", *PARTS, *TWO_GPU_PARTS), default="all")
    parser.add_argument("--rehearse", action="store_true", help="CPU rehearsal: vLLM's CPU build, tiny model")
    parser.add_argument("--work-dir", type=Path, default=REPO / ".cache" / "bench-gpu")
    parser.add_argument("--result", type=Path, help="JSON to write (default bench/results/gpu-<date>.json)")
    parser.add_argument("--max-num-seqs", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=512, help="requests kept in the engine (evalkit side)")
    parser.add_argument("--max-num-batched-tokens", type=int, default=32768,
                        help="also the encoder cache size: a video's tokens must fit in it")
    parser.add_argument("--max-frames", type=int, default=256,
                        help="video frame cap (fits max_model_len 32768 at 640x352: 110 tokens a frame)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="untimed passes of both sides before the timed ones")
    parser.add_argument("--workloads", type=lambda names: names.split(","),
                        help="comma-separated names to measure in the vllm part (default all: text, text_large, "
                             "audio, images, video); text's requests also serve the batching check")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed passes, one untimed evalkit pass under cProfile: its top functions")
    parser.add_argument("--commit", help="the evalkit commit measured, where the tree has no git history (a device)")
    args = parser.parse_args(argv)
    date = datetime.now(UTC).strftime("%Y%m%d")
    args.result = args.result or REPO / "bench" / "results" / (
        f"cpu-rehearsal-{date}.json" if args.rehearse else f"gpu-{date}.json")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    if args.part == "all":
        for part in PARTS:  # own processes: each frees the GPU for the next, and restart must be a new process
            command = [sys.executable, "-m", "bench.gpu", *_passed_on(argv or sys.argv[1:]), "--part", part,
                       "--result", str(args.result)]
            if subprocess.run(command, cwd=REPO).returncode != 0:
                print(f"bench.gpu: part {part} failed; the others go on", file=sys.stderr)
        return 0
    from bench import gpu_memory, gpu_parallel  # they use this module's helpers

    parts: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "prepare": prepare_part, "vllm": vllm_part, "restart": restart_part, "invariant": invariant_part,
        "transformers": gpu_memory.transformers_part, "dp": functools.partial(gpu_parallel.parallel_part, mode="dp"),
        "tp": functools.partial(gpu_parallel.parallel_part, mode="tp")}
    section = parts[args.part](args)
    _merge(args.result, args.part, section, args.rehearse, args.commit)
    print(json.dumps(section, indent=2))
    return 0


def _passed_on(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--part", "--result"):
            skip = True
        elif not arg.startswith(("--part=", "--result=")):
            out.append(arg)
    return out


def model_folder(args: argparse.Namespace, checkpoint: str = "instruct") -> Path:
    """The tiny model (rehearsal), or a config-only full-size folder with the tiny model's processor."""
    from evalkit.config import ModelConfig
    from evalkit.full_size import write_model_config
    from evalkit.model_store import resolve_model_path

    tiny = Path(resolve_model_path(ModelConfig(name="tiny", path=str(args.work_dir / "tiny"), build_tiny=True),
                                   args.work_dir))
    if args.rehearse:
        return tiny
    folder = args.work_dir / f"full-{checkpoint}"
    if not (folder / "config.json").exists():
        write_model_config(checkpoint, tiny, folder)
    return folder


def base_overrides(args: argparse.Namespace, model_dir: Path) -> list[str]:
    runner = ["runner=vllm_cpu", "runner.max_num_seqs=8", "runner.batch_size=16",
              "+runner.engine_args.max_num_batched_tokens=4096"] if args.rehearse else [
        "runner=vllm", f"runner.max_num_seqs={args.max_num_seqs}", f"runner.batch_size={args.batch_size}",
        f"+runner.engine_args.max_num_batched_tokens={args.max_num_batched_tokens}"]
    model = ["model=tiny_random", "model.build_tiny=false"] if args.rehearse else ["model=qwen3_omni_30b_a3b_instruct"]
    return [*model, f"model.path={model_dir}", "model.weights=random",
            f"cache_dir={args.work_dir / 'cache'}", "use_response_cache=false", "resume=false",
            "failures.max_failures=1000000", *runner]


def task_overrides(workload: workloads.Workload, out_dir: Path) -> list[str]:
    return [f"tasks=[{workload.task}]", f"output_dir={out_dir}",
            *(f"tasks.{workload.task}.{o}" for o in workload.overrides)]


class _SharedRunner:
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


def prepare_part(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    folders = [str(model_folder(args, checkpoint)) for checkpoint in ("instruct", "thinking")]
    loads = workloads.build(args.work_dir, workloads.REHEARSAL if args.rehearse else workloads.GPU, args.max_frames,
                            _with_text(args.workloads))
    return {"model_folders": sorted(set(folders)), "workloads": {w.name: w.n for w in loads},
            "seconds": round(time.perf_counter() - started, 1)}


def _with_text(names: list[str] | None) -> list[str] | None:
    """The workloads to build: those asked for and text, whose requests start the engine and check batching."""
    return None if names is None else ["text", *names]


def vllm_part(args: argparse.Namespace) -> dict[str, Any]:
    import evalkit.generation as generation
    from evalkit.hydra_config import load_run_config
    from evalkit.runners import build_runner
    from evalkit.runners.vllm import VLLMRunner

    model_dir = model_folder(args)
    scale = workloads.REHEARSAL if args.rehearse else workloads.GPU
    loads = workloads.build(args.work_dir, scale, args.max_frames, _with_text(args.workloads))
    base = base_overrides(args, model_dir)
    cfg = load_run_config([*base, *task_overrides(loads[0], args.work_dir / "runs" / "start")])
    started = time.perf_counter()
    runner = build_runner(cfg.model, cfg.runner, str(model_dir))
    engine_start_s = time.perf_counter() - started
    if not isinstance(runner, VLLMRunner):  # the bare side calls vLLM's engine directly
        raise ValueError(f"the vllm part needs runner=vllm, got {cfg.runner.name}")
    generation.build_runner = lambda *_: _SharedRunner(runner)  # every evalkit run below uses this engine
    rows = []
    try:
        for workload in [w for w in loads if not args.workloads or w.name in args.workloads]:
            rows.append(_compare(workload, base, runner, args, load_run_config))
            print(json.dumps(rows[-1]), flush=True)
            # saved as each finishes: a device call cut at its time limit still returns the finished workloads
            _merge(args.result, "vllm", {"workloads": rows, "finished": False}, args.rehearse, args.commit)
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
    text = workloads.build(args.work_dir, workloads.REHEARSAL if args.rehearse else workloads.GPU, args.max_frames)[0]
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
    text = workloads.build(args.work_dir, workloads.REHEARSAL if args.rehearse else workloads.GPU, args.max_frames)[0]
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


def _merge(path: Path, part: str, section: dict[str, Any], rehearse: bool, commit: str | None) -> None:
    """One JSON per run: device, date, versions, and each part's section; `workloads` at the top level."""
    document = json.loads(path.read_text()) if path.exists() else {}
    document.update(device=_device(rehearse), date=datetime.now(UTC).isoformat(timespec="seconds"),
                    versions={**document.get("versions", {}), **_versions(commit)})  # parts may run in other envs
    document[part] = section
    if part == "vllm":
        document["workloads"] = section["workloads"]
    if part in TWO_GPU_PARTS:  # a two-GPU file's rows are the dp/tp ones (one GPU's stay under "vllm")
        document["gpus"] = 2
        document["workloads"] = [w for w in document.get("workloads", []) if w.get("mode") not in (None, part)]
        document["workloads"] += section["workloads"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def _device(rehearse: bool) -> str:
    from evalkit.provenance import nvidia_gpus

    gpus = nvidia_gpus()
    if gpus and not rehearse:
        return ", ".join(f"{g['name']} ({g['memory.total']})" for g in gpus)
    return f"CPU: {platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores"


def _versions(commit: str | None) -> dict[str, str | None]:
    from evalkit.provenance import git_state

    versions: dict[str, str | None] = {"evalkit_commit": commit or git_state().commit,
                                       "python": platform.python_version()}
    for name in ("vllm", "vllm-cpu", "torch", "transformers"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


if __name__ == "__main__":
    sys.exit(main())
