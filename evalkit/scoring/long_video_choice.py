"""Answer reading of the two long-video multiple-choice benchmarks, each as its official script does it.

- MLVU (JUNJIE99/MLVU @ fd060c1, evaluation/multiple_choice_evaluation/choice_bench.py check_ans): the character
  before the first ")" of the answer, or the whole answer when it has no ")"; it must equal the gold letter. The
  headline M-Avg is the mean of the per-task accuracies (the `task_type` category), not the pooled accuracy.
- LVBench (THUDM/LVBench @ f998d95, lvbench/utils/answer_util.py polish_answer, metrics/compute_accuracy.py): the
  text before the first ")", after any "(", its first word's first character; equal to the gold letter. Overall
  accuracy pools every question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from evalkit.scoring.base import SampleScore
from evalkit.scoring.choice import LetterMatchScorer, accuracy_percent
from evalkit.scoring.registry import register_scorer

MLVU_TASK_KEY = "task_type"


def mlvu_letter(answer: str) -> str:
    if ")" in answer:
        close = answer.index(")")
        return answer[close - 1:close]  # "" when the answer starts with ")", as the official slice gives
    return answer


def lvbench_letter(answer: str) -> str:
    answer = answer.strip().split(")")[0].strip()
    if "(" in answer:
        answer = answer.split("(")[1].strip()
    answer = answer.split(" ")[0]
    return answer[0] if answer else answer


@register_scorer("mlvu")
class MLVUScorer(LetterMatchScorer):
    name = "mlvu"
    official_denominator = "every item; M-Avg averages the per-task accuracies"

    def extract(self, answer: str) -> str | None:
        return mlvu_letter(answer)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """M-Avg: the mean over tasks of each task's accuracy (a sample without a task counts as its own task)."""
        by_task: dict[str, list[SampleScore]] = defaultdict(list)
        for s in scores:
            by_task[s.categories.get(MLVU_TASK_KEY, "")].append(s)
        return sum(accuracy_percent(group) for group in by_task.values()) / len(by_task) if by_task else 0.0


@register_scorer("lvbench")
class LVBenchScorer(LetterMatchScorer):
    name = "lvbench"

    def extract(self, answer: str) -> str | None:
        return lvbench_letter(answer)
