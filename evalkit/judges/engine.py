"""Running a judge: its prompts through evalkit's own runners, every call through the response cache.

A judge is a model like any other here: its prompts become `PreparedRequest`s and go to the runner its backend
names (`OpenAIRunner` for hosted chat completions, the transformers or vLLM runner for a local checkpoint), in
batches, with the same failure isolation as a run. Each draw's cache key hashes the judge's identity (model,
revision or snapshot, backend), its exact input and its decoding (the seed differs per draw), so a re-run or a
rescore is answered from the cache and calls nothing, and an interrupted judging resumes where it stopped. The
verdict parser and the aggregation are not in the key: they read the judge's text, which they cannot change.

Fail closed: an engine error, an empty answer (a refusal), an unparsable verdict or a draw that failed makes the
item's judgement failed with that reason; there is no default verdict.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.config import ClusterConfig, MediaConfig, ModelConfig, RunnerConfig
from evalkit.judges.spec import JudgeConfig, JudgeSpec
from evalkit.judges.verdicts import Unparsable, Verdict, aggregate_verdicts, parse_verdict
from evalkit.response_cache import ResponseCache, cache_key
from evalkit.types import Decoding, MediaPart, MediaRef, Message, PreparedRequest, Request, Response, Sample, TextPart

if TYPE_CHECKING:  # imported where first needed: building a judge loads neither
    from evalkit.profiles.base import PromptRenderer
    from evalkit.runners.base import Runner

JUDGE_SEED = 1234  # draw k of an item uses seed JUDGE_SEED + k
HOSTED_ENGINE = "openai-chat-completions"  # the endpoint's address is not part of a hosted judge's identity
HOSTED_PROFILE = "hosted_chat"  # a hosted judge has no local files: its input is the chat messages themselves
JUDGE_MEDIA = MediaConfig()  # what the judge is shown: images as they are (resized only past the processor's cap)


@dataclass(frozen=True)
class JudgeItem:
    """One thing to judge: the template's fields for one sample, and the media the judge is shown (before the
    text of its user message, as evalkit places media for every model)."""

    sample_id: str
    fields: Mapping[str, str]
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class Judgement:
    sample_id: str
    verdict: Verdict | None
    error: str | None = None  # why there is no verdict
    outputs: tuple[str | None, ...] = ()  # the judge's text per draw

    @property
    def failed(self) -> bool:
        return self.error is not None

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "error": self.error, "outputs": list(self.outputs)}


@dataclass
class JudgeTally:
    """What one judging pass cost and how it ended."""

    calls_made: int = 0
    cache_hits: int = 0
    judged: int = 0
    failed: int = 0
    failure_reasons: Counter[str] = field(default_factory=Counter)  # reason kind -> count

    def add(self, other: JudgeTally) -> None:
        self.calls_made += other.calls_made
        self.cache_hits += other.cache_hits
        self.judged += other.judged
        self.failed += other.failed
        self.failure_reasons.update(other.failure_reasons)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "failure_reasons": dict(sorted(self.failure_reasons.items()))}


def judge_messages(spec: JudgeSpec, item: JudgeItem) -> tuple[Message, ...]:
    """The template's messages for the item; its media open the user message."""
    media = tuple(MediaPart(ref) for ref in item.media)
    return tuple(Message(role, (*media, TextPart(text)) if role == "user" else (TextPart(text),))
                 for role, text in spec.template.messages(dict(item.fields)))


class JudgeEngines:
    """The engines of a set of judges, one per judge model: judges that differ only in their prompt (Arena-Hard's
    two) share one loaded model or one client. An engine is built on its first cache miss only: here, or with a
    `cluster=ray` cluster as a Ray actor there (evalkit.cluster.ray_judges)."""

    def __init__(self, cluster: ClusterConfig | None = None) -> None:
        self.cluster = cluster
        self._runners: dict[tuple[str, str | None, str], Runner] = {}

    def runner(self, judge: Judge) -> Runner:
        key = (judge.spec.model, judge.spec.revision, judge.spec.backend)
        if key not in self._runners:
            from evalkit.judges.preflight import check_judge_reachable
            from evalkit.runners import build_runner

            check_judge_reachable(judge.spec, judge.endpoint)
            if self.cluster is not None and self.cluster.name == "ray":
                from evalkit.cluster.ray_judges import start_judge_actor

                self._runners[key] = start_judge_actor(self.cluster, judge.model_config, judge.runner_config,
                                                       judge.model_path)
            else:
                self._runners[key] = build_runner(judge.model_config, judge.runner_config, judge.model_path)
        return self._runners[key]

    @property
    def loaded(self) -> int:
        """How many engines are built (a cached judging builds none)."""
        return len(self._runners)

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()


class Judge:
    """One judge spec with its endpoint and cache; its engine comes from `engines` (shared by a panel's judges),
    or from its own when none is given."""

    def __init__(self, spec: JudgeSpec, endpoint: JudgeConfig, cache_path: Path | None,
                 engines: JudgeEngines | None = None):
        from evalkit.judges.preflight import local_judge_path

        self.spec, self.endpoint = spec, endpoint
        self.engines, self._owns_engines = engines or JudgeEngines(), engines is None
        self.cache = ResponseCache(cache_path) if cache_path is not None else None
        self.hosted = spec.backend == "openai"
        profile = HOSTED_PROFILE if self.hosted else endpoint.profile
        self.model_config = ModelConfig(name=spec.model, path=spec.model, revision=spec.revision, dtype=endpoint.dtype,
                                        modalities=["text", "image"], profile=profile)
        self.runner_config = RunnerConfig(
            name=spec.backend, batch_size=endpoint.batch_size, device=endpoint.device, dtype=endpoint.dtype,
            base_url=endpoint.base_url, served_model=spec.model, api_key_env=endpoint.api_key_env or "",
            concurrency=endpoint.concurrency, timeout_s=endpoint.timeout_s, max_retries=endpoint.max_retries,
        )
        self.model_path = spec.model if self.hosted else str(local_judge_path(spec))
        self.identity = self._identity()
        self.engine = self._engine_identity()
        self.scope = f"judge:{json.dumps(self.identity, sort_keys=True)}"
        self._renderer: PromptRenderer | None = None  # built on first use: a cached run needs no renderer

    def _identity(self) -> dict[str, Any]:
        identity = {"judge_model": self.spec.model, "revision": self.spec.revision, "backend": self.spec.backend}
        if not self.hosted:
            from evalkit.provenance import model_identity

            identity["content_hash"] = model_identity(self.model_path, self.spec.revision).get("content_hash")
        return identity

    def _engine_identity(self) -> dict[str, Any]:
        """As the run's response cache keys engines: name and installed version (a hosted judge's dated model id
        pins it; the endpoint's address and software are not part of it)."""
        if self.hosted:
            return {"name": HOSTED_ENGINE, "version": None}
        from evalkit.provenance import engine_version

        return {"name": f"{self.spec.backend}:{self.endpoint.dtype}", "version": engine_version(self.spec.backend)}

    def _rendered(self, messages: tuple[Message, ...]) -> str:
        """The judge's exact input: the chat messages a server receives, or the prompt a local engine tokenizes."""
        if self._renderer is None:
            from evalkit.profiles import get_profile

            self._renderer = get_profile(self.model_config.profile).renderer(self.model_path, self.spec.revision)
        return self._renderer.render(messages, None)

    def _requests(self, item: JudgeItem) -> list[PreparedRequest]:
        from evalkit.media import decode

        messages = judge_messages(self.spec, item)
        prompt = self._rendered(messages)
        media = tuple(decode(ref, JUDGE_MEDIA) for ref in item.media)  # images: a cheap decode, keyed by content
        provenance: list[Mapping[str, Any]] = [m.provenance for m in media]
        requests = []
        for draw in range(self.spec.samples):
            decoding = Decoding(max_new_tokens=self.spec.max_tokens, do_sample=self.spec.temperature > 0,
                                temperature=self.spec.temperature, top_p=self.spec.top_p, seed=JUDGE_SEED + draw)
            sample = Sample(task=f"judge:{self.spec.name}", sample_id=f"{item.sample_id}#{draw}", messages=messages,
                            reference=None)
            key = cache_key(self.identity, self.engine, prompt, provenance, asdict(decoding), False)
            requests.append(PreparedRequest(Request(sample, decoding), prompt, media, key))
        return requests

    def judge(self, items: Sequence[JudgeItem]) -> tuple[list[Judgement], JudgeTally]:
        """One judgement per item, in order, and what it took."""
        tally = JudgeTally()
        draws = [self._requests(item) for item in items]
        answers: dict[str, Response] = {}
        missing: dict[str, PreparedRequest] = {}  # two items with the same input ask once
        for request in (r for item_draws in draws for r in item_draws):
            if request.cache_key in answers or request.cache_key in missing:
                continue
            cached = self.cache.get(request.cache_key) if self.cache else None
            if cached is not None:
                answers[request.cache_key] = cached
                tally.cache_hits += 1
            else:
                missing[request.cache_key] = request
        batch_size = self.endpoint.concurrency if self.hosted else self.endpoint.batch_size
        to_ask = list(missing.values())
        for start in range(0, len(to_ask), batch_size):
            batch = to_ask[start:start + batch_size]
            responses = self._generate(batch)
            tally.calls_made += len(batch)
            if self.cache:  # written per batch, so an interrupted judging resumes from here
                self.cache.put_many(self.scope, [(r.cache_key, a) for r, a in zip(batch, responses, strict=True)])
            answers.update((r.cache_key, a) for r, a in zip(batch, responses, strict=True))
        judgements = [self._judgement(item, [answers[r.cache_key] for r in item_draws])
                      for item, item_draws in zip(items, draws, strict=True)]
        tally.judged = len(judgements)
        for judgement in judgements:
            if judgement.error is not None:  # failed
                tally.failed += 1
                tally.failure_reasons[judgement.error.split(":", 1)[0]] += 1
        return judgements, tally

    def _generate(self, batch: list[PreparedRequest]) -> list[Response]:
        from evalkit.runners.base import generate_isolating

        return generate_isolating(self.engines.runner(self), batch)

    def _judgement(self, item: JudgeItem, responses: list[Response]) -> Judgement:
        outputs = tuple(r.text for r in responses)
        verdicts: list[Verdict] = []
        for draw, response in enumerate(responses):
            problem = _response_problem(response)
            if problem is None:
                try:
                    verdicts.append(parse_verdict(self.spec.verdict, response.text or "",
                                                  dict(self.spec.verdict_options)))
                    continue
                except Unparsable as exc:
                    problem = f"unparsable verdict: {exc}"
            where = f" (draw {draw + 1} of {len(responses)})" if len(responses) > 1 else ""
            return Judgement(item.sample_id, None, problem + where, outputs)
        try:
            return Judgement(item.sample_id, aggregate_verdicts(self.spec.aggregation, verdicts), None, outputs)
        except Unparsable as exc:
            return Judgement(item.sample_id, None, f"unparsable verdict: {exc}", outputs)

    def close(self) -> None:
        if self._owns_engines:
            self.engines.close()
        if self.cache:
            self.cache.close()


def _response_problem(response: Response) -> str | None:
    if response.failed:
        return f"judge error: {response.error}"
    if response.finish_reason == "content_filter" or not (response.text or "").strip():
        return "judge refused: it returned no text" + (
            f" (finish_reason {response.finish_reason})" if response.finish_reason else "")
    return None
