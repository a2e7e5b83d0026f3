"""What a judge is: a typed, hashable spec. Two scores were judged alike exactly when their specs are equal.

The spec pins everything that decides a verdict: the model id with its revision or dated snapshot, the backend
that runs it, the prompt template (its version and the hash of its text), the decoding, how many samples are drawn
and how they are aggregated, and how a verdict is read out of the judge's text.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Literal

from evalkit.types import Role

Backend = Literal["openai", "transformers", "vllm"]  # hosted chat completions, or a local engine
Aggregation = Literal["single", "mean", "majority"]
BACKENDS: tuple[str, ...] = ("openai", "transformers", "vllm")
AGGREGATIONS: tuple[str, ...] = ("single", "mean", "majority")


@dataclass(frozen=True)
class JudgeTemplate:
    """A judge prompt: an optional system message and a user message, both `str.format` templates."""

    name: str
    version: str  # where the text comes from: repository @ commit
    user: str
    system: str | None = None

    @property
    def sha256(self) -> str:
        text = f"{self.system}\x00{self.user}" if self.system is not None else self.user
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def messages(self, fields: dict[str, str]) -> list[tuple[Role, str]]:
        """(role, text) pairs of the judge's input for one item."""
        try:
            user = self.user.format(**fields)
        except KeyError as exc:
            raise ValueError(f"judge template {self.name!r} needs the field {exc.args[0]!r}; the task gave "
                             f"{sorted(fields)}") from exc
        system: list[tuple[Role, str]] = [("system", self.system)] if self.system is not None else []
        return [*system, ("user", user)]


@dataclass(frozen=True)
class JudgeSpec:
    name: str  # the protocol step it performs, e.g. "mathvista_extraction"
    model: str  # model id as the backend knows it (a dated snapshot for hosted APIs), or a checkpoint folder
    revision: str | None  # hub revision of a local judge; None where the model id is itself a dated snapshot
    backend: str  # one of BACKENDS
    template: JudgeTemplate
    temperature: float
    max_tokens: int
    verdict: str  # verdict parser name (evalkit.judges.verdicts.PARSERS)
    top_p: float = 1.0
    samples: int = 1
    aggregation: str = "single"  # one of AGGREGATIONS
    verdict_options: tuple[tuple[str, Any], ...] = ()  # parser options, e.g. criteria where lower is better
    source: str = ""  # where these settings are written down (official code), for the protocol notes

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"judge {self.name!r}: backend {self.backend!r}; valid: {', '.join(BACKENDS)}")
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"judge {self.name!r}: aggregation {self.aggregation!r}; valid: {', '.join(AGGREGATIONS)}")
        if self.samples < 1 or (self.aggregation == "single") != (self.samples == 1):
            raise ValueError(f"judge {self.name!r}: {self.samples} sample(s) with aggregation {self.aggregation!r}; "
                             "one sample is aggregated as 'single', several as 'mean' or 'majority'")

    def describe(self) -> dict[str, Any]:
        """The spec as scores.json records it: the template by name, version and hash rather than its text."""
        described = asdict(self)
        described["template"] = {"name": self.template.name, "version": self.template.version,
                                 "sha256": self.template.sha256}
        described["verdict_options"] = dict(self.verdict_options)
        return described


@dataclass
class JudgeConfig:
    """The `judge` section of a run (and `evalkit score --judge KEY=VALUE ...`).

    `use`: none (judged tasks are reported NOT SCORED), official (each task's official judge), or substitute (the
    model below, with the official template and parser, judges every judged task; the report marks it). Fields
    left None keep the official value. The endpoint settings say where the judge runs, not what it is.
    """

    use: str = "none"  # none | official | substitute
    model: str | None = None
    revision: str | None = None
    backend: str | None = None
    temperature: float | None = None
    samples: int | None = None
    max_tokens: int | None = None
    base_url: str = "https://api.openai.com/v1"  # hosted backend
    api_key_env: str | None = "OPENAI_API_KEY"  # read from the environment, never stored; null for a keyless server
    concurrency: int = 8
    timeout_s: float = 120.0
    max_retries: int = 5
    batch_size: int = 8  # local backends: judge prompts per engine call
    device: str = "auto"  # local backends
    profile: str = "qwen3_omni"  # local backends: the judge checkpoint's model family (evalkit/profiles)
    dtype: str = "bfloat16"  # local backends
    allow_model_under_test: bool = False  # let the evaluated model judge itself (reports say so)

    def check(self) -> None:
        if self.use not in ("none", "official", "substitute"):
            raise ValueError(f"judge.use={self.use!r}; valid: none, official, substitute")
        if self.use == "substitute" and not self.model:
            raise ValueError("judge.use=substitute needs judge.model (the substitute judge's model id or folder)")
        if self.use != "substitute" and (self.model or self.backend or self.revision):
            raise ValueError("judge.model/backend/revision choose a substitute judge: set judge.use=substitute too")
        if self.backend is not None and self.backend not in BACKENDS:
            raise ValueError(f"judge.backend={self.backend!r}; valid: {', '.join(BACKENDS)}")

    def spec_for(self, official: JudgeSpec) -> JudgeSpec | None:
        """The judge that scores a task whose official judge is `official`; None when no judge is configured."""
        self.check()
        if self.use == "none":
            return None
        if self.use == "official":
            return official
        samples = self.samples if self.samples is not None else official.samples
        return JudgeSpec(
            name=official.name,
            model=self.model or official.model,
            revision=self.revision,
            backend=self.backend or official.backend,
            template=official.template,
            temperature=official.temperature if self.temperature is None else self.temperature,
            max_tokens=self.max_tokens or official.max_tokens,
            verdict=official.verdict,
            top_p=official.top_p,
            samples=samples,
            aggregation=official.aggregation if samples > 1 else "single",
            verdict_options=official.verdict_options,
            source=f"substitute for the official judge ({official.model})",
        )
