"""A plain mean over groups (languages, language pairs) of a corpus metric computed within each group: the Fleurs
19-language ASR average and the S2TT en2xx / xx2en / zh2xx / xx2zh averages of the Qwen3-Omni paper.

Each group is scored by its own inner scorer (an ASR scorer in the group's language and unit; BLEU with the
target language's tokenizer), its corpus value taken from the group's summed statistics, and the groups averaged
with equal weight, so a language with more utterances weighs no more than any other. Per-sample stats are keyed
"<stat>@<group>" (plus "samples@<group>"), so summed stats still determine the value exactly: bootstrap replicates
and subsets recompute it from sums (evalkit.stats' fast path), and a subset lacking a group averages the others.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from evalkit.scoring.base import SampleScore, ScoreInput, Scorer
from evalkit.scoring.registry import build_unjudged_scorer, register_scorer

SEPARATOR = "@"
PRESENT = "samples"  # per-group sample count: a group is averaged only where it has samples


@dataclass(frozen=True)
class MacroAverage:
    """`scorers[group]` scores the items whose categories[group_key] is that group; `aggregate` is the mean of the
    groups' values. Groups must be the same set of names the task's samples carry: an unknown one is an error."""

    group_key: str
    scorers: Mapping[str, Scorer]
    name: str = "macro"
    official_denominator: ClassVar[str] = "every sample of every group; the groups weighted equally"

    def __post_init__(self) -> None:
        if not self.scorers:
            raise ValueError("a macro average needs at least one group")
        directions = {s.lower_is_better for s in self.scorers.values()}
        if len(directions) > 1:
            raise ValueError("a macro average cannot mix metrics where lower is better with ones where higher is")
        bad = [g for g in self.scorers if SEPARATOR in g]
        if bad:
            raise ValueError(f"group names may not contain {SEPARATOR!r}: {bad}")

    @property
    def metric(self) -> str:
        return "mean " + "/".join(sorted({s.metric for s in self.scorers.values()}))

    @property
    def lower_is_better(self) -> bool:
        return next(iter(self.scorers.values())).lower_is_better

    def _group(self, sample_id: str, categories: Mapping[str, str]) -> str:
        group = categories.get(self.group_key)
        if group is None or group not in self.scorers:
            raise ValueError(f"sample {sample_id}: {self.group_key}={group!r} is not one of the averaged groups "
                             f"{sorted(self.scorers)}")
        return group

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        by_group: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            by_group.setdefault(self._group(item.sample_id, item.categories), []).append(i)
        scored: list[SampleScore | None] = [None] * len(items)
        for group, indexes in by_group.items():  # each inner scorer sees its items in dataset order
            for i, one in zip(indexes, self.scorers[group].score([items[i] for i in indexes]), strict=True):
                stats = {f"{key}{SEPARATOR}{group}": value for key, value in one.stats.items()}
                scored[i] = replace(one, stats={**stats, f"{PRESENT}{SEPARATOR}{group}": 1})
        return [s for s in scored if s is not None]

    def group_values(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        """Each group's corpus value, from its summed stats; groups without samples are left out."""
        sums: dict[str, dict[str, float]] = {}
        for s in scores:
            for key, value in s.stats.items():
                stat, _, group = key.rpartition(SEPARATOR)
                bucket = sums.setdefault(group, {})
                bucket[stat] = bucket.get(stat, 0.0) + value
        return {
            group: self.scorers[group].aggregate([SampleScore(sample_id=f"<{group}>", stats=stats)])
            for group, stats in sorted(sums.items())
            if stats.get(PRESENT, 0.0) > 0
        }

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """Mean of the groups' values; NaN when no group has samples."""
        values = list(self.group_values(scores).values())
        return sum(values) / len(values) if values else math.nan


@register_scorer("macro")
def build_macro_scorer(
    group_key: str, scorer: str, groups: Mapping[str, Mapping[str, Any]], options: Mapping[str, Any] | None = None
) -> MacroAverage:
    """`scorer` names the inner scorer; `options` are its options for every group, `groups[g]` adds group g's own
    (an ASR group's language and unit). The groups listed are exactly the ones averaged."""
    shared = dict(options or {})
    return MacroAverage(
        group_key=group_key,
        scorers={group: build_unjudged_scorer(scorer, **{**shared, **dict(own)}) for group, own in groups.items()},
    )
