"""`evalkit tasks`: the registered tasks (evalkit.registry) and the suites of configs/suite/."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from evalkit.config import DEFAULT_DATASET_LOCK, ConfigError
from evalkit.dataset_lock import DatasetLock, DatasetLockError, pin, run_lock
from evalkit.hydra_config import config_names, suite_tasks
from evalkit.registry import SMOKE_SUFFIX, TaskAggregate, TaskSpec, all_aggregates, all_specs
from evalkit.scoring.registry import build_scorer

HELP = ("list the registered tasks (dataset, metric, published numbers they reproduce), the aggregates the report "
        "computes from them, and the suites")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", help="list only this suite's tasks")
    parser.add_argument("--json", action="store_true", help="one JSON object per task, one per line")
    parser.add_argument("--lock", default=DEFAULT_DATASET_LOCK,
                        help="the dataset lock file a run would read (its datasets.lock; default %(default)s)")


def pin_record(spec: TaskSpec, lock: DatasetLock | None) -> dict[str, Any]:
    """The task's dataset pin as a run of its defaults would record it (evalkit.dataset_lock): state local, code,
    lock or unpinned with the revision loaded; "stale" with the error where the lock no longer fits the task."""
    try:
        found = pin(spec.task_config(), spec.dataset.revision, lock)
    except DatasetLockError as error:
        return {"state": "stale", "revision": None, "error": str(error)}
    return {"state": found.state, "revision": found.revision}


def task_record(spec: TaskSpec, lock: DatasetLock | None) -> dict[str, Any]:
    """What `--json` prints for a task."""
    dataset = spec.dataset
    return {
        "name": spec.name,
        "title": spec.title,
        "modalities": list(spec.modalities),
        "dataset": {"id": dataset.hub_id or None, "revision": dataset.revision, "pin": pin_record(spec, lock),
                    "subsets": list(dataset.subsets), "split": dataset.split, "local_path": dataset.local_path},
        "metric": build_scorer(spec.scorer.name, **spec.scorer.options).metric,
        "scorer": {"name": spec.scorer.name, "options": dict(spec.scorer.options)},
        "reported": [asdict(key) for key in spec.reported],
        "runnable": spec.runnable,
        "official_format": spec.official_format is not None,
        "smoke_variant": f"{spec.name}_smoke" if spec.smoke else None,
    }  # fmt: skip


def _row(record: dict[str, Any]) -> list[str]:
    dataset = record["dataset"]
    subsets = dataset["subsets"]
    shown = ",".join(subsets) if len(subsets) <= 3 else f"{len(subsets)} subsets"
    where = dataset["local_path"] or dataset["id"] or "(set dataset.local_path)"
    uses = "+".join(use for use, on in (("run", record["runnable"]), ("score", record["official_format"])) if on)
    reported = sorted({f"{key['benchmark']}/{key['subset']}".rstrip("/") for key in record["reported"]})
    return [record["name"], ",".join(record["modalities"]), f"{where} [{shown or '-'}] {dataset['split']}",
            _pin_cell(dataset["pin"]), record["metric"], uses, ", ".join(reported) or "-"]  # fmt: skip


def _pin_cell(found: dict[str, Any]) -> str:
    return f"{found['state']} {found['revision'][:12]}" if found["revision"] else found["state"]


def _aggregate_line(aggregate: TaskAggregate) -> str:
    parts = ", ".join(m.task + (f" x{m.scale:g}" if m.scale != 1 else "") for m in aggregate.members)
    reported = sorted({f"{key.benchmark}/{key.subset}".rstrip("/") for key in aggregate.reported})
    return f"aggregate {aggregate.name} ({', '.join(reported) or '-'}), computed in the report: mean of {parts}"


def _table(rows: list[list[str]]) -> str:
    cells = [["task", "input", "dataset [subsets] split", "pin", "metric", "use", "paper"], *rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def main(args: argparse.Namespace) -> int:
    suites = config_names("suite")
    if args.suite is not None and args.suite not in suites:
        print(f"unknown suite {args.suite!r}; suites: {', '.join(suites)}")
        return 2
    specs = all_specs()
    try:
        members = {suite: suite_tasks(suite) for suite in suites}
    except ConfigError as error:
        print(f"evalkit tasks: {error}")
        return 2
    try:
        lock = run_lock(args.lock)
    except ConfigError as error:
        print(f"evalkit tasks: {error}")
        return 2
    names = members[args.suite] if args.suite else list(specs)
    records = [task_record(specs[name], lock) for name in names]
    if args.json:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
        return 0
    print(_table([_row(record) for record in records]))
    print()
    for aggregate in all_aggregates().values():
        if not aggregate.name.endswith(SMOKE_SUFFIX) and any(m.task in names for m in aggregate.members):
            print(_aggregate_line(aggregate))
    for suite in [args.suite] if args.suite else suites:
        print(f"suite {suite}: {', '.join(members[suite])}")
    return 0
