"""`evalkit judge-agreement A B`: agreement between the judges of two runs (or two `evalkit score --judgements`
files) on the samples both judged, per judged task."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from evalkit.judges.agreement import agreement, load_verdicts

HELP = "agreement of two judges on the same samples (Cohen's kappa, or Pearson/Spearman for scores)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, help="run folder, or a judgements file from `evalkit score --judgements`")
    parser.add_argument("b", type=Path, help="the same, judged by the other judge")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def main(args: argparse.Namespace) -> int:
    try:
        verdicts_a, verdicts_b = load_verdicts(args.a), load_verdicts(args.b)
        tasks = sorted(set(verdicts_a) & set(verdicts_b))
        if not tasks:
            raise ValueError(f"{args.a} and {args.b} have no judged task in common")
        results = [agreement(task, verdicts_a[task], verdicts_b[task]) for task in tasks]
    except (OSError, ValueError) as error:
        print(f"evalkit judge-agreement: error: {error}", file=sys.stderr)
        return 2
    for r in results:
        measure = (f"kappa {_number(r.kappa)}" if r.kind == "categorical"
                   else f"pearson {_number(r.pearson)}  spearman {_number(r.spearman)}")
        print(f"{r.task}: {r.n_both} samples judged by both ({r.n_only_a} only by A, {r.n_only_b} only by B); "
              f"exact agreement {100 * r.exact_agreement:.1f}%; {measure}")
    if args.json:
        print(json.dumps({"tasks": [asdict(r) for r in results]}))
    return 0
