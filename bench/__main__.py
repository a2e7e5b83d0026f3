"""Run evalkit's benchmarks and write results/bench/<name>.json and results/bench/README_table.md.

python -m bench                          # all, CPU, tiny model
python -m bench --only media scoring     # a subset
python -m bench --device cuda --model large --e2e-samples 256   # the GPU run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

from bench.table import markdown_table

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = ("media", "e2e", "overhead", "scoring")
DEFAULT_OUT = REPO / "results" / "bench"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--device", default="cpu", help="engine device for the e2e benchmark (cpu, cuda, cuda:N)")
    parser.add_argument("--model", choices=("tiny", "large"), default="tiny", help="random Qwen3-Omni size for e2e")
    parser.add_argument("--e2e-samples", type=int, default=32, help="e2e runs this many samples, then twice as many")
    parser.add_argument("--e2e-repeats", type=int, default=3, help="interleaved repeats per e2e size (medians)")
    parser.add_argument("--scoring-items", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per media contender")
    parser.add_argument("--work-dir", type=Path, default=REPO / ".cache" / "bench", help="generated inputs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    results = []
    if "media" in args.only:
        from bench import media

        results += media.run(args.work_dir, args.repeats)
    if "e2e" in args.only:
        from bench import e2e

        results.append(e2e.run(args.work_dir, args.e2e_samples, args.device, args.model, args.e2e_repeats))
    if "overhead" in args.only:
        from bench import overhead

        results.append(overhead.run(args.work_dir, args.e2e_repeats))
    if "scoring" in args.only:
        from bench import scoring

        results += scoring.run(args.scoring_items)

    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    if "e2e" in args.only and args.device.startswith("cuda"):
        import torch

        machine += f", {torch.cuda.get_device_name()}"
    for result in results:
        result["machine"] = machine
        (args.out / f"{result['benchmark']}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result), flush=True)
    table = markdown_table(results, machine)
    (args.out / "README_table.md").write_text(table)
    if args.out == DEFAULT_OUT and set(args.only) == set(BENCHMARKS):
        _update_readme(table)
    print(table)
    return 0


def _update_readme(table: str) -> None:
    """Put a full default run's table between the README's bench markers."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n" + table.strip() + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
