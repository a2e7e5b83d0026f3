"""`evalkit score`: score a predictions file in a benchmark's official format, as the official script would.

The flow: pick the reader for the task (one branch per family of prediction formats), score, aggregate with
categories, print a table and, with --json, one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evalkit.scoring.base import Aggregate, Scorer, ScoreInput, aggregate_with_categories
from evalkit.scoring.choice_files import CHOICE_FORMATS, load_choice_predictions
from evalkit.scoring.speech_files import load_speech_predictions

HELP = "score a predictions file in a benchmark's official format; print overall and per-category results"

SPEECH_TASKS = ("librispeech_test_clean", "librispeech_test_other", "fleurs_<lang>", "fleurs_s2tt")
EXIT_USAGE = 2


class ScoreUsageError(Exception):
    """A request that cannot be scored as asked (unknown task, option that does not apply)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help=f"one of: {', '.join(valid_tasks())}")
    parser.add_argument("--predictions", required=True, type=Path, help="predictions file (or folder) to score; also an evalkit run folder or its samples.jsonl")
    parser.add_argument("--references", type=Path, help="references file, for formats that keep answers apart")
    parser.add_argument("--normalizer", choices=("qwen", "none"),
                        help="speech tasks: text normalizer before WER/CER (default: qwen)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def valid_tasks() -> list[str]:
    return sorted(CHOICE_FORMATS) + list(SPEECH_TASKS)


def is_speech_task(task: str) -> bool:
    return task in SPEECH_TASKS or task.startswith("fleurs_")


def load_predictions(
    task: str, predictions: Path, references: Path | None, normalizer: str | None
) -> tuple[Scorer, list[ScoreInput]]:
    """The scorer and items for one task's prediction file; one branch per family of formats."""
    if predictions.name == "samples.jsonl" or (predictions / "samples.jsonl").is_file():
        from evalkit.rescoring import load_run_predictions

        if references is not None or normalizer is not None:
            raise ScoreUsageError(
                "an evalkit run is scored with its own config: drop --references/--normalizer, or change the "
                "scorer with `evalkit rescore RUN_DIR tasks.<task>.scorer.options.<option>=<value>`"
            )
        return load_run_predictions(task, predictions)
    if task in CHOICE_FORMATS:
        if normalizer is not None:
            raise ScoreUsageError(f"--normalizer applies to speech tasks only, not {task!r}")
        return load_choice_predictions(task, predictions, references)
    if is_speech_task(task):
        if references is not None:
            raise ScoreUsageError(f"--references is not used by {task!r}: speech files carry their references")
        return load_speech_predictions(task, predictions, normalizer or "qwen")
    raise ScoreUsageError(f"unknown task {task!r}; valid tasks: {', '.join(valid_tasks())}")


def result_record(task: str, result: Aggregate) -> dict[str, Any]:
    record: dict[str, Any] = {
        "task": task,
        "metric": result.metric,
        "value": result.value,
        "n": result.n,
        "n_failed": result.n_failed,
        "n_fallback": result.n_fallback,
        "by_category": result.by_category,
    }
    if result.secondary:  # a second official reading (Video-MME's other denominator)
        record["secondary"] = result.secondary
    return record


def format_table(record: dict[str, Any]) -> str:
    width = max([len("overall")] + [len(name) for name in record["by_category"]]) + 2
    lines = [
        f"{record['task']}  ({record['metric']}; n={record['n']}, failed={record['n_failed']}, "
        f"fallback={record['n_fallback']})",
        f"{'overall':<{width}}{record['value']:8.2f}",
    ]
    lines += [f"  {name:<{width - 2}}{value:8.2f}" for name, value in record["by_category"].items()]
    lines += [f"{name:<{width}}{value:8.2f}" for name, value in record.get("secondary", {}).items()]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    try:
        scorer, items = load_predictions(args.task, args.predictions, args.references, args.normalizer)
    except ScoreUsageError as error:
        print(f"evalkit score: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as error:  # includes choice_files.PredictionFormatError
        print(f"evalkit score: error: cannot score {args.predictions} as {args.task}: {error}", file=sys.stderr)
        return EXIT_USAGE
    scores = scorer.score(items)
    record = result_record(args.task, aggregate_with_categories(scorer, scores))
    print(format_table(record))
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    return 0
