"""What every answer-extraction scorer shares: the multiple-choice question as a reference, and accuracy in %.

Benchmark parsers live beside this module (mmmu.py, mmmu_pro.py, videomme.py, mathvista.py, mmau.py);
each follows one official script and says which in its docstring.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput


@dataclass(frozen=True)
class ChoiceQuestion:
    """A reference for a question with lettered options. `answer` is a letter for letter-scored benchmarks
    (MMMU, MMMU-Pro), the option text for text-scored ones (MMAU), or, for MMMU open questions, the accepted
    answer string(s). `options` maps letter -> option text in the order shown to the model."""

    answer: str | tuple[str, ...]
    options: Mapping[str, str] = field(default_factory=dict)
    question_type: str = "multiple-choice"

    @classmethod
    def of(cls, reference: ChoiceQuestion | Mapping[str, Any]) -> ChoiceQuestion:
        """The question itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, ChoiceQuestion):
            return reference
        answer = reference["answer"]
        return cls(
            answer=tuple(answer) if isinstance(answer, list) else answer,
            options=dict(reference.get("options", {})),
            question_type=reference.get("question_type", "multiple-choice"),
        )


def accuracy_percent(scores: Sequence[SampleScore]) -> float:
    """Sum of `correct` over sum of `total`, in %. An empty denominator gives 0.0, as the official scripts print."""
    total = sum(s.stats["total"] for s in scores)
    correct = sum(s.stats["correct"] for s in scores)
    return 100.0 * correct / total if total else 0.0


def failed_score(item: ScoreInput) -> SampleScore:
    """A sample without a prediction: wrong, and counted in the denominator."""
    return SampleScore(
        sample_id=item.sample_id,
        stats={"correct": 0.0, "total": 1.0},
        failed=True,
        categories=item.categories,
    )


class AccuracyScorer:
    """Base for scorers whose per-sample stats are `correct` and `total` (0 or 1 each)."""

    name = "accuracy"
    metric = "accuracy"
    lower_is_better = False
    official_denominator = "every item (an unanswered one is wrong)"

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return accuracy_percent(scores)


def graded(item: ScoreInput, correct: bool, extracted: str | None = None, fallback: bool = False) -> SampleScore:
    """A right/wrong outcome for one answered sample."""
    return SampleScore(
        sample_id=item.sample_id,
        stats={"correct": float(correct), "total": 1.0},
        extracted=extracted,
        fallback=fallback,
        categories=item.categories,
    )


class ItemAccuracyScorer(AccuracyScorer):
    """Scores answered items one by one, in order, with one random generator per `score` call (official parsers
    that draw a random fallback draw them in item order); an unanswered item is failed and wrong."""

    seed: int | None = None

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        rng = random.Random(self.seed)
        return [failed_score(item) if item.prediction is None else self.grade(item, item.prediction, rng)
                for item in items]

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        """One answered item; `answer` is its prediction."""
        raise NotImplementedError


class LetterMatchScorer(ItemAccuracyScorer):
    """Exact match of an extracted option letter against the reference letter; extraction draws nothing."""

    def extract(self, answer: str) -> str | None:
        """The benchmark's official letter extraction; None (or "") when it finds none."""
        raise NotImplementedError

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        letter = self.extract(answer) or None
        return graded(item, letter == item.reference, letter)
