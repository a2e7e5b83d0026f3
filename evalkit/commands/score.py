"""`evalkit score`: score a predictions file in a benchmark's official format, as the official script would.

The flow: read the file with the reader the task's spec names (or an evalkit run's samples.jsonl), score,
aggregate with categories, print a table and, with --json, one JSON object as the last line. By default the items
the official script leaves out (no model output, no extractable answer) are left out, as it does; --strict counts
every item, each of those wrong. Both numbers are printed either way; `value` and the categories follow the mode.
With --judge, a judged benchmark's responses are judged again (evalkit.judges); without a judge it is not scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from evalkit.config import ConfigError
from evalkit.judges.panel import JudgedScorer, JudgedScores, JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.official_files import read_official
from evalkit.scoring.arena_hard import read_arena_hard_answers
from evalkit.scoring.base import (
    Aggregate,
    AnyScorer,
    PredictionFiles,
    ScoreInput,
    Scorer,
    aggregate_with_categories,
)
from evalkit.scoring.mathvista_extraction import read_mathvista_responses
from evalkit.scoring.writingbench import read_writingbench_responses

HELP = "score a predictions file in a benchmark's official format; print overall and per-category results"

# tasks whose official files can be judged again from the model's responses (--judge)
JudgedReader = Callable[[Path, Path | None], tuple[JudgedScorer, list[ScoreInput]]]  # (predictions, references)
JUDGED_READERS: dict[str, JudgedReader] = {
    "mathvista_testmini": read_mathvista_responses,
    "writingbench": read_writingbench_responses,
    "arena_hard_v2": partial(read_arena_hard_answers, category="hard_prompt"),
    "arena_hard_v2_creative_writing": partial(read_arena_hard_answers, category="creative_writing"),
}
EXIT_USAGE = 2


class ScoreUsageError(Exception):
    """A request that cannot be scored as asked (unknown task, option that does not apply)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help="a task with an official prediction format (`evalkit tasks`)")
    parser.add_argument("--predictions", required=True, type=Path,
                        help="predictions file (or folder) to score; also an evalkit run folder or its samples.jsonl")
    parser.add_argument("--references", type=Path, help="references file, for formats that keep answers apart")
    parser.add_argument("--normalizer", choices=("qwen", "none"),
                        help="speech tasks: text normalizer before WER/CER (default: qwen)")
    parser.add_argument("--strict", action="store_true",
                        help="count every item, those without a model output (or an answer the official script "
                             "excludes) as wrong; default: the official script's denominator")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--judge", nargs="+", metavar="KEY=VALUE",
                        help=f"judge the responses again ({', '.join(JUDGED_READERS)}): the judge config, e.g. "
                             "use=official base_url=http://127.0.0.1:8000/v1 (see README, Judges)")
    parser.add_argument("--judge-cache", type=Path, default=Path(".cache/evalkit"),
                        help="folder of the judge call cache (default: .cache/evalkit, as runs use)")
    parser.add_argument("--judgements", type=Path, help="write each item's verdict as JSON lines (for judge-agreement)")


def load_predictions(task: str, files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """The scorer and items for one task's predictions: an evalkit run's samples.jsonl, or the official format."""
    predictions = files.predictions
    if predictions.name == "samples.jsonl" or (predictions / "samples.jsonl").is_file():
        from evalkit.rescoring import load_run_predictions

        if files.references is not None or files.normalizer is not None:
            raise ScoreUsageError(
                "an evalkit run is scored with its own config: drop --references/--normalizer, or change the "
                "scorer with `evalkit rescore RUN_DIR tasks.<task>.scorer.options.<option>=<value>`"
            )
        return load_run_predictions(task, predictions)
    try:
        return read_official(task, files)
    except ConfigError as error:  # unknown task, an option the format does not take
        raise ScoreUsageError(str(error)) from error


def result_record(task: str, result: Aggregate, official_denominator: str, strict: bool,
                  judged: JudgedScores | None = None) -> dict[str, Any]:
    scored = judged is None or judged.scored
    record = {
        "task": task,
        "metric": result.metric,
        "mode": "strict" if strict else "official",
        "value": result.value if scored else None,
        "strict_value": result.strict_value if scored else None,
        "n": result.n,
        "n_failed": result.n_failed,
        "n_excluded": result.n_excluded,
        "denominator": result.denominator,
        "official_denominator": official_denominator,
        "n_fallback": result.n_fallback,
        "by_category": result.by_category if scored else {},
    }
    if judged is not None:
        record["judge"] = judged.report
    return record


def format_table(record: dict[str, Any]) -> str:
    width = max([len("overall"), len("strict")] + [len(name) for name in record["by_category"]]) + 2
    lines = [
        f"{record['task']}  ({record['metric']}, {record['mode']}; n={record['n']}, failed={record['n_failed']}, "
        f"excluded={record['n_excluded']}, denominator={record['denominator']}, fallback={record['n_fallback']})",
    ]
    judge = record.get("judge")
    if record["value"] is None:
        lines.append(f"{'overall':<{width}}NOT SCORED (no judge configured)")
    else:
        lines.append(f"{'overall':<{width}}{record['value']:8.2f}")
        lines += [f"  {name:<{width - 2}}{value:8.2f}" for name, value in record["by_category"].items()]
        lines.append(f"{'strict':<{width}}{record['strict_value']:8.2f}  (every item; unanswered ones counted wrong)")
    if judge and judge["status"] != "not scored":
        kind = "a SUBSTITUTE judge" if judge["substitute"] else "the official judge"
        lines.append(f"judged by {kind}: {judge['spec']['model']} ({judge['calls_made']} calls, "
                     f"{judge['cache_hits']} from the cache, {judge['failed']} without a verdict)")
    for name, value in (judge or {}).get("rules_only", {}).items():
        lines.append(f"{name}: {value:.2f}  (the benchmark's rules alone, without the judge)")
    return "\n".join(lines)


def judge_config(overrides: list[str]) -> JudgeConfig:
    try:
        node = OmegaConf.merge(OmegaConf.structured(JudgeConfig), OmegaConf.from_dotlist(overrides))
        config = OmegaConf.to_object(node)
        assert isinstance(config, JudgeConfig)  # a structured config's object is its dataclass
        config.check()
    except Exception as exc:  # noqa: BLE001 - OmegaConf's errors name the key
        raise ScoreUsageError(f"--judge {' '.join(overrides)}: {exc}") from exc
    return config


def judged_scores(args: argparse.Namespace) -> tuple[JudgedScorer, JudgedScores]:
    """Re-extract from the responses with the configured judge, its calls cached under --judge-cache."""
    if args.task not in JUDGED_READERS:
        raise ScoreUsageError(f"--judge applies to {', '.join(JUDGED_READERS)}, not {args.task!r}")
    config = judge_config(args.judge)
    scorer, items = JUDGED_READERS[args.task](args.predictions, args.references)
    panel = JudgePanel(config, args.judge_cache)
    try:
        return scorer, panel.score(scorer, items)
    finally:
        panel.close()


def write_judgements(path: Path, task: str, judged: JudgedScores) -> None:
    with path.open("w", encoding="utf-8") as out:
        for score in judged.scores:
            # one line per judge request: a sample's own id, or each request's id where it asked several
            requests = {score.sample_id: score.detail["judge"]} if "judge" in score.detail else \
                score.detail.get("judges", {})
            for request, judgement in requests.items():
                out.write(json.dumps({"task": task, "sample_id": request, **judgement}, ensure_ascii=False) + "\n")


def main(args: argparse.Namespace) -> int:
    judged: JudgedScores | None = None
    scorer: AnyScorer
    try:
        if args.judge is not None:
            scorer, judged = judged_scores(args)
            scores = judged.scores
        else:
            files = PredictionFiles(args.predictions, args.references, args.normalizer, args.strict)
            scorer, items = load_predictions(args.task, files)
            scores = scorer.score(items)
    except (ScoreUsageError, ConfigError) as error:  # ConfigError: a judge that cannot answer
        print(f"evalkit score: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as error:  # includes official_files.PredictionFormatError
        print(f"evalkit score: error: cannot score {args.predictions} as {args.task}: {error}", file=sys.stderr)
        return EXIT_USAGE
    if judged is not None and args.judgements is not None:
        write_judgements(args.judgements, args.task, judged)
    if args.strict:  # nothing is outside the denominator: value and categories count every item
        scores = [replace(s, excluded=False) for s in scores]
    record = result_record(args.task, aggregate_with_categories(scorer, scores), scorer.official_denominator,
                           args.strict, judged)
    print(format_table(record))
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    return 0
