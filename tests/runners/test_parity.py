"""The same prepared requests through transformers, vLLM's offline engine and `vllm serve` (OpenAIRunner) on the
same tiny checkpoint in float32 give identical greedy token ids (measured 6/6 with |dlogprob| <= 5e-6; in
bfloat16 engines differ on near-ties, so parity is a float32 property)."""

import pytest
from vllm_helpers import require_vllm

require_vllm()

from vllm_helpers import model_config, parity_requests  # noqa: E402

from evalkit.config import RunnerConfig  # noqa: E402
from evalkit.runners.openai import OpenAIRunner  # noqa: E402
from evalkit.runners.transformers import TransformersRunner  # noqa: E402


@pytest.fixture(scope="module")
def requests(renderer):
    return parity_requests(renderer)


@pytest.fixture(scope="module")
def transformers_responses(vllm_model_dir, requests):
    runner = TransformersRunner(model_config(vllm_model_dir), RunnerConfig(device="cpu"), str(vllm_model_dir))
    try:
        return runner.generate(requests)
    finally:
        runner.close()


def test_vllm_matches_transformers_token_for_token(vllm_runner, requests, transformers_responses):
    expected = transformers_responses
    got = vllm_runner.generate(requests)
    for prepared, want, have in zip(requests, expected, got, strict=True):
        assert want.error is None and have.error is None, prepared.sample.sample_id
        assert have.token_ids == want.token_ids, prepared.sample.sample_id
        assert (have.prompt_tokens, have.finish_reason) == (want.prompt_tokens, want.finish_reason)
    assert len({r.token_ids for r in got}) == len(requests)  # distinct outputs: the comparison has teeth


def test_vllm_serve_matches_transformers_token_for_token(vllm_server, vllm_model_dir, requests, transformers_responses):
    config = RunnerConfig(name="openai", base_url=vllm_server.base_url, served_model=vllm_server.served_model,
                          concurrency=3, timeout_s=120, max_retries=1)  # fmt: skip
    runner = OpenAIRunner(model_config(vllm_model_dir), config, str(vllm_model_dir))
    try:
        got = runner.generate(requests)
    finally:
        runner.close()
    for prepared, want, have in zip(requests, transformers_responses, got, strict=True):
        assert have.error is None, f"{prepared.sample.sample_id}: {have.error}"
        assert have.token_ids == want.token_ids, prepared.sample.sample_id
        assert have.prompt_tokens == want.prompt_tokens, prepared.sample.sample_id
