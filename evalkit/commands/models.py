"""`evalkit models`: the model configs under configs/model/."""

from __future__ import annotations

import argparse

import yaml

from evalkit.config import CONFIG_DIR

HELP = "list the model configs (family profile, checkpoint or API model, variant, decoding policy, modalities)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def main(args: argparse.Namespace) -> int:
    del args
    rows = []
    for path in sorted((CONFIG_DIR / "model").glob("*.yaml")):
        model = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows.append((path.stem, model.get("profile", ""), model.get("path") or "(built offline)",
                     model.get("variant", ""), model.get("decoding", ""), ",".join(model.get("modalities", []))))
    header = ("model=", "profile", "checkpoint", "variant", "decoding", "modalities")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
    return 0
