"""evalkit's own time per run: `run_evaluation` from config to report with an instantaneous fake engine (every
request answered at once with a canned text), on the GPU benchmark's workloads at its sizes (bench/workloads.py:
text 256, audio 64 clips of 8-30 s, images 32 prompts with 1-3 images, video 8 clips of 30 s to an hour).
Everything measured is evalkit's: config checks, data loading, preflight, manifest, media decoding in workers,
journal, scoring with its bootstrap, report.

Per workload: the first run in the process (it pays imports, the processor load and the media workers' start),
then the median of `repeats` more, with each phase's median seconds (RunSummary.phase_seconds). Text also runs at
an eighth of its size (32 of 256), so the fixed part and the cost per 100 samples separate.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from pathlib import Path
from typing import Any

from bench import workloads


class InstantRunner:
    """A streaming engine that answers every request at once (the fake engine of the measurement)."""

    name = "instant"

    def info(self):
        from evalkit.runners.base import EngineInfo

        return EngineInfo("instant", "", None, None, "none", "cpu", {})

    def generate(self, batch):
        from evalkit.types import Response

        return [Response(text="A", output_tokens=1) for _ in batch]

    def generate_stream(self, requests):
        from evalkit.runners.base import ready

        for request in ready(requests):
            yield list(zip([request], self.generate([request]), strict=True))

    def close(self) -> None:
        pass


def run(work_dir: Path, repeats: int, scale: workloads.Scale = workloads.GPU) -> dict[str, Any]:
    import evalkit.generation as generation
    import evalkit.pipeline as pipeline
    from bench.gpu import task_overrides
    from evalkit.config import ModelConfig
    from evalkit.hydra_config import load_run_config
    from evalkit.model_store import resolve_model_path

    if scale.text < 16:
        raise ValueError(f"the overhead bench needs at least 16 text samples to separate fixed and per-sample "
                         f"cost, got {scale.text}")
    tiny = resolve_model_path(ModelConfig(name="tiny", path=str(work_dir / "tiny-qwen3-omni"), build_tiny=True),
                              work_dir)
    loads = workloads.build(work_dir, scale, max_frames=256)
    base = ["model=tiny_random", "model.build_tiny=false", f"model.path={tiny}", f"cache_dir={work_dir / 'cache'}",
            "use_response_cache=false", "resume=false", "failures.max_failures=1000000"]
    real_build_runner = generation.build_runner
    generation.build_runner = lambda *_: InstantRunner()
    rows = []
    try:
        for workload in loads:
            rows.append(_measure(workload, base, work_dir, repeats, pipeline.run_evaluation, load_run_config,
                                 task_overrides))
        # the second text size: the fixed cost is the intercept of the line through the two sizes
        text, n_small = next(w for w in loads if w.name == "text"), scale.text // 8
        small = dataclasses.replace(text, name="text_small", n=n_small, overrides=(*text.overrides, f"limit={n_small}"))
        rows.append(_measure(small, base, work_dir, repeats, pipeline.run_evaluation, load_run_config,
                             task_overrides))
    finally:
        generation.build_runner = real_build_runner
    by_name = {row["name"]: row for row in rows}
    big, little = by_name["text"], by_name["text_small"]
    per_100 = 100 * (big["seconds"] - little["seconds"]) / (big["n"] - little["n"])
    return {
        "benchmark": "evalkit_overhead",
        "input": f"run_evaluation with an instantaneous fake engine; text {big['n']}, audio, images, video as the "
                 "GPU benchmark (bench/workloads.py); tiny Qwen3-Omni processor",
        "repeats": repeats,
        "workloads": rows,
        "text_fixed_s": round(little["seconds"] - little["n"] * per_100 / 100, 3),
        "text_per_100_samples_s": round(per_100, 3),
        "note": "seconds: median of the runs after the first in the process; first_run_s pays imports, the "
                "processor load and the media workers' start; phases: median seconds per phase",
    }


def _measure(workload, base, work_dir, repeats, run_evaluation, load_run_config, task_overrides) -> dict[str, Any]:
    out_dir = work_dir / "overhead-runs" / workload.name
    walls, phases = [], []
    for _ in range(1 + repeats):
        started = time.perf_counter()
        summary = run_evaluation(load_run_config([*base, *task_overrides(workload, out_dir)]))
        walls.append(time.perf_counter() - started)
        phases.append(getattr(summary, "phase_seconds", {}))
    names = dict.fromkeys(name for p in phases[1:] for name in p)
    return {
        "name": workload.name, "n": summary.n_samples, "failed": summary.n_failed,
        "first_run_s": round(walls[0], 3), "seconds": round(statistics.median(walls[1:]), 3),
        "phases": {name: round(statistics.median(p.get(name, 0.0) for p in phases[1:]), 3) for name in names},
    }
