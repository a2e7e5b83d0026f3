"""`evalkit make-model-config --checkpoint NAME --processor-from DIR OUT`: a config-only Qwen3-Omni folder at the
real sizes of a published checkpoint, for full-scale dry runs with `model.weights=random`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from evalkit.full_size import CHECKPOINTS

HELP = ("write a config-only Qwen3-Omni-30B-A3B folder (no weights) with a local folder's tokenizer and processor, "
        "for full-size dry runs with model.weights=random")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", type=Path, help="folder to write (created if missing)")
    parser.add_argument("--checkpoint", choices=sorted(CHECKPOINTS), default="instruct",
                        help="whose sizes and generation_config.json to write")
    parser.add_argument("--processor-from", type=Path, required=True,
                        help="a local folder whose tokenizer, processor and chat template to copy (e.g. the tiny "
                             "model's, from `evalkit make-tiny-model`)")


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never reach for a hub
    from evalkit.full_size import write_model_config

    try:
        path = write_model_config(args.checkpoint, args.processor_from, args.out_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(f"evalkit make-model-config: {exc}", file=sys.stderr)
        return 2
    print(f"wrote the {args.checkpoint} config (no weights) to {path}; run it with model.path={path} "
          "model.weights=random")
    return 0
