"""`evalkit run [overrides...]`: evaluate a model on a suite and write the run folder."""

from __future__ import annotations

import argparse
import sys

HELP = "evaluate a model on a suite of tasks (Hydra overrides, e.g. model=tiny_random suite=smoke runner=vllm)"

EPILOG = """examples:
  evalkit run                                    # the smoke suite on the tiny random model (no downloads)
  evalkit run model=qwen3_omni_30b_a3b_instruct suite=paper_audio runner=vllm
  evalkit run suite=paper_vision tasks.videomme.media.max_frames=512 output_dir=results/runs/vmme
  evalkit run ... resume=false                   # start the output_dir over instead of resuming it
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("overrides", nargs="*", help="Hydra overrides: group=option or key.path=value")


def main(args: argparse.Namespace) -> int:
    from evalkit.config import ConfigError
    from evalkit.generation import RunAborted
    from evalkit.hydra_config import load_run_config
    from evalkit.pipeline import run_evaluation

    try:
        config = load_run_config(list(args.overrides))
        summary = run_evaluation(config)
    except (ConfigError, FileNotFoundError) as exc:  # FileNotFoundError: a checkpoint without what the run needs
        print(f"evalkit run: configuration error: {exc}", file=sys.stderr)
        return 2
    except RunAborted as exc:
        print(f"evalkit run: aborted: {exc}", file=sys.stderr)
        return 3
    report = (summary.output_dir / "report.md").read_text(encoding="utf-8")
    print(report)
    print(
        f"{summary.n_samples} samples: {summary.n_generated} generated, {summary.n_cache_hits} from the response "
        f"cache, {summary.n_resumed} answered before (resumed), {summary.n_failed} failed; "
        f"run folder: {summary.output_dir}"
    )
    return 0
