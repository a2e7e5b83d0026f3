"""Shared pieces of the vLLM and OpenAI runner tests: the tiny checkpoint as vLLM's CPU build loads it, the
CPU runner config, the six parity requests, and a real `vllm serve` on 127.0.0.1.

The fixtures are session-scoped, so one `LLM` and one server serve every test module that imports them
(each start costs ~30 s on 2 cores). Everything here needs .venv-vllm (scripts/setup_vllm_env.sh).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from evalkit.config import ModelConfig, RunnerConfig
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

SKIP_REASON = "vllm is not importable here; the vLLM tests run in .venv-vllm (make it with scripts/setup_vllm_env.sh)"
SERVER_START_TIMEOUT_S = 240
MAX_NEW_TOKENS = 24


def require_vllm() -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        pytest.skip(SKIP_REASON, allow_module_level=True)


def cpu_runner_config(**overrides) -> RunnerConfig:
    """runner=vllm_cpu as Hydra composes it, with field overrides."""
    from evalkit.hydra_config import load_run_config

    return dataclasses.replace(load_run_config(["runner=vllm_cpu"]).runner, **overrides)


def model_config(path: Path) -> ModelConfig:
    return ModelConfig(name="tiny", path=str(path), variant="tiny", dtype="float32")


def build_checkpoint(out_dir: Path) -> Path:
    """evalkit's tiny Qwen3-Omni, built in this (torchvision-less) environment."""
    from evalkit import tiny_model
    from evalkit.runners import vllm_cpu_bridge

    vllm_cpu_bridge.install()
    return tiny_model.build_tiny_model(out_dir, seed=0)


def sine(seconds: float, hz: float) -> AudioData:
    samples = int(16000 * seconds) // 160 * 160  # whole 10 ms hops: vLLM and transformers count frames alike
    t = np.arange(samples) / 16000
    return AudioData((0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32), 16000, {"source": f"sine {hz} Hz"})


def noise_image(seed: int, size: tuple[int, int] = (64, 96)) -> ImageData:
    pixels = np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)
    return ImageData(Image.fromarray(pixels), {"source": f"noise {seed}"})


def prepare(renderer, sample_id: str, parts: tuple, media: tuple, decoding: Decoding | None = None) -> PreparedRequest:
    messages = (Message("user", parts),)
    sample = Sample(task="runner-test", sample_id=sample_id, messages=messages, reference=None)
    request = Request(sample, decoding or Decoding(max_new_tokens=MAX_NEW_TOKENS))
    return PreparedRequest(request, renderer.render(messages), media, cache_key=sample_id)


def parity_requests(renderer) -> list[PreparedRequest]:
    """Text, two audio, two image and one audio+image request, as in the measured 6/6 parity run."""
    audio = lambda name: MediaPart(MediaRef("audio", path=f"{name}.wav"))  # noqa: E731
    image = lambda name: MediaPart(MediaRef("image", path=f"{name}.png"))  # noqa: E731
    return [
        prepare(renderer, "text", (TextPart("Say something about the sea."),), ()),
        prepare(renderer, "audio-440", (audio("a"), TextPart("Transcribe the audio.")), (sine(1.0, 440),)),
        prepare(renderer, "audio-880", (TextPart("What sound is this?"), audio("b")), (sine(2.5, 880),)),
        prepare(renderer, "image-1", (image("c"), TextPart("Describe the image.")), (noise_image(1),)),
        prepare(renderer, "image-2", (image("d"), TextPart("What colour?")), (noise_image(2, (96, 64)),)),
        prepare(
            renderer,
            "audio-image",
            (image("e"), audio("f"), TextPart("Does the sound match the picture?")),
            (noise_image(3), sine(1.5, 330)),
        ),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VllmServer:
    """`vllm serve` of a checkpoint on 127.0.0.1 with the CPU runner settings; always killed on exit."""

    def __init__(self, model_dir: Path, log_file: Path):
        from evalkit.runners import vllm_cpu_bridge
        from evalkit.runners.vllm import CPU_KV_CACHE_BYTES

        settings = cpu_runner_config()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.served_model = "tiny"
        command = [
            sys.executable, "-m", "vllm.entrypoints.cli.main", "serve", str(model_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--served-model-name", self.served_model,
            "--dtype", "float32", "--seed", str(settings.seed), "--max-model-len", str(settings.max_model_len),
            "--max-num-seqs", str(settings.max_num_seqs), "--gpu-memory-utilization",
            str(settings.gpu_memory_utilization), "--enforce-eager", "--kv-cache-memory-bytes",
            str(CPU_KV_CACHE_BYTES), "--limit-mm-per-prompt", json.dumps(dict(settings.limit_mm_per_prompt)),
        ]  # fmt: skip
        self.log_file = log_file
        self._log = log_file.open("w")
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=vllm_cpu_bridge.child_env(), start_new_session=True
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vllm serve exited with {self.process.returncode}:\n{self._tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"vllm serve not healthy after {SERVER_START_TIMEOUT_S} s:\n{self._tail()}")

    def _tail(self) -> str:
        self._log.flush()
        return "\n".join(self.log_file.read_text().splitlines()[-40:])

    def stop(self) -> None:
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its engine processes (own session)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._log.close()


@pytest.fixture(scope="session")
def vllm_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_vllm()
    return build_checkpoint(tmp_path_factory.mktemp("tiny-qwen3-omni-vllm"))


@pytest.fixture(scope="session")
def renderer(vllm_model_dir):
    from evalkit.prompting import ChatTemplateRenderer

    return ChatTemplateRenderer(str(vllm_model_dir))


@pytest.fixture(scope="session")
def vllm_runner(vllm_model_dir):
    from evalkit.runners.vllm import VLLMRunner

    runner = VLLMRunner(model_config(vllm_model_dir), cpu_runner_config(), str(vllm_model_dir))
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def vllm_server(vllm_model_dir, tmp_path_factory):
    server = VllmServer(vllm_model_dir, tmp_path_factory.mktemp("vllm-serve") / "serve.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()
