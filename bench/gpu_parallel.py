"""The GPU benchmark's two-GPU parts (bench/gpu.py runs them: `--part dp`, `--part tp`): evalkit with two
replicas or one engine over both GPUs, against the vllm part's one-GPU rows in the same result file."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.gpu import base_overrides, build_workloads, model_folder, task_overrides
from bench.gpu_vllm import SharedRunner, kv_capacity


def parallel_part(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    """Two GPUs: evalkit with two replicas (dp) or one engine over both (tp) on the text and audio workloads,
    against the vllm part's one-GPU rows in the same result file."""
    import evalkit.generation as generation
    from evalkit.hydra_config import load_run_config
    from evalkit.pipeline import run_evaluation
    from evalkit.runners import build_runner

    model_dir = model_folder(args)
    loads = build_workloads(args, ["text", "audio"])
    size = "runner.data_parallel_size=2" if mode == "dp" else "runner.tensor_parallel_size=2"
    base = [*base_overrides(args, model_dir), size]
    cfg = load_run_config([*base, *task_overrides(loads[0], args.work_dir / "runs" / f"{mode}-start")])
    started = time.perf_counter()
    runner = build_runner(cfg.model, cfg.runner, str(model_dir))
    engine_start_s = time.perf_counter() - started
    generation.build_runner = lambda *_: SharedRunner(runner)
    document = json.loads(args.result.read_text()) if args.result.exists() else {}
    one_gpu = {w["name"]: w for w in document.get("vllm", {}).get("workloads", [])}
    rows = []
    try:
        for workload in loads:
            out_dir = args.work_dir / "runs" / f"{mode}-{workload.name}"
            run_cfg = load_run_config([*base, *task_overrides(workload, out_dir)])
            seconds = []
            for _ in range(args.warmup + args.repeats):
                started = time.perf_counter()
                run_evaluation(run_cfg)
                seconds.append(time.perf_counter() - started)
            rps = workload.n / statistics.median(seconds[args.warmup:])
            baseline = one_gpu.get(workload.name, {}).get("evalkit_rps")
            same = _equal_token_ids(out_dir, args.work_dir / "runs" / workload.name)
            rows.append({"mode": mode, "name": workload.name, "n": workload.n, "rps": round(rps, 2),
                         "rps_1gpu": baseline, "speedup": baseline and round(rps / baseline, 3),
                         "outputs_equal_1gpu": same is not None and same == workload.n, "identical_outputs": same,
                         "evalkit_s": [round(x, 2) for x in seconds[args.warmup:]]})
            print(json.dumps(rows[-1]), flush=True)
        capacity = kv_capacity(runner) if mode == "tp" else None
    finally:
        runner.close()
    return {"engine_start_s": round(engine_start_s, 1), "settings": base, "workloads": rows,
            **({"max_concurrent_sequences": capacity,
                "max_concurrent_sequences_1gpu": document.get("vllm", {}).get("max_concurrent_sequences")}
               if mode == "tp" else {})}


def _equal_token_ids(ours: Path, one_gpu: Path) -> int | None:
    """How many samples got the same token ids in two run folders (None without the one-GPU run)."""
    def ids(folder: Path) -> dict[str, Any]:
        lines = (folder / "samples.jsonl").read_text().splitlines()
        return {r["sample_id"]: (r["response"] or {}).get("token_ids") for r in map(json.loads, lines)}

    if not (one_gpu / "samples.jsonl").exists():
        return None
    theirs = ids(one_gpu)
    return sum(tokens is not None and theirs.get(sample) == tokens for sample, tokens in ids(ours).items())
