"""Models through Hugging Face transformers: one processor call and one `generate` call per batch.

The model's profile (evalkit/profiles) loads it and encodes, generates and decodes for its family (the Qwen Omni
thinkers, Whisper); this module holds what every family shares: devices and dtypes, grouping, decoding
settings, failure isolation, EOS trimming and the engine record.

Requests in one batch normally share decoding, `use_audio_in_video`, video frame rate and talker voice; requests
that differ in any of these are generated in separate calls, since the processor and `generate` take each as one
value. Spoken answers (a request with a voice) are batched like text: the talker runs on the whole group.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import torch

from evalkit.config import ModelConfig, RunnerConfig
from evalkit.profiles.base import SpeakingModel
from evalkit.provenance import model_identity
from evalkit.runners.base import EngineInfo, video_fps
from evalkit.types import Decoding, PreparedRequest, Response, Speech

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


def generation_config(decoding: Decoding, eos_token_id: int | list[int], pad_token_id: int | None,
                      suppress_tokens: list[int] | None = None):
    """Every decoding field set explicitly, so nothing is inherited from a checkpoint's defaults."""
    from transformers import GenerationConfig

    fields: dict[str, Any] = {
        "max_new_tokens": decoding.max_new_tokens,
        "eos_token_id": eos_token_id,
        "pad_token_id": pad_token_id,
        "num_beams": 1,
        "suppress_tokens": suppress_tokens,
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
        from evalkit.profiles import get_profile

        self.model_config, self.runner_config, self.model_path = model, runner, model_path
        self.dtype_name = runner.dtype or model.dtype
        self.dtype = resolve_dtype(self.dtype_name)
        self.device = resolve_device(runner.device)
        self.model = get_profile(model.profile).load_transformers(model, runner, model_path, self.dtype, self.device)
        # random weights: every id the tokenizer cannot decode to text is suppressed (see evalkit.full_size)
        self.suppressed_token_ids = _undecodable_ids(model_path, model.revision) if model.weights == "random" else None
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)

    def generate(self, batch: Sequence[PreparedRequest]) -> list[Response]:
        started = time.perf_counter()
        responses: dict[int, Response] = {}  # by position in the batch
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, prepared in enumerate(batch):
            try:
                fps = video_fps(prepared)
                self.model.check(prepared)
            except ValueError as exc:
                responses[i] = Response(text=None, error=str(exc))
                continue
            request = prepared.request
            groups[(request.decoding, request.use_audio_in_video, fps, request.voice)].append(i)
        for (decoding, use_audio_in_video, fps, voice), indices in _merge_videoless(groups).items():
            results = self._generate_group([batch[i] for i in indices], decoding, use_audio_in_video, fps, voice)
            for i, response in zip(indices, results, strict=True):
                responses[i] = response
        per_request = (time.perf_counter() - started) / max(len(batch), 1)
        in_order = (responses[i] for i in range(len(batch)))
        return [r if r.failed else replace(r, latency_s=per_request) for r in in_order]

    def _generate_group(
        self, group: list[PreparedRequest], decoding: Decoding, use_audio_in_video: bool, fps: float | None,
        voice: str | None,
    ) -> list[Response]:
        responses: dict[int, Response] = {}  # by position in the group
        encodable = list(range(len(group)))
        try:
            inputs = self.model.encode(group, use_audio_in_video, fps)
        except Exception:
            if len(group) == 1:
                raise
            for i, prepared in enumerate(group):
                try:
                    self.model.encode([prepared], use_audio_in_video, fps)
                except Exception as exc:  # noqa: BLE001 - any processor error is this request's own
                    responses[i] = Response(text=None, error=f"processor: {type(exc).__name__}: {exc}")
            encodable = [i for i in encodable if i not in responses]
            if not encodable:
                return [responses[i] for i in range(len(group))]
            inputs = self.model.encode([group[i] for i in encodable], use_audio_in_video, fps)
        for i, response in zip(encodable, self._run(inputs, decoding, use_audio_in_video, voice), strict=True):
            responses[i] = response
        return [responses[i] for i in range(len(group))]

    @torch.inference_mode()
    def _run(self, inputs, decoding: Decoding, use_audio_in_video: bool, voice: str | None) -> list[Response]:
        inputs = inputs.to(self.device)  # the towers cast pixels and features to their own dtype
        if decoding.do_sample or voice is not None:  # the talker always samples
            torch.manual_seed(decoding.seed)
        config = generation_config(decoding, sorted(self.model.eos_token_ids), self.model.pad_token_id,
                                   self.suppressed_token_ids)
        rows: list[tuple[list[int], int, Speech | None]]
        if voice is None:
            rows = [(ids, n, None) for ids, n in self.model.generate(inputs, config, use_audio_in_video)]
        elif isinstance(self.model, SpeakingModel):
            rows = list(self.model.speak(inputs, config, use_audio_in_video, voice))
        else:
            raise ValueError(f"voice {voice!r}: the model was loaded without a talker (model.talker=true speaks)")
        responses = []
        for generated, n_prompt, speech in rows:
            token_ids, finish_reason = trim_at_eos(generated, self.model.eos_token_ids)
            responses.append(
                Response(
                    text=self.model.decode(token_ids),
                    prompt_tokens=n_prompt,
                    output_tokens=len(token_ids),
                    finish_reason=finish_reason,
                    token_ids=tuple(token_ids),
                    speech=speech,
                )
            )
        return responses

    def info(self) -> EngineInfo:
        import transformers

        details: dict[str, Any] = {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "attn_implementation": self.model.attn_implementation,
            "talker": self.model_config.talker,
        }
        if self.suppressed_token_ids is not None:
            details["suppressed_token_ids"] = {"count": len(self.suppressed_token_ids),
                                               "why": "random weights: only ids the tokenizer decodes to text"}
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
        self.model.close()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()


def _merge_videoless(groups: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Requests without video join a group with the same decoding, use_audio_in_video and voice, whatever its
    fps."""
    merged: dict[tuple, list[int]] = {}
    for key, indices in sorted(groups.items(), key=lambda item: item[0][2] is None):
        decoding, use_audio_in_video, fps, voice = key
        if fps is None:
            target = next((k for k in merged if (k[0], k[1], k[3]) == (decoding, use_audio_in_video, voice)), key)
            merged.setdefault(target, []).extend(indices)
        else:
            merged[key] = list(indices)
    return {key: sorted(indices) for key, indices in merged.items()}


def _undecodable_ids(model_path: str, revision: str | None) -> list[int]:
    from transformers import AutoConfig, AutoTokenizer

    from evalkit.full_size import decodable_token_ids

    allowed = set(decodable_token_ids(AutoTokenizer.from_pretrained(model_path, revision=revision)))
    vocab_size = AutoConfig.from_pretrained(model_path, revision=revision).get_text_config().vocab_size
    return [i for i in range(vocab_size) if i not in allowed]
