"""Scoring tasks as Ray tasks (cluster=ray): each task without a judge is scored (its scorer, breakdowns and
bootstrap interval) by one Ray task, all at once. Judged tasks are scored on the driver, where their judge cache
is; their judge calls go to the judges' actors on the cluster (evalkit.cluster.ray_judges)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalkit.config import ClusterConfig, StatsConfig, TaskConfig
from evalkit.run_folder import SampleRecord, TaskScore

Scored = tuple[TaskScore, list[SampleRecord]]  # a task's score and its records with their score fields


def score_on_cluster(cluster: ClusterConfig, tasks: Mapping[str, tuple[TaskConfig, Sequence[SampleRecord]]],
                     reasoning: bool, stats: StatsConfig) -> dict[str, Scored]:  # fmt: skip
    import ray

    from evalkit.cluster import connect

    connect(cluster)
    remote = ray.remote(_score_task)
    calls = {name: remote.remote(task, list(records), reasoning, stats) for name, (task, records) in tasks.items()}
    return dict(zip(calls, ray.get(list(calls.values())), strict=True))


def _score_task(task: TaskConfig, records: list[SampleRecord], reasoning: bool, stats: StatsConfig) -> Scored:
    from evalkit.scorecard import score_records

    return score_records(task, records, reasoning=reasoning, stats=stats)
