"""A judge that cannot answer is a clear error before anything is generated; the judge is never the model under
test unless the config allows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV

from evalkit.config import ConfigError, ModelConfig, RunnerConfig
from evalkit.judges.official import MATHVISTA_EXTRACTION
from evalkit.judges.preflight import JudgeUnavailable, check_judge_reachable, check_not_model_under_test
from evalkit.judges.spec import JudgeConfig


def config(base_url: str, **overrides) -> JudgeConfig:
    return JudgeConfig(use="official", base_url=base_url, api_key_env=KEY_ENV, **overrides)


def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(JudgeUnavailable, match=f"environment variable {KEY_ENV} holding its API key is not set"):
        check_judge_reachable(MATHVISTA_EXTRACTION, config("http://127.0.0.1:9/v1"))


def test_unreachable_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "k")
    with pytest.raises(JudgeUnavailable, match=r"judge endpoint http://127.0.0.1:9/v1 is unreachable \(ConnectError"):
        check_judge_reachable(MATHVISTA_EXTRACTION, config("http://127.0.0.1:9/v1"))


def test_model_not_served_and_wrong_key(start_judge_server, monkeypatch: pytest.MonkeyPatch) -> None:
    server = start_judge_server(["gpt-4o-mini-2024-07-18"], lambda body: (200, {"content": "x"}))
    with pytest.raises(JudgeUnavailable, match=r"judge model 'gpt-4-0613' is not served at .* \(it serves: "
                                               r"gpt-4o-mini-2024-07-18\)"):
        check_judge_reachable(MATHVISTA_EXTRACTION, config(server.base_url))
    monkeypatch.setenv(KEY_ENV, "wrong")
    with pytest.raises(JudgeUnavailable, match=r"rejected the API key in .* \(HTTP 401\)"):
        check_judge_reachable(MATHVISTA_EXTRACTION, config(server.base_url))


def test_local_judge_needs_a_checkpoint_folder(tmp_path: Path) -> None:
    spec = JudgeConfig(use="substitute", model=str(tmp_path), backend="transformers").spec_for(MATHVISTA_EXTRACTION)
    with pytest.raises(JudgeUnavailable, match="is not a checkpoint folder with a config.json"):
        check_judge_reachable(spec, JudgeConfig())


def test_judge_is_not_the_model_under_test() -> None:
    model = ModelConfig(name="gpt4", path="gpt-4-0613")
    with pytest.raises(ConfigError, match="is the model under test .* judge.allow_model_under_test=true"):
        check_not_model_under_test(MATHVISTA_EXTRACTION, JudgeConfig(use="official"), model, RunnerConfig())
    allowed = JudgeConfig(use="official", allow_model_under_test=True)
    assert check_not_model_under_test(MATHVISTA_EXTRACTION, allowed, model, RunnerConfig()) is True
    other = ModelConfig(name="qwen", path="Qwen/Qwen3-Omni-30B-A3B-Instruct")
    assert check_not_model_under_test(MATHVISTA_EXTRACTION, JudgeConfig(use="official"), other, RunnerConfig()) is False


@pytest.mark.parametrize(("overrides", "message"), [
    ({"use": "sometimes"}, "judge.use='sometimes'; valid: none, official, substitute"),
    ({"use": "substitute"}, "judge.use=substitute needs judge.model"),
    ({"use": "official", "model": "x"}, "set judge.use=substitute too"),
    ({"use": "substitute", "model": "x", "backend": "tgi"}, "judge.backend='tgi'"),
])
def test_config_mistakes(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        JudgeConfig(**overrides).check()
