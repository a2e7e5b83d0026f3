"""`evalkit compare RUN_A RUN_B`: did B regress against A? Exit 1 when a task got worse by more than its threshold
with the paired interval excluding zero, 0 when none did, 2 when the runs cannot be compared."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from evalkit.compare import Comparison, IncomparableRuns, TaskComparison, Thresholds, compare_runs
from evalkit.report.tables import interval_text, markdown_table, metric_label, number, signed
from evalkit.run_folder import RunFolderError, load_run

HELP = "Compare two runs on the same samples (paired bootstrap, McNemar, flipped samples); exit 1 on a regression."
_FLIPS_SHOWN = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_a", type=Path, help="baseline run folder")
    parser.add_argument("run_b", type=Path, help="candidate run folder")
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="[TASK=]UNITS",
        help="tolerated worsening in the metric's units: '0.5' for every task, 'mmmu_val=1.0' for one (repeatable;"
        " default 0: any regression whose interval excludes zero fails)",
    )
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")


def main(args: argparse.Namespace) -> int:
    try:
        thresholds = Thresholds.parse(args.threshold)
        comparison = compare_runs(load_run(args.run_a), load_run(args.run_b), thresholds)
    except IncomparableRuns as exc:
        print(f"evalkit compare: the runs cannot be compared:\n{exc}", file=sys.stderr)
        return 2
    except (RunFolderError, ValueError, KeyError) as exc:
        print(f"evalkit compare: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(comparison_json(comparison), indent=2) if args.json else render_comparison(comparison))
    return 1 if comparison.regressed else 0


def comparison_json(comparison: Comparison) -> dict:
    return {
        "run_a": comparison.run_a,
        "run_b": comparison.run_b,
        "regressed": comparison.regressed,
        "tasks": {
            t.task: {**asdict(t), "worsening": t.worsening, "significant": t.significant, "regressed": t.regressed}
            for t in comparison.tasks
        },
    }


def _verdict(task: TaskComparison) -> str:
    if task.regressed:
        return "**REGRESSED**"
    if task.significant:
        return "worse (within threshold)" if task.worsening > 0 else "better"
    return "no significant change"


def render_comparison(comparison: Comparison) -> str:
    confidence = comparison.tasks[0].difference.interval.confidence if comparison.tasks else 0.95
    headers = ["Task", "Metric", "n", "A", "B", "Δ (B−A)", f"{confidence:.0%} CI of Δ", "McNemar p",
               "right→wrong", "wrong→right", "unanswered A/B", "outputs changed", "threshold", "verdict"]  # fmt: skip
    rows = [
        [
            t.task,
            metric_label(t.metric, t.lower_is_better),
            str(t.n),
            number(t.difference.value_a),
            number(t.difference.value_b),
            signed(t.difference.delta),
            interval_text(t.difference.interval),
            "—" if t.mcnemar is None else f"{t.mcnemar.p_value:.4g}",
            "—" if t.mcnemar is None else str(len(t.right_to_wrong)),
            "—" if t.mcnemar is None else str(len(t.wrong_to_right)),
            f"{t.unanswered_a}/{t.unanswered_b}",
            f"{len(t.output_changed)}/{t.n}",
            number(t.threshold),
            _verdict(t),
        ]
        for t in comparison.tasks
    ]
    lines = [f"A: {comparison.run_a}", f"B: {comparison.run_b}", "", markdown_table(headers, rows)]
    for t in comparison.tasks:
        for label, ids in (("right→wrong", t.right_to_wrong), ("wrong→right", t.wrong_to_right)):
            if ids:
                more = f" ... ({len(ids)} in all; --json lists every one)" if len(ids) > _FLIPS_SHOWN else ""
                lines.append(f"{t.task} {label}: {', '.join(ids[:_FLIPS_SHOWN])}{more}")
        lines += [f"{t.task} note: {note}" for note in t.notes]
    lines.append("")
    lines.append("REGRESSION: B is worse than A beyond the threshold." if comparison.regressed else "No regression.")
    return "\n".join(lines)
