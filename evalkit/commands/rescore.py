"""`evalkit rescore RUN_DIR [key=value ...]`: re-score a finished run with the current scorers, never calling
the model. Overrides change the run's recorded config first (e.g. a scorer option); the run folder's
samples.jsonl, scores.json and report are rewritten and the manifest records the change."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "re-score a run folder's answers with the current scorers (no model calls)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, help="a folder written by `evalkit run`")
    parser.add_argument(
        "overrides", nargs="*",
        help="config changes in dot notation, e.g. tasks.fleurs_en.scorer.options.normalizer=none",
    )


def main(args: argparse.Namespace) -> int:
    from evalkit.config import ConfigError
    from evalkit.rescoring import rescore_run

    try:
        scores = rescore_run(args.run_dir, list(args.overrides))
    except (ConfigError, FileNotFoundError, ValueError) as exc:
        print(f"evalkit rescore: {exc}", file=sys.stderr)
        return 2
    for name, score in scores.items():
        value = "NOT SCORED (no judge configured)" if score.value is None else f"{score.value:.2f}"
        print(f"{name}: {score.metric} {value} (n={score.n}, failed={score.n_failed})")
    print((args.run_dir / "report.md").read_text(encoding="utf-8"))
    return 0
