"""The common shape of benchmarks scored wholly by a judge (Arena-Hard, WritingBench, Creative Writing): each answered
sample asks its judge requests, its verdicts earn a share of what it could earn (`correct` of `total`, additive,
so the task's value, its categories and its bootstrap are sums), and the value is that share in %, scaled to the
benchmark's published units by the subclass's stats.

A sample without an answer (or one the official script does not judge), or with any request left without a
verdict, is failed and excluded: these official
scripts either skip it (Arena-Hard drops a null game, Creative Writing a piece without scores) or retry until the
judge answers (WritingBench), so their denominator is the judged samples; strict counts it as earning nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from evalkit.judges.engine import Judgement
from evalkit.judges.panel import JudgeRequest, judgement_failure, judgements_detail
from evalkit.judges.verdicts import Verdict
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer


class JudgedShareScorer(AccuracyScorer):
    """Subclasses say what an answer asks (`requests`), what its verdicts earn (`earned`) and what it could earn
    (`total`); `official_judges` names the judges the requests use."""

    official_denominator = ("answered samples with every judge request answered (failed ones are left out, as the "
                            "official script skips or retries them; strict counts them as earning nothing)")

    def requests(self, item: ScoreInput, answer: str) -> tuple[JudgeRequest, ...]:
        """What the answer asks of the judge; none where the official script would not judge it (empty)."""
        raise NotImplementedError

    def total(self, item: ScoreInput) -> float:
        """What the sample can earn, in the units of `earned`."""
        raise NotImplementedError

    def earned(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> tuple[float, float, str]:
        """(earned, out of, the verdicts as `extracted` shows them) from the sample's verdicts, in request order."""
        raise NotImplementedError

    def answer_stats(self, item: ScoreInput, verdicts: Sequence[Verdict]) -> dict[str, float]:
        """Stats a judged sample keeps beside `correct` and `total`, for an `aggregate` that reads more."""
        return {}

    def miss_stats(self, item: ScoreInput) -> dict[str, float]:
        """A failed or unjudged sample's stats: nothing earned of what it could earn (the strict number)."""
        return {"correct": 0.0, "total": self.total(item)}

    def judge_requests(self, items: Sequence[ScoreInput]) -> list[tuple[JudgeRequest, ...]]:
        return [() if item.prediction is None else self.requests(item, item.prediction) for item in items]

    def score_judged(self, items: Sequence[ScoreInput],
                     judgements: Sequence[tuple[Judgement, ...]]) -> list[SampleScore]:
        return [self._score(item, judged) for item, judged in zip(items, judgements, strict=True)]

    def _score(self, item: ScoreInput, judged: tuple[Judgement, ...]) -> SampleScore:
        nothing = self.miss_stats(item)
        if item.prediction is None:
            return SampleScore(item.sample_id, nothing, failed=True, excluded=True, categories=item.categories)
        if not judged:  # `requests` asked nothing of an empty answer
            return SampleScore(item.sample_id, nothing, failed=True, excluded=True, categories=item.categories,
                               detail={"error": "empty answer: nothing to judge"})
        detail = judgements_detail(judged)
        failure = judgement_failure(judged)
        if failure is not None:
            return SampleScore(item.sample_id, nothing, failed=True, excluded=True, categories=item.categories,
                               detail={**detail, "error": failure})
        verdicts = [j.verdict for j in judged if j.verdict is not None]
        earned, possible, shown = self.earned(item, verdicts)
        stats = {"correct": earned, "total": possible} | self.answer_stats(item, verdicts)
        return SampleScore(item.sample_id, stats, extracted=shown,
                           categories=item.categories, detail=detail)

    def rules_only(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        return {}  # the judge decides everything
