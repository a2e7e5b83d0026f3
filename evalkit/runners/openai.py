"""Chat completions against any OpenAI-compatible endpoint (`vllm serve`, a hosted API), over httpx.

Each request becomes one chat-completions call built from the sample's messages, media in part order:
audio as `input_audio` (base64 16-bit PCM WAV of the decoded waveform), images as `image_url` data URLs (PNG,
lossless), and videos as the model's profile says: a `video_url` data URL (the sampled frames encoded as an MP4
at their sampling rate, which `vllm serve` decodes again with its own frame sampling), or, for hosted APIs that
take no video, the sampled frames as `image_url` parts in order.

A batch runs with bounded concurrency (a thread pool of `runner.concurrency`); each call has `runner.timeout_s`
and up to `runner.max_retries` retries with exponential backoff (honouring Retry-After) on 429, 5xx, timeouts
and connection errors. A request that still fails, or gets another 4xx, becomes an error Response for that sample
only. The API key comes from the environment variable `runner.api_key_env` and is never logged or stored.

vLLM's extensions (token ids in the response, top_k, repetition_penalty, `mm_processor_kwargs`) are sent only to
a vLLM server, detected once by its /version endpoint; other endpoints get only standard fields.
`use_audio_in_video` is sent as `mm_processor_kwargs` only when on: `vllm serve` then needs
`--trust-request-mm-kwargs` (or `--mm-processor-kwargs '{"use_audio_in_video": true}'` for the whole server).
"""

from __future__ import annotations

import base64
import io
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import numpy as np
from PIL import Image

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.profiles.base import ChatVideo
from evalkit.runners.base import EngineInfo
from evalkit.types import AudioData, ImageData, MediaData, MediaPart, PreparedRequest, Response, TextPart, VideoData

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_BACKOFF_S = 60.0


class RequestFailed(Exception):
    """A request that cannot succeed or ran out of retries; its message becomes the sample's error."""


def wav_base64(audio: AudioData) -> str:
    import soundfile

    buffer = io.BytesIO()
    waveform = np.asarray(audio.waveform, dtype=np.float32)
    soundfile.write(buffer, waveform, audio.sample_rate, format="WAV", subtype="PCM_16")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def png_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def mp4_data_url(video: VideoData) -> str:
    import av

    buffer = io.BytesIO()
    frames = np.asarray(video.frames, dtype=np.uint8)
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=max(1, round(video.fps)))
        stream.height, stream.width = (frames.shape[1] // 2) * 2, (frames.shape[2] // 2) * 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "1"}  # best quality the encoder has: the server decodes these frames again
        for frame in frames:
            image = av.VideoFrame.from_ndarray(frame[: stream.height, : stream.width], format="rgb24")
            container.mux(stream.encode(image))
        container.mux(stream.encode(None))
    return "data:video/mp4;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def media_content(item: MediaData, video: ChatVideo) -> list[dict[str, Any]]:
    """One decoded medium as chat-completions content parts."""
    if isinstance(item, AudioData):
        return [{"type": "input_audio", "input_audio": {"data": wav_base64(item), "format": "wav"}}]
    if isinstance(item, ImageData):
        return [{"type": "image_url", "image_url": {"url": png_data_url(item.pil())}}]
    if video == "frames":
        return [{"type": "image_url", "image_url": {"url": png_data_url(Image.fromarray(f))}} for f in item.frames]
    return [{"type": "video_url", "video_url": {"url": mp4_data_url(item)}}]


def chat_messages(prepared: PreparedRequest, video: ChatVideo = "video_url") -> list[dict[str, Any]]:
    """The sample's messages in chat-completions form, each media part replaced by its decoded data. With
    use_audio_in_video a video's audio track follows it in the decoded media: sent as frames, the video carries
    it as the next `input_audio` part; sent as a file, the server takes it from the file (mm_processor_kwargs)."""
    media = iter(prepared.media)
    messages = []
    for message in prepared.sample.messages:
        content: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, TextPart):
                content.append({"type": "text", "text": part.text})
                continue
            if not isinstance(part, MediaPart):
                raise TypeError(f"sample {prepared.sample.sample_id}: unknown message part {part!r}")
            item = next(media, None)
            if item is None:
                raise ValueError(f"sample {prepared.sample.sample_id}: more media parts than decoded media")
            content += media_content(item, video)
            if isinstance(item, VideoData) and prepared.request.use_audio_in_video:
                track = next(media, None)
                if video == "frames" and track is not None:
                    content += media_content(track, video)
        messages.append({"role": message.role, "content": content})
    return messages


def request_body(prepared: PreparedRequest, model: str, vllm_server: bool,
                 video: ChatVideo = "video_url") -> dict[str, Any]:  # fmt: skip
    decoding = prepared.request.decoding
    body: dict[str, Any] = {
        "model": model,
        "messages": chat_messages(prepared, video),
        "max_tokens": decoding.max_new_tokens,
        "temperature": decoding.temperature if decoding.do_sample else 0.0,
        "top_p": decoding.top_p if decoding.do_sample else 1.0,
        "seed": decoding.seed,
        "n": 1,
    }
    if vllm_server:
        body.update(
            return_token_ids=True,
            top_k=max(decoding.top_k, 0) if decoding.do_sample else 0,
            repetition_penalty=decoding.repetition_penalty,
        )
        if prepared.request.use_audio_in_video:  # off is the processor's default; on needs a trusting server
            body["mm_processor_kwargs"] = {"use_audio_in_video": True}
    elif decoding.repetition_penalty != 1.0 or (decoding.do_sample and decoding.top_k > 0):
        raise ValueError(
            f"sample {prepared.sample.sample_id}: top_k / repetition_penalty are not chat-completions fields; "
            "only a vLLM server takes them"
        )
    return body


def to_response(payload: dict[str, Any], latency_s: float) -> Response:
    choice = payload["choices"][0]
    usage = payload.get("usage") or {}
    token_ids = choice.get("token_ids")
    return Response(
        text=choice["message"].get("content") or "",
        prompt_tokens=usage.get("prompt_tokens"),
        output_tokens=usage.get("completion_tokens"),
        latency_s=latency_s,
        finish_reason=choice.get("finish_reason"),
        token_ids=tuple(token_ids) if token_ids is not None else None,
    )


def reported_vllm_version(base_url: str, timeout_s: float, client: httpx.Client | None = None) -> str | None:
    """The vLLM version the endpoint reports at /version, or None for any other server (or none answering)."""
    base_url = base_url.rstrip("/")
    root = base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url
    try:
        reply = (client or httpx).get(f"{root}/version", timeout=min(timeout_s, 30.0))
        return str(reply.json()["version"]) if reply.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


class OpenAIRunner:
    name = "openai"

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str, initial_backoff_s: float = 1.0):
        if not runner.base_url:
            raise ValueError("runner.base_url is not set; give the endpoint, e.g. runner.base_url=http://127.0.0.1:8000/v1")
        from evalkit.profiles import get_profile

        self.model_config, self.runner_config, self.model_path = model, runner, model_path
        self.video: ChatVideo = get_profile(model.profile).chat_video
        self.base_url = runner.base_url.rstrip("/")
        self.served_model = runner.served_model or model_path
        self.initial_backoff_s = initial_backoff_s
        headers = {}
        if key := os.environ.get(runner.api_key_env):
            headers["Authorization"] = f"Bearer {key}"
        limits = httpx.Limits(max_connections=runner.concurrency, max_keepalive_connections=runner.concurrency)
        self.client = httpx.Client(headers=headers, timeout=runner.timeout_s, limits=limits)
        self.pool = ThreadPoolExecutor(max_workers=runner.concurrency, thread_name_prefix="openai-runner")
        self.server_version = reported_vllm_version(self.base_url, runner.timeout_s, self.client)
        self._retries = 0
        self._lock = threading.Lock()

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        return list(self.pool.map(self._one, batch))

    def _one(self, prepared: PreparedRequest) -> Response:
        started = time.perf_counter()
        try:
            body = request_body(prepared, self.served_model, self.server_version is not None, self.video)
            payload = self._post_with_retries(body)
            return to_response(payload, time.perf_counter() - started)
        except (RequestFailed, ValueError, TypeError, KeyError, IndexError) as exc:
            return Response(text=None, error=f"{type(exc).__name__}: {exc}", latency_s=time.perf_counter() - started)

    def _post_with_retries(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/chat/completions"
        attempts = self.runner_config.max_retries + 1
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                reply = self.client.post(url, json=body)
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if reply.status_code == 200:
                    return reply.json()
                problem = f"HTTP {reply.status_code}: {reply.text[:500]}"
                if reply.status_code not in RETRY_STATUS:
                    raise RequestFailed(problem)
                retry_after = _retry_after_s(reply)
            if attempt + 1 == attempts:
                raise RequestFailed(f"{problem} (gave up after {attempts} attempts)")
            with self._lock:
                self._retries += 1
            backoff = self.initial_backoff_s * 2**attempt
            time.sleep(min(MAX_BACKOFF_S, retry_after if retry_after is not None else backoff))
        raise AssertionError("unreachable")

    def info(self) -> EngineInfo:
        return EngineInfo(
            runner=self.name,
            model_path=self.model_path,
            model_revision=self.model_config.revision,
            model_hash=None,  # the server's checkpoint is not visible from here
            dtype="server",  # whatever the server loaded; not visible through the API
            device="remote",
            details={
                "base_url": self.base_url,
                "served_model": self.served_model,
                "vllm_server_version": self.server_version,
                "concurrency": self.runner_config.concurrency,
                "timeout_s": self.runner_config.timeout_s,
                "max_retries": self.runner_config.max_retries,
                "retries_made": self._retries,
                "httpx": httpx.__version__,
            },
        )

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()


def _retry_after_s(reply: httpx.Response) -> float | None:
    try:
        return max(0.0, float(reply.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None
