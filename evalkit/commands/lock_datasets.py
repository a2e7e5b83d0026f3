"""`evalkit lock-datasets [--suite S | --task T ...] [--out PATH] [--endpoint URL]`: resolve each selected task's hub
dataset to the commit sha the hub serves for its revision now and write them to the lock file runs read
(evalkit.dataset_lock). Entries of tasks not selected are kept; nothing is written when any dataset fails."""

from __future__ import annotations

import argparse
import sys

HELP = ("pin hub datasets: resolve each task's dataset revision to its commit sha on the hub (HfApi) and write the "
        "lock file runs load them from (default configs/datasets.lock.json)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from evalkit.config import DEFAULT_DATASET_LOCK
    from evalkit.dataset_lock import HF_ENDPOINT

    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--suite", help="the tasks of this suite (default: every registered task but the smoke ones)")
    chosen.add_argument("--task", action="append", default=[], help="this task (repeatable)")
    parser.add_argument("--out", default=DEFAULT_DATASET_LOCK,
                        help=f"the lock file, created or updated (default {DEFAULT_DATASET_LOCK}, relative to the "
                             "repository root)")  # fmt: skip
    parser.add_argument("--endpoint", default=HF_ENDPOINT, help=f"the hub to ask (default {HF_ENDPOINT})")


def main(args: argparse.Namespace) -> int:
    from evalkit.config import ConfigError
    from evalkit.dataset_lock import DatasetLock, hub_resolver, lock_tasks, read_lock, write_lock
    from evalkit.datasets_io import resolve_path
    from evalkit.hydra_config import config_names, suite_tasks
    from evalkit.registry import SMOKE_SUFFIX, all_specs, task_spec

    try:
        if args.suite is not None:
            if args.suite not in config_names("suite"):
                raise ConfigError(f"unknown suite {args.suite!r}; suites: {', '.join(config_names('suite'))}")
            names = suite_tasks(args.suite)
        else:
            names = args.task or [name for name in all_specs() if not name.endswith(SMOKE_SUFFIX)]
        specs = [task_spec(name) for name in names]
        path = resolve_path(args.out)
        entries = read_lock(path).entries if path.exists() else {}
        locked = lock_tasks(specs, hub_resolver(args.endpoint), args.endpoint)
    except ConfigError as exc:
        print(f"evalkit lock-datasets: {exc}", file=sys.stderr)
        return 2
    write_lock(DatasetLock(path, {**entries, **locked}))
    for name, entry in locked.items():
        where = f"{entry.hub_id}@{entry.requested} -> {entry.sha}" if entry.sha else "local files (dataset.local_path)"
        print(f"{name}: {entry.source} {where}")
    print(f"{len(locked)} task(s) locked in {path}")
    return 0
