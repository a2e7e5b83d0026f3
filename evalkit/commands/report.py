"""`evalkit report RUN_DIR`: the run's scores beside the paper's, with intervals, as md, csv, tex or html."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.report import RENDERERS, render
from evalkit.run_folder import RunFolderError, atomic_write_text

HELP = "Write a run's scores beside the published ones (Markdown, CSV, LaTeX or a self-contained HTML page)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, help="a run folder (manifest.json, scores.json, samples.jsonl)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="md", help="output format (default md)")
    parser.add_argument("--output", type=Path, help="file to write; '-' prints; default RUN_DIR/report.<format>")


def main(args: argparse.Namespace) -> int:
    try:
        text = render(args.run_dir, args.format)
    except (RunFolderError, FileNotFoundError, ValueError, KeyError) as exc:
        print(f"evalkit report: {exc}", file=sys.stderr)
        return 2
    if args.output is not None and str(args.output) == "-":
        sys.stdout.write(text)
        return 0
    path = args.output or args.run_dir / RENDERERS[args.format][0]
    atomic_write_text(path, text)
    print(path)
    return 0
