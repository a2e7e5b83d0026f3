"""The hook between scoring and judges.

A judged scorer is a scorer that also says which official judge its benchmark uses, which items need the judge
(`judge_items`; an item decided by the benchmark's own rules needs none) and how to score items given their
judgements (`score_judged`). The `JudgePanel` of a run (or of `evalkit score`) picks the judge for each such
scorer from the `judge` config, runs it, and reports per task the spec, whether it is a substitute, and the calls
made and served from the cache. Without a configured judge a judged task is NOT SCORED: its items needing the
judge fail with that reason and its headline value is None, never a number computed by rules alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.judges.engine import Judge, JudgeItem, Judgement, JudgeTally
from evalkit.judges.preflight import check_judge_reachable, check_not_model_under_test
from evalkit.judges.spec import JudgeConfig, JudgeSpec
from evalkit.scoring.base import AnyScorer, SampleScore, ScoreInput

NOT_SCORED = "not scored"
JUDGE_CACHE_FILE = "judgements.sqlite"


@runtime_checkable
class JudgedScorer(AnyScorer, Protocol):
    official_judge: JudgeSpec

    def judge_items(self, items: Sequence[ScoreInput]) -> list[JudgeItem | None]:
        """Per item, what the judge is asked, or None where the benchmark's rules decide without it."""
        ...

    def score_judged(self, items: Sequence[ScoreInput], judgements: Sequence[Judgement | None]) -> list[SampleScore]:
        """Per item its score; a failed judgement makes a failed sample (with the reason in `detail`)."""
        ...

    def rules_only(self, scores: Sequence[SampleScore]) -> dict[str, float]:
        """The numbers the benchmark's own rules give without the judge, reported beside (empty if none)."""
        ...


@dataclass(frozen=True)
class JudgedScores:
    scores: list[SampleScore]
    report: dict[str, Any]  # what scores.json records under the task's "judge"

    @property
    def scored(self) -> bool:
        return self.report["status"] != NOT_SCORED


class JudgePanel:
    """The judges of one run or score command: one `Judge` per distinct spec, all sharing one cache file."""

    def __init__(self, config: JudgeConfig, cache_dir: Path | None,
                 model_under_test: tuple[ModelConfig, RunnerConfig] | None = None):
        config.check()
        self.config, self.cache_dir, self.model_under_test = config, cache_dir, model_under_test
        self._judges: dict[JudgeSpec, Judge] = {}

    def preflight(self, scorers: Sequence[object]) -> None:
        """Before the model under test generates: every judge a judged scorer will need can answer, and none is
        the model under test unless allowed."""
        for scorer in scorers:
            if isinstance(scorer, JudgedScorer) and (spec := self.config.spec_for(scorer.official_judge)) is not None:
                self._check_model_under_test(spec)
                check_judge_reachable(spec, self.config)

    def score(self, scorer: JudgedScorer, items: Sequence[ScoreInput]) -> JudgedScores:
        official = scorer.official_judge
        spec = self.config.spec_for(official)
        requests = scorer.judge_items(items)
        if spec is None:
            unjudged = [None if r is None else Judgement(r.sample_id, None, f"{NOT_SCORED}: no judge configured")
                        for r in requests]
            scores = scorer.score_judged(items, unjudged)
            return JudgedScores(scores, {
                "status": NOT_SCORED, "official": official.describe(),
                "reason": "no judge configured (judge.use=none); set judge.use=official or a substitute",
                "needing_judge": sum(r is not None for r in requests), "rules_only": scorer.rules_only(scores),
            })
        asked = [r for r in requests if r is not None]
        verdicts, tally = self._judge(spec).judge(asked) if asked else ([], JudgeTally())
        by_id = iter(verdicts)
        judgements = [None if r is None else next(by_id) for r in requests]
        scores = scorer.score_judged(items, judgements)
        return JudgedScores(scores, {
            "status": "judged",
            "spec": spec.describe(),
            "substitute": spec != official,
            "official": official.describe(),
            "judge_is_model_under_test": self._check_model_under_test(spec),
            "needing_judge": len(asked),
            "rules_only": scorer.rules_only(scores),
            **tally.to_json(),
        })

    def _check_model_under_test(self, spec: JudgeSpec) -> bool:
        if self.model_under_test is None:
            return False
        return check_not_model_under_test(spec, self.config, *self.model_under_test)

    def _judge(self, spec: JudgeSpec) -> Judge:
        if spec not in self._judges:
            cache = self.cache_dir / JUDGE_CACHE_FILE if self.cache_dir is not None else None
            self._judges[spec] = Judge(spec, self.config, cache)
        return self._judges[spec]

    def close(self) -> None:
        for judge in self._judges.values():
            judge.close()
