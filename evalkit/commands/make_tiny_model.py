"""`evalkit make-tiny-model DIR`: write the tiny random-weight Qwen3-Omni checkpoint used by tests and smoke runs."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

HELP = "build a tiny random-weight Qwen3-Omni checkpoint (offline, ~9 MB) for tests and smoke runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="folder to write the checkpoint into (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="weight seed; the same seed gives identical weights")


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is built locally; never reach for a hub
    from evalkit.tiny_model import build_tiny_model

    started = time.perf_counter()
    path = build_tiny_model(args.out_dir, seed=args.seed)
    print(f"wrote tiny Qwen3-Omni (seed {args.seed}) to {path} in {time.perf_counter() - started:.1f} s")
    return 0
