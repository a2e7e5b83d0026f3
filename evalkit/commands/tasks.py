"""`evalkit tasks`: the tasks and suites in configs/, as Hydra composes them."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from evalkit.config import CONFIG_DIR

HELP = "list the tasks (dataset, scorer, paper row) and suites defined in configs/"


@dataclass(frozen=True)
class TaskRow:
    name: str
    adapter: str
    dataset: str
    scorer: str
    paper: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-dir", type=Path, default=CONFIG_DIR, help="configs folder (default: the repo's)")
    parser.add_argument("--suite", help="list only this suite's tasks")


def config_names(config_dir: Path, group: str) -> list[str]:
    """Config names of a group; names starting with "_" are shared parts, not selectable configs."""
    return sorted(p.stem for p in (config_dir / group).glob("*.yaml") if not p.stem.startswith("_"))


def task_row(task: DictConfig) -> TaskRow:
    dataset = task.dataset
    where = dataset.local_path or dataset.hub_id or "(set dataset.local_path)"
    subsets = list(dataset.subsets or [])
    shown = ",".join(subsets) if len(subsets) <= 3 else f"{len(subsets)} subsets"
    paper = f"{task.paper.benchmark}/{task.paper.subset}" if task.get("paper") else "-"
    return TaskRow(task.name, task.adapter, f"{where} [{shown or '-'}] {dataset.split}", task.scorer.name, paper)


def _table(rows: list[TaskRow]) -> str:
    header = TaskRow("task", "adapter", "dataset [subsets] split", "scorer", "paper")
    cells = [[r.name, r.adapter, r.dataset, r.scorer, r.paper] for r in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def main(args: argparse.Namespace) -> int:
    config_dir = Path(args.config_dir).resolve()
    suites = config_names(config_dir, "suite")
    if args.suite is not None and args.suite not in suites:
        print(f"unknown suite {args.suite!r}; suites: {', '.join(suites)}")
        return 2
    with initialize_config_dir(str(config_dir), version_base=None):
        suite_tasks = {s: list(compose(f"suite/{s}").tasks) for s in suites}
        names = suite_tasks[args.suite] if args.suite else config_names(config_dir, "task")
        rows = [task_row(compose(f"task/{name}").task) for name in names]
    print(_table(rows))
    print()
    for suite in [args.suite] if args.suite else suites:
        print(f"suite {suite}: {', '.join(suite_tasks[suite])}")
    return 0
