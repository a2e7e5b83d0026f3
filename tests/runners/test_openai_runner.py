"""OpenAIRunner: retries, backoff and per-sample failures against a scripted HTTP server on 127.0.0.1 (runs in any
environment), then real chat completions against `vllm serve` of the tiny model (only in .venv-vllm)."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
import soundfile
from fake_openai import ScriptedServer
from PIL import Image
from vllm_helpers import free_port, parity_requests

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.runners.openai import OpenAIRunner
from evalkit.types import (
    AudioData,
    Decoding,
    ImageData,
    MediaPart,
    MediaRef,
    Message,
    PreparedRequest,
    Request,
    Sample,
    TextPart,
)

SECRET = "sk-test-never-stored"


def request(key: str, *media, decoding: Decoding | None = None) -> PreparedRequest:
    kinds = {AudioData: "audio", ImageData: "image"}
    parts = tuple(MediaPart(MediaRef(kinds[type(m)], path=f"{key}.{kinds[type(m)]}")) for m in media)
    messages = (Message("system", (TextPart("Be brief."),)), Message("user", (*parts, TextPart(key))))
    sample = Sample(task="t", sample_id=key, messages=messages, reference=None)
    return PreparedRequest(Request(sample, decoding or Decoding(max_new_tokens=5, seed=99)), "", media, key)


def make_runner(base_url: str, **settings) -> OpenAIRunner:
    config = RunnerConfig(name="openai", base_url=base_url, served_model="served", api_key_env="EVALKIT_TEST_KEY",
                          concurrency=4, timeout_s=10, **settings)  # fmt: skip
    return OpenAIRunner(ModelConfig(name="m", path="/models/m"), config, "/models/m", initial_backoff_s=0.01)


@pytest.fixture
def scripted(monkeypatch):
    monkeypatch.setenv("EVALKIT_TEST_KEY", SECRET)
    servers = []

    def start(scripts):
        servers.append(ScriptedServer(scripts))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_retries_429_and_500_then_succeeds(scripted):
    server = scripted({"flaky": [429, 500, 503, 200], "fine": [200]})
    runner = make_runner(server.base_url, max_retries=5)
    flaky, fine = runner.generate([request("flaky"), request("fine")])
    assert flaky.text == "answer to flaky" and flaky.error is None
    assert (flaky.prompt_tokens, flaky.output_tokens, flaky.finish_reason) == (11, 3, "stop")
    assert fine.text == "answer to fine"
    assert (server.calls("flaky"), server.calls("fine")) == (4, 1)
    assert runner.info().details["retries_made"] == 3
    runner.close()


def test_failures_are_per_sample_and_bounded(scripted):
    server = scripted({"always-500": [500], "bad-request": [400], "fine": [200]})
    runner = make_runner(server.base_url, max_retries=2)
    down, bad, fine = runner.generate([request("always-500"), request("bad-request"), request("fine")])
    assert down.text is None and "HTTP 500" in down.error and "gave up after 3 attempts" in down.error
    assert bad.text is None and "HTTP 400" in bad.error and "scripted 400" in bad.error
    assert fine.text == "answer to fine"
    assert (server.calls("always-500"), server.calls("bad-request")) == (3, 1)  # a 400 is never retried
    runner.close()


def test_connection_refused_is_an_error_response_not_an_exception():
    runner = make_runner(f"http://127.0.0.1:{free_port()}/v1", max_retries=1)
    [response] = runner.generate([request("nobody home")])
    assert response.text is None and "ConnectError" in response.error and "after 2 attempts" in response.error
    runner.close()


def test_request_body_carries_media_and_greedy_settings(scripted):
    server = scripted({"media": [200]})
    runner = make_runner(server.base_url)
    waveform = (0.5 * np.sin(np.arange(1600) / 5)).astype(np.float32)
    pixels = np.random.default_rng(0).integers(0, 256, (8, 12, 3), dtype=np.uint8)
    audio = AudioData(waveform, 16000, {"source": "sine"})
    image = ImageData(Image.fromarray(pixels), {"source": "noise"})
    runner.generate([request("media", audio, image)])
    [body] = server.bodies
    assert server.auth == {f"Bearer {SECRET}"}
    assert (body["model"], body["temperature"], body["top_p"], body["seed"], body["max_tokens"]) == (
        "served", 0.0, 1.0, 99, 5)  # fmt: skip
    assert "return_token_ids" not in body and "top_k" not in body  # not a vLLM server: standard fields only
    system, user = body["messages"]
    assert system == {"role": "system", "content": [{"type": "text", "text": "Be brief."}]}
    sent_audio, sent_image, text = user["content"]
    decoded, rate = soundfile.read(io.BytesIO(base64.b64decode(sent_audio["input_audio"]["data"])), dtype="float32")
    assert rate == 16000 and np.abs(decoded - waveform).max() < 1 / 2**15 + 1e-7  # 16-bit PCM
    url = sent_image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))), pixels)
    assert text == {"type": "text", "text": "media"}
    info = runner.info()
    assert SECRET not in json.dumps(info.details) and info.details["vllm_server_version"] is None
    runner.close()


def test_sampling_fields_a_plain_server_cannot_take_fail_the_sample(scripted):
    server = scripted({"penalty": [200]})
    runner = make_runner(server.base_url)
    [response] = runner.generate([request("penalty", decoding=Decoding(max_new_tokens=5, repetition_penalty=1.1))])
    assert "only a vLLM server takes them" in response.error and server.bodies == []
    runner.close()


# --- a real `vllm serve` (vLLM's CPU build) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def served_runner(vllm_server, vllm_model_dir):
    server, model_dir = vllm_server, vllm_model_dir
    config = RunnerConfig(name="openai", base_url=server.base_url, served_model=server.served_model, concurrency=4,
                          timeout_s=120, max_retries=1)  # fmt: skip
    runner = OpenAIRunner(ModelConfig(name="tiny", path=str(model_dir), dtype="float32"), config, str(model_dir))
    yield runner
    runner.close()


def test_vllm_serve_answers_text_audio_and_image(served_runner, renderer):
    requests = parity_requests(renderer)
    responses = served_runner.generate(requests)
    for prepared, response in zip(requests, responses, strict=True):
        assert response.error is None, f"{prepared.sample.sample_id}: {response.error}"
        assert response.output_tokens == len(response.token_ids) > 0
        assert response.finish_reason in ("stop", "length")
    # the server renders the messages with the checkpoint's template exactly as evalkit.prompting does
    assert responses[0].prompt_tokens == len(renderer.processor.tokenizer(requests[0].prompt)["input_ids"])
    import vllm

    assert served_runner.info().details["vllm_server_version"] == vllm.__version__


def test_video_is_sent_as_an_mp4_of_the_sampled_frames():
    import av

    from evalkit.runners.openai import mp4_data_url
    from evalkit.types import VideoData

    frames = np.zeros((4, 64, 64, 3), np.uint8)
    frames[:, :, :32] = 200
    frames[1] = 50
    url = mp4_data_url(VideoData(frames, 2.0, {"source": "bars"}))
    assert url.startswith("data:video/mp4;base64,")
    with av.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as container:
        assert container.streams.video[0].average_rate == 2
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(decoded) == 4
    assert all(np.abs(a.astype(int) - b).mean() < 2 for a, b in zip(decoded, frames, strict=True))  # near-lossless
