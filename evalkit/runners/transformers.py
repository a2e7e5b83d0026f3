"""Qwen3-Omni through Hugging Face transformers: one processor call and one `generate` call per batch.

The talker (speech output) is never built: the config is loaded with `enable_audio_output=False`, so its weights
are skipped, and generation goes straight to the thinker, which is what the full model's `generate` does when
it returns no audio. Prompts are left-padded; media go to the processor in the order their placeholders appear.

Requests in one batch normally share decoding, `use_audio_in_video` and video frame rate; requests that differ
in any of these are generated in separate calls, since the processor and `generate` take each as one value.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import torch

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.provenance import model_identity
from evalkit.runners.base import EngineInfo, video_fps
from evalkit.types import (
    AudioData,
    Decoding,
    ImageData,
    PreparedRequest,
    Response,
    VideoData,
)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"runner.device={name!r} but CUDA is not available here; use runner.device=cpu or auto")
    return device


def resolve_dtype(name: str) -> torch.dtype:
    if name not in DTYPES:
        raise ValueError(f"dtype {name!r} is not supported; valid: {', '.join(DTYPES)}")
    return DTYPES[name]


def generation_config(decoding: Decoding, eos_token_id: int | list[int], pad_token_id: int | None):
    """Every decoding field set explicitly, so nothing is inherited from a checkpoint's defaults."""
    from transformers import GenerationConfig

    fields: dict[str, Any] = {
        "max_new_tokens": decoding.max_new_tokens,
        "eos_token_id": eos_token_id,
        "pad_token_id": pad_token_id,
        "num_beams": 1,
    }
    if decoding.do_sample:
        fields.update(
            do_sample=True,
            temperature=decoding.temperature,
            top_p=decoding.top_p,
            top_k=max(decoding.top_k, 0),  # Decoding's -1 ("no top-k") is 0 in transformers
            repetition_penalty=decoding.repetition_penalty,
        )
    else:
        fields.update(do_sample=False, repetition_penalty=decoding.repetition_penalty)
    return GenerationConfig(**fields)


def trim_at_eos(generated: list[int], eos_token_ids: set[int]) -> tuple[list[int], str]:
    """Generated ids up to and including the first EOS (engines count it as an output token), dropping the
    padding `generate` adds after a row finishes; finish reason "stop" at an EOS, else "length"."""
    for k, token in enumerate(generated):
        if token in eos_token_ids:
            return generated[: k + 1], "stop"
    return generated, "length"


class TransformersRunner:
    name = "transformers"

    def __init__(self, model: ModelConfig, runner: RunnerConfig, model_path: str):
        from transformers import (
            AutoConfig,
            AutoProcessor,
            Qwen3OmniMoeForConditionalGeneration,
        )

        self.model_config, self.runner_config, self.model_path = model, runner, model_path
        self.dtype_name = runner.dtype or model.dtype
        self.dtype = resolve_dtype(self.dtype_name)
        self.device = resolve_device(runner.device)
        config = AutoConfig.from_pretrained(model_path, revision=model.revision)
        if config.model_type != "qwen3_omni_moe":
            raise ValueError(
                f"{model_path!r} is a {config.model_type!r} checkpoint; the transformers runner loads Qwen3-Omni "
                "(model_type qwen3_omni_moe) checkpoints"
            )
        config.enable_audio_output = False  # evaluation reads text only; the talker's weights are never loaded
        self.processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        full = Qwen3OmniMoeForConditionalGeneration.from_pretrained(
            model_path,
            config=config,
            revision=model.revision,
            dtype=self.dtype,
            attn_implementation=runner.attn_implementation,
            device_map=str(self.device) if self.device.type == "cuda" else None,
        )
        self.thinker = full.thinker.to(self.device).eval()
        tokenizer = self.processor.tokenizer
        eos = full.generation_config.eos_token_id  # the checkpoint's generation_config.json, else the tokenizer's
        eos = tokenizer.eos_token_id if eos is None else eos
        self.eos_token_ids = set(eos if isinstance(eos, list) else [eos])
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.eos_token_ids)
        self.sampling_rate = self.processor.feature_extractor.sampling_rate
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        started = time.perf_counter()
        responses: list[Response | None] = [None] * len(batch)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, prepared in enumerate(batch):
            try:
                fps = video_fps(prepared)
                self._check_request(prepared)
            except ValueError as exc:
                responses[i] = Response(text=None, error=str(exc))
                continue
            groups[(prepared.request.decoding, prepared.request.use_audio_in_video, fps)].append(i)
        for (decoding, use_audio_in_video, fps), indices in _merge_videoless(groups).items():
            results = self._generate_group([batch[i] for i in indices], decoding, use_audio_in_video, fps)
            for i, response in zip(indices, results):
                responses[i] = response
        per_request = (time.perf_counter() - started) / max(len(batch), 1)
        return [r if r.failed else replace(r, latency_s=per_request) for r in responses]  # type: ignore[union-attr]

    def _check_request(self, prepared: PreparedRequest) -> None:
        """Clear errors for what the processor would reject obscurely (a StopIteration for a missing medium)."""
        media = prepared.media
        for item in media:
            if isinstance(item, AudioData) and item.sample_rate != self.sampling_rate:
                raise ValueError(
                    f"sample {prepared.sample.sample_id}: audio at {item.sample_rate} Hz, the model takes "
                    f"{self.sampling_rate} Hz; the media stage must resample it (media.sample_rate)"
                )
        processor, prompt = self.processor, prepared.prompt
        n_videos = prompt.count(processor.video_token)
        expected = {
            AudioData: prompt.count(processor.audio_token) + (n_videos if prepared.request.use_audio_in_video else 0),
            ImageData: prompt.count(processor.image_token),
            VideoData: n_videos,
        }
        for kind, wanted in expected.items():
            given = sum(isinstance(item, kind) for item in media)
            if given != wanted:
                raise ValueError(
                    f"sample {prepared.sample.sample_id}: the prompt has {wanted} {kind.__name__} placeholder(s) "
                    f"but {given} were decoded (with use_audio_in_video, each video's audio track follows it)"
                )

    def _generate_group(
        self, group: list[PreparedRequest], decoding: Decoding, use_audio_in_video: bool, fps: float | None
    ) -> list[Response]:
        responses: list[Response | None] = [None] * len(group)
        encodable = list(range(len(group)))
        try:
            inputs = self.encode(group, use_audio_in_video, fps)
        except Exception:
            if len(group) == 1:
                raise
            for i, prepared in enumerate(group):
                try:
                    self.encode([prepared], use_audio_in_video, fps)
                except Exception as exc:  # noqa: BLE001 - any processor error is this request's own
                    responses[i] = Response(text=None, error=f"processor: {type(exc).__name__}: {exc}")
            encodable = [i for i in encodable if responses[i] is None]
            if not encodable:
                return responses  # type: ignore[return-value]
            inputs = self.encode([group[i] for i in encodable], use_audio_in_video, fps)
        for i, response in zip(encodable, self._run(inputs, decoding, use_audio_in_video)):
            responses[i] = response
        return responses  # type: ignore[return-value]

    def encode(self, group: list[PreparedRequest], use_audio_in_video: bool, fps: float | None):
        """One processor call; audio (including a video's own track, which follows its video), images and videos
        each listed in prompt order, which is the order the processor expands their placeholders."""
        media = [m for prepared in group for m in prepared.media]
        kwargs: dict[str, Any] = {}
        if audio := [m.waveform for m in media if isinstance(m, AudioData)]:
            kwargs.update(audio=audio, sampling_rate=self.sampling_rate)
        if images := [m.image for m in media if isinstance(m, ImageData)]:
            kwargs["images"] = images
        if videos := [m.frames for m in media if isinstance(m, VideoData)]:
            # Frames are already sampled; fps only sets the temporal positions (seconds per temporal patch).
            kwargs.update(videos=videos, fps=fps, do_sample_frames=False)
        return self.processor(
            text=[prepared.prompt for prepared in group],
            padding=True,
            padding_side="left",
            use_audio_in_video=use_audio_in_video,
            return_tensors="pt",
            **kwargs,
        )

    @torch.inference_mode()
    def _run(self, inputs, decoding: Decoding, use_audio_in_video: bool) -> list[Response]:
        inputs = inputs.to(self.device)  # the towers cast pixels and features to their own dtype
        if decoding.do_sample:
            torch.manual_seed(decoding.seed)
        output = self.thinker.generate(
            **inputs,
            generation_config=generation_config(decoding, sorted(self.eos_token_ids), self.pad_token_id),
            use_audio_in_video=use_audio_in_video,
        )
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        responses = []
        for row, n_prompt in zip(output, prompt_tokens):
            token_ids, finish_reason = trim_at_eos(row[prompt_length:].tolist(), self.eos_token_ids)
            responses.append(
                Response(
                    text=self.processor.tokenizer.decode(token_ids, skip_special_tokens=True),
                    prompt_tokens=int(n_prompt),
                    output_tokens=len(token_ids),
                    finish_reason=finish_reason,
                    token_ids=tuple(token_ids),
                )
            )
        return responses

    def info(self) -> EngineInfo:
        import transformers

        details: dict[str, Any] = {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "attn_implementation": self.thinker.config._attn_implementation,
            "talker": False,
        }
        if self.device.type == "cuda":
            details["gpu"] = torch.cuda.get_device_name(self.device)
            details["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated(self.device) / 2**30, 3)
        return EngineInfo(
            runner=self.name,
            model_path=self.model_path,
            model_revision=self.model_config.revision,
            model_hash=model_identity(self.model_path, self.model_config.revision).get("content_hash"),
            dtype=self.dtype_name,
            device=str(self.device),
            details=details,
        )

    def close(self) -> None:
        self.thinker = None  # type: ignore[assignment]
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def _merge_videoless(groups: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Requests without video join a group with the same decoding and use_audio_in_video, whatever its fps."""
    merged: dict[tuple, list[int]] = {}
    for key, indices in sorted(groups.items(), key=lambda item: item[0][2] is None):
        decoding, use_audio_in_video, fps = key
        if fps is None:
            target = next((k for k in merged if k[:2] == (decoding, use_audio_in_video)), key)
            merged.setdefault(target, []).extend(indices)
        else:
            merged[key] = list(indices)
    return {key: sorted(indices) for key, indices in merged.items()}
