"""Timing helpers shared by the benchmarks: interleaved repeats and medians, so two contenders measured in one
run see the same machine load."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved_medians(contenders: dict[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median wall seconds per contender; each round runs every contender once, in turn."""
    for _ in range(warmup):
        for run in contenders.values():
            run()
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}
