"""What the Qwen Omni families (Qwen3-Omni, Qwen2.5-Omni) share: prompts rendered by the checkpoint's chat template
with media placeholders, one processor call per batch (audio, images, videos in prompt order), generation by the
thinker alone (no talker, so no speech output and none of its weights), and vLLM inputs as `multi_modal_data`.

The families differ only in how the thinker is loaded from the checkpoint (qwen3_omni.py, qwen2_5_omni.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from evalkit.profiles.base import ModelProfile, PromptRenderer, TransformersModel
from evalkit.prompting import ChatTemplateRenderer
from evalkit.runners.base import video_fps
from evalkit.types import AudioData, ImageData, PreparedRequest, VideoData

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig


class QwenOmniThinker:
    """A Qwen Omni thinker and its processor, for the transformers runner. Prompts are left-padded; media go to
    the processor in the order their placeholders appear."""

    def __init__(self, thinker: Any, processor: Any, eos: int | list[int] | None):
        self.thinker, self.processor = thinker, processor
        tokenizer = processor.tokenizer
        eos = tokenizer.eos_token_id if eos is None else eos  # generation_config.json's, else the tokenizer's
        self.eos_token_ids = set(eos if isinstance(eos, list) else [eos])
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.eos_token_ids)
        self.sampling_rate = processor.feature_extractor.sampling_rate
        self.attn_implementation = thinker.config._attn_implementation

    def check(self, prepared: PreparedRequest) -> None:
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

    def encode(self, group: Sequence[PreparedRequest], use_audio_in_video: bool, fps: float | None) -> Any:
        """One processor call; audio (including a video's own track, which follows its video), images and videos
        each listed in prompt order, which is the order the processor expands their placeholders."""
        media = [m for prepared in group for m in prepared.media]
        kwargs: dict[str, Any] = {}
        if audio := [m.waveform for m in media if isinstance(m, AudioData)]:
            kwargs.update(audio=audio, sampling_rate=self.sampling_rate)
        if images := [m.pil() for m in media if isinstance(m, ImageData)]:
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

    def generate(self, inputs: Any, generation_config: Any, use_audio_in_video: bool) -> list[tuple[list[int], int]]:
        output = self.thinker.generate(**inputs, generation_config=generation_config,
                                       use_audio_in_video=use_audio_in_video)  # fmt: skip
        prompt_length = inputs["input_ids"].shape[1]
        prompt_tokens = inputs["attention_mask"].sum(dim=1).tolist()
        return [(row[prompt_length:].tolist(), int(n)) for row, n in zip(output, prompt_tokens, strict=True)]

    def decode(self, token_ids: list[int]) -> str:
        return self.processor.tokenizer.decode(token_ids, skip_special_tokens=True)

    def close(self) -> None:
        self.thinker = None


class QwenOmniProfile(ModelProfile):
    modalities = frozenset({"text", "audio", "image", "video"})
    runners = frozenset({"transformers", "vllm", "openai"})
    reasoning_format = "think_tags"  # the Thinking checkpoints
    chat_video = "video_url"  # `vllm serve` decodes the file with the processor's own frame sampling

    def renderer(self, model_path: str, revision: str | None) -> PromptRenderer:
        return ChatTemplateRenderer(model_path, revision)

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        from transformers import AutoProcessor

        config = self.checkpoint_config(model_path, model.revision)
        processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        weights = {"revision": model.revision, "dtype": dtype, "attn_implementation": runner.attn_implementation,
                   "device_map": str(device) if device.type == "cuda" else None}  # fmt: skip
        if model.weights == "random":  # the config's architecture built where it runs, in its dtype: no copies
            with device:
                thinker, eos = self.random_thinker(config, dtype, runner.attn_implementation), None
        else:
            thinker, eos = self.load_thinker(model_path, config, weights)
        return QwenOmniThinker(thinker.to(device).eval(), processor, eos)

    def load_thinker(self, model_path: str, config: Any, weights: dict[str, Any]) -> tuple[Any, int | list[int] | None]:
        """The family's thinker (no talker weights) and the EOS ids of the checkpoint's generation_config.json."""
        raise NotImplementedError

    def random_thinker(self, config: Any, dtype: torch.dtype, attn_implementation: str | None) -> Any:
        """The family's thinker built from the config with random weights (model.weights=random)."""
        raise NotImplementedError(f"profile {self.name!r} cannot build random weights; use model.weights=checkpoint")

    def vllm_input(self, prepared: PreparedRequest) -> dict[str, Any]:
        """The prompt dict vLLM takes: media in `multi_modal_data` in prompt order, audio as (waveform, rate),
        images as RGB pixel arrays, videos as uint8 frame arrays whose rate travels in `mm_processor_kwargs` (`fps`,
        with `do_sample_frames` off, as the transformers runner passes them). Each item's content_id goes along as its
        `multi_modal_uuids` entry: vLLM then keys its caches by it instead of hashing every pixel in the engine loop
        (an hour of video is 0.4 s of hashing on an H200 host). The prompt goes as the preflight's token ids where
        it counted them: vLLM 0.26 reads multi_modal_uuids only beside token ids (a text prompt's are dropped)."""
        ids = prepared.prompt_token_ids
        if ids is not None and not prepared.media:
            return {"prompt_token_ids": ids.tolist()}
        data: dict[str, list[Any]] = {}
        uuids: dict[str, list[str | None]] = {}
        for item in prepared.media:
            modality, value = _vllm_item(item)
            data.setdefault(modality, []).append(value)
            uuids.setdefault(modality, []).append(item.content_id or None)
        kwargs: dict[str, Any] = {"use_audio_in_video": prepared.request.use_audio_in_video}
        if fps := video_fps(prepared):
            kwargs.update(fps=fps, do_sample_frames=False)
        entry: dict[str, Any] = {"prompt": prepared.prompt} if ids is None else {"prompt_token_ids": ids.tolist()}
        entry["mm_processor_kwargs"] = kwargs
        if data:
            entry["multi_modal_data"] = {k: v[0] if len(v) == 1 else v for k, v in data.items()}
            entry["multi_modal_uuids"] = uuids
        return entry


def _vllm_item(item: AudioData | ImageData | VideoData) -> tuple[str, Any]:
    """One decoded item as vLLM's multi_modal_data takes it: its modality and value."""
    if isinstance(item, AudioData):
        return "audio", (item.waveform, item.sample_rate)
    if isinstance(item, ImageData):
        # Pixels, never a PIL image: vLLM EXIF-transposes PIL images, which the official fetch_image and the HF
        # processor of the transformers runner do not (and an image from shared memory is an array already). An
        # array 1 or 3 pixels high reads as channels-first to the HF processor: that one goes as PIL, without EXIF.
        pixels = np.asarray(item.image)
        return "image", Image.fromarray(pixels) if pixels.shape[0] in (1, 3) else pixels
    return "video", item.frames
