"""Checks that a judge can answer, made before the model under test generates anything: the API key is set, the
endpoint answers, and it serves the judge model (`GET /models` lists it); a local judge's checkpoint exists.
And the judge is not the model under test unless the config allows it."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from evalkit.config import ConfigError, ModelConfig, RunnerConfig
from evalkit.judges.spec import JudgeConfig, JudgeSpec

PREFLIGHT_TIMEOUT_S = 15.0


class JudgeUnavailable(ConfigError):
    """The configured judge cannot answer; the message says what to fix."""


def check_judge_reachable(spec: JudgeSpec, endpoint: JudgeConfig) -> None:
    if spec.backend != "openai":
        local_judge_path(spec)
        return
    headers = {}
    if endpoint.api_key_env:
        key = os.environ.get(endpoint.api_key_env)
        if not key:
            raise JudgeUnavailable(
                f"judge {spec.model!r}: the environment variable {endpoint.api_key_env} holding its API key is not "
                f"set; export it, or set judge.api_key_env=null for a server that needs no key"
            )
        headers["Authorization"] = f"Bearer {key}"
    url = endpoint.base_url.rstrip("/") + "/models"
    try:
        reply = httpx.get(url, headers=headers, timeout=min(PREFLIGHT_TIMEOUT_S, endpoint.timeout_s))
    except httpx.HTTPError as exc:
        raise JudgeUnavailable(f"judge endpoint {endpoint.base_url} is unreachable ({type(exc).__name__}: {exc}); "
                               "check judge.base_url and that the server is running") from exc
    if reply.status_code in (401, 403):
        raise JudgeUnavailable(f"judge endpoint {endpoint.base_url} rejected the API key in "
                               f"{endpoint.api_key_env} (HTTP {reply.status_code})")
    if reply.status_code != 200:
        raise JudgeUnavailable(f"judge endpoint {url} answered HTTP {reply.status_code}: {reply.text[:200]}")
    try:
        served = sorted(str(entry["id"]) for entry in reply.json()["data"])
    except (ValueError, KeyError, TypeError) as exc:
        raise JudgeUnavailable(f"{url} did not answer an OpenAI model list ({exc}); is judge.base_url an "
                               "OpenAI-compatible /v1 address?") from exc
    if spec.model not in served:
        shown = ", ".join(served[:20]) + (" ..." if len(served) > 20 else "")
        raise JudgeUnavailable(f"judge model {spec.model!r} is not served at {endpoint.base_url} (it serves: "
                               f"{shown or 'nothing'}); choose one of those with judge.use=substitute judge.model=...")


def local_judge_path(spec: JudgeSpec) -> Path:
    """A local judge's checkpoint folder (evalkit loads local judges from disk, never from a hub)."""
    path = Path(spec.model).expanduser()
    if not (path / "config.json").is_file():
        raise JudgeUnavailable(f"local judge {spec.model!r} ({spec.backend}) is not a checkpoint folder with a "
                               "config.json; download the judge first and give its folder as judge.model")
    return path.resolve()


def is_model_under_test(spec: JudgeSpec, model: ModelConfig, runner: RunnerConfig) -> bool:
    """Whether the judge is the evaluated model: the same model id, served name or checkpoint folder."""
    names = {model.path, model.name, runner.served_model} - {None, ""}
    if spec.model in names:
        return True
    local = spec.backend != "openai"
    return local and Path(model.path).expanduser().resolve() == Path(spec.model).expanduser().resolve()


def check_not_model_under_test(spec: JudgeSpec, endpoint: JudgeConfig, model: ModelConfig,
                               runner: RunnerConfig) -> bool:
    """Refuses a judge that is the model under test unless judge.allow_model_under_test; returns whether it is."""
    same = is_model_under_test(spec, model, runner)
    if same and not endpoint.allow_model_under_test:
        raise ConfigError(f"the judge {spec.model!r} is the model under test ({model.name}); a model must not grade "
                          "its own answers. Choose another judge, or set judge.allow_model_under_test=true to allow "
                          "it (reports then say so)")
    return same
