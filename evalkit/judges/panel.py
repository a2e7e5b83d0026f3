"""The hook between scoring and judges.

A judged scorer is a scorer that also says which official judges its benchmark uses (most have one; Arena-Hard
has two prompts), which judge requests each item needs (`judge_requests`: none where the benchmark's own rules
decide, one for MathVista's extraction, several for Arena-Hard's two orders of a battle or WritingBench's
criteria) and how to score items given their judgements (`score_judged`, which combines a sample's judgements by
the benchmark's official rule). The `JudgePanel` of a run (or of `evalkit score`) picks the judge for each
official one from the `judge` config, runs every request through it (each cached and failing closed on its
own), and reports per task the spec, whether it is a substitute, and the calls made and served from the cache.
Without a configured judge a judged task is NOT SCORED: its requests fail with that reason and its headline value
is None, never a number computed by rules alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from evalkit.config import ClusterConfig, ModelConfig, RunnerConfig
from evalkit.judges.engine import Judge, JudgeEngines, JudgeItem, Judgement, JudgeTally
from evalkit.judges.preflight import check_judge_reachable, check_not_model_under_test
from evalkit.judges.spec import JudgeConfig, JudgeSpec
from evalkit.scoring.base import AnyScorer, SampleScore, ScoreInput

NOT_SCORED = "not scored"
JUDGE_CACHE_FILE = "judgements.sqlite"


@dataclass(frozen=True)
class JudgeRequest:
    """One judge call a sample needs: which of its benchmark's official judges answers it, and what is asked."""

    official: JudgeSpec
    item: JudgeItem


@runtime_checkable
class JudgedScorer(AnyScorer, Protocol):
    @property
    def official_judges(self) -> tuple[JudgeSpec, ...]:
        """The benchmark's official judges; the first is its main judge, the one reports name."""
        ...

    def judge_requests(self, items: Sequence[ScoreInput]) -> list[tuple[JudgeRequest, ...]]:
        """Per item, every judge request it needs, in an order `score_judged` relies on; none where the
        benchmark's rules decide without a judge."""
        ...

    def score_judged(self, items: Sequence[ScoreInput],
                     judgements: Sequence[tuple[Judgement, ...]]) -> list[SampleScore]:
        """Per item its score from its judgements (one per request, in order); any failed judgement makes a failed
        sample (with the reasons in `detail`)."""
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
                 model_under_test: tuple[ModelConfig, RunnerConfig] | None = None,
                 cluster: ClusterConfig | None = None):
        """`cluster`: where the judges' engines run (cluster=ray: as Ray actors; None or local: here)."""
        config.check()
        self.config, self.cache_dir, self.model_under_test = config, cache_dir, model_under_test
        self._judges: dict[JudgeSpec, Judge] = {}
        self._engines = JudgeEngines(cluster)

    def preflight(self, scorers: Sequence[object]) -> None:
        """Before the model under test generates: every judge a judged scorer will need can answer, and none is
        the model under test unless allowed."""
        officials = {official for scorer in scorers if isinstance(scorer, JudgedScorer)
                     for official in scorer.official_judges}
        models = {(spec.model, spec.revision, spec.backend): spec for official in officials
                  if (spec := self.config.spec_for(official)) is not None}
        for spec in models.values():  # one check per judge model, however many prompts it judges with
            self._check_model_under_test(spec)
            check_judge_reachable(spec, self.config)

    def score(self, scorer: JudgedScorer, items: Sequence[ScoreInput]) -> JudgedScores:
        main = scorer.official_judges[0]
        requests = scorer.judge_requests(items)
        flat = [request for per_item in requests for request in per_item]
        for request in flat:
            if request.official not in scorer.official_judges:
                raise ValueError(f"scorer {scorer.name!r}: sample {request.item.sample_id} asks judge "
                                 f"{request.official.name!r}, not one of its official judges")
        counts = {"needing_judge": sum(bool(r) for r in requests), "requests": len(flat)}
        specs = {official: self.config.spec_for(official) for official in scorer.official_judges}
        if specs[main] is None:  # judge.use=none: every official judge is unset alike
            unjudged = Judgement("", None, f"{NOT_SCORED}: no judge configured")
            scores = scorer.score_judged(items, [tuple(replace(unjudged, sample_id=r.item.sample_id) for r in rs)
                                                 for rs in requests])
            return JudgedScores(scores, {
                "status": NOT_SCORED, "official": main.describe(),
                "reason": "no judge configured (judge.use=none); set judge.use=official or a substitute",
                **counts, "rules_only": scorer.rules_only(scores),
            })
        used = {official: spec for official, spec in specs.items() if spec is not None}
        answered: dict[int, Judgement] = {}
        tally = JudgeTally()
        for official, spec in used.items():
            positions = [i for i, request in enumerate(flat) if request.official == official]
            if positions:
                verdicts, judged = self._judge(spec).judge([flat[i].item for i in positions])
                answered.update(zip(positions, verdicts, strict=True))
                tally.add(judged)
        position = iter(range(len(flat)))
        scores = scorer.score_judged(items, [tuple(answered[next(position)] for _ in rs) for rs in requests])
        several = {"specs": {official.name: spec.describe() for official, spec in used.items()}} \
            if len(used) > 1 else {}
        return JudgedScores(scores, {
            "status": "judged",
            "spec": used[main].describe(),
            **several,
            "substitute": any(spec != official for official, spec in used.items()),
            "official": main.describe(),
            "judge_is_model_under_test": any([self._check_model_under_test(spec) for spec in used.values()]),
            **counts,
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
            self._judges[spec] = Judge(spec, self.config, cache, self._engines)
        return self._judges[spec]

    def close(self) -> None:
        for judge in self._judges.values():
            judge.close()
        self._engines.close()


def score_single_requests(items: Sequence[ScoreInput], judgements: Sequence[tuple[Judgement, ...]],
                          score: Callable[[ScoreInput, Judgement | None], SampleScore]) -> list[SampleScore]:
    """`score_judged` of a scorer that asks at most one request per item (VoiceBench, MathVista's extractor):
    `score(item, its judgement, or None where it asked none)` for each item, in order."""
    return [score(item, judged[0] if judged else None) for item, judged in zip(items, judgements, strict=True)]


def judgement_failure(judgements: Sequence[Judgement]) -> str | None:
    """Why a sample's judgements give no score (each failed request with its reason), or None if all have verdicts:
    one failed request fails the whole sample, as no official rule scores a sample from part of its judgements."""
    failed = [f"{j.sample_id}: {j.error}" for j in judgements if j.failed]
    return "; ".join(failed) if failed else None


def judgements_detail(judgements: Sequence[Judgement]) -> dict[str, Any]:
    """What a sample's record keeps of its several judgements: per request (its item id) the verdict, the error and
    the judge's text (a sample with one request keeps `judge` instead, MathVista's form)."""
    return {"judges": {j.sample_id: j.to_json() for j in judgements}}
