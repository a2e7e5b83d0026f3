"""cluster=ray on CPUs: the tiny Qwen3-Omni's requests through 2 Ray replica actors against 1, each actor pinned to
one core and one thread (Ray's num_cpus=1 sets its OMP_NUM_THREADS).

    python -m bench.cluster          # writes bench/results/cluster-cpu-<date>.json

A local Ray instance with 3 CPUs holds both contenders' actors at once (the idle one uses no core), so their
timed passes interleave and see the same machine load. Workload: smoke-size text requests, rendered beforehand
(the engines' work, not media decoding or scoring, which stay the same in both), greedy; one untimed pass each,
then interleaved timed passes, medians. The outputs of the two must be identical.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.timing import interleaved_medians

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-wait-s", type=float, help="runner.batch_wait_s (default: the runner's default)")
    parser.add_argument("--work-dir", type=Path, default=REPO / ".cache" / "bench-cluster")
    parser.add_argument("--result", type=Path, help="default bench/results/cluster-cpu-<date>.json")
    args = parser.parse_args(argv)

    import ray

    from evalkit.config import ClusterConfig, ModelConfig, RunnerConfig
    from evalkit.profiles import get_profile
    from evalkit.runners import build_runner
    from evalkit.tiny_model import build_tiny_model
    from evalkit.types import Decoding, Message, PreparedRequest, Request, Sample, TextPart

    model_dir = build_tiny_model(args.work_dir / "tiny", seed=0)
    renderer = get_profile("qwen3_omni").renderer(str(model_dir), None)
    decoding = Decoding(max_new_tokens=args.new_tokens)
    requests = []
    for k in range(args.requests):
        messages = (Message("user", (TextPart(f"Question {k}: say something about the number {k * 7}."),)),)
        sample = Sample("bench", f"q{k}", messages, None)
        requests.append(PreparedRequest(Request(sample, decoding), renderer.render(messages, None), (), f"q{k}"))

    ray.init(num_cpus=3, include_dashboard=False)
    model = ModelConfig(name="tiny", path=str(model_dir), variant="tiny", dtype="float32")
    runner = RunnerConfig(name="transformers", device="cpu", batch_size=8)
    if args.batch_wait_s is not None:
        runner = replace(runner, batch_wait_s=args.batch_wait_s)
    engines = {n: build_runner(model, runner, str(model_dir), ClusterConfig(name="ray", replicas=n, num_gpus=0))
               for n in (1, 2)}
    outputs: dict[int, list[tuple[int, ...] | None]] = {}

    def pass_of(n: int):
        def run() -> None:
            outputs[n] = [r.token_ids for r in engines[n].generate(requests)]
        return run

    try:
        seconds = interleaved_medians({str(n): pass_of(n) for n in (1, 2)}, args.repeats)
        placement = {n: engines[n].info().details["replicas"]["placement"] for n in (1, 2)}
    finally:
        for engine in engines.values():
            engine.close()
        ray.shutdown()
    rps = {n: args.requests / seconds[str(n)] for n in (1, 2)}
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "device": f"{platform.machine()} {os.cpu_count()} cores (CPU), Python {platform.python_version()}",
        "versions": {name: metadata.version(name) for name in ("ray", "torch", "transformers")},
        "workload": f"{args.requests} text requests, tiny random Qwen3-Omni float32, greedy, {args.new_tokens} new "
                    f"tokens, runner=transformers batch_size 8, batch_wait_s {runner.batch_wait_s}",
        "replicas_placement": placement,
        "repeats": args.repeats,
        "seconds_1_worker": round(seconds["1"], 3),
        "seconds_2_workers": round(seconds["2"], 3),
        "rps_1_worker": round(rps[1], 2),
        "rps_2_workers": round(rps[2], 2),
        "speedup": round(rps[2] / rps[1], 2),
        "target": 1.8,
        "outputs_equal": outputs[1] == outputs[2],
    }
    path = args.result or REPO / "bench" / "results" / f"cluster-cpu-{result['date'].replace('-', '')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
