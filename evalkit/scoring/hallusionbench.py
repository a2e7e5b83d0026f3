"""HallusionBench: yes/no answers scored per question (aAcc), per figure (fAcc: every question about one figure
right) and per question across its figures (qAcc: every figure's version of one question right).

Follows open-compass/VLMEvalKit @ e8e78f05, vlmeval/dataset/utils/yorn.py: YOrN_Extraction (evalkit.scoring.
vlmeval_matching.yes_or_no) and Hallusion_rating; an answer read as neither yes nor no is wrong (VLMEvalKit's
`exact_matching` policy, no GPT fallback). Figure groups are keyed (subcategory, set_id, figure_id), question
groups (subcategory, set_id, question_id), as Hallusion_rating keys them. The headline is VLMEvalKit's Overall,
the mean of the three (OpenVLM leaderboard); `metric` picks one of them instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer
from evalkit.scoring.registry import register_scorer
from evalkit.scoring.vlmeval_matching import yes_or_no

METRICS = ("mean", "aAcc", "fAcc", "qAcc")


@dataclass(frozen=True)
class HallusionQuestion:
    answer: str  # "Yes" or "No"
    figure_group: str  # subcategory_set_figure
    question_group: str  # subcategory_set_question

    @classmethod
    def of(cls, reference: HallusionQuestion | dict) -> HallusionQuestion:
        return reference if isinstance(reference, HallusionQuestion) else cls(**reference)


def _all_right_percent(scores: Sequence[SampleScore], key: str) -> float:
    groups: dict[str, list[float]] = defaultdict(list)
    for s in scores:
        groups[s.detail[key]].append(s.stats["correct"])
    return 100.0 * sum(all(g) for g in groups.values()) / len(groups) if groups else 0.0


def hallusion_accuracies(scores: Sequence[SampleScore]) -> dict[str, float]:
    """aAcc, fAcc and qAcc in %, and their mean."""
    a_acc = 100.0 * sum(s.stats["correct"] for s in scores) / len(scores) if scores else 0.0
    values = {"aAcc": a_acc, "fAcc": _all_right_percent(scores, "figure_group"),
              "qAcc": _all_right_percent(scores, "question_group")}
    return {"mean": sum(values.values()) / 3, **values}


@register_scorer("hallusionbench")
class HallusionBenchScorer(AccuracyScorer):
    name = "hallusionbench"

    def __init__(self, metric: str = "mean") -> None:
        if metric not in METRICS:
            raise ValueError(f"hallusionbench metric {metric!r}; valid: {', '.join(METRICS)}")
        self.metric_name = metric

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        """A failed sample keeps its groups: fAcc and qAcc count it as a wrong member."""
        question = HallusionQuestion.of(item.reference)
        groups = {"figure_group": question.figure_group, "question_group": question.question_group}
        answer = None if item.prediction is None else yes_or_no(item.prediction)
        return SampleScore(item.sample_id, {"correct": float(answer == question.answer), "total": 1.0}, answer,
                           failed=answer is None, categories=item.categories, detail=groups)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return hallusion_accuracies(scores)[self.metric_name]

