"""The token-budget preflight: before any model loads, every sample's prompt tokens, per modality, from media
headers and the processor's own arithmetic, checked against what the engine can take.

- text: the tokenizer on the rendered prompt (each media placeholder counts once there and is replaced by the
  media's tokens);
- audio: samples -> feature frames (the feature extractor's hop) -> tokens (the audio encoder's length formula);
- images: the size evalkit hands on -> the image processor's smart_resize, patch and merge;
- video: Qwen's token-budget rule (`qwen_rules.plan_video`) with the total budget derived from the run:
  max_model_len minus max_new_tokens, the text and every other medium, shared equally by the sample's videos and,
  on vLLM, capped by the encoder's per-item budget. The decoder later executes exactly this plan.

A model family whose profile has no token counter (evalkit.profiles: only Qwen3-Omni's processor arithmetic is
restated here) gets its prompts rendered and nothing planned: its videos follow qwen-omni-utils' own budget.

A sample that cannot fit is not dropped or truncated: its plan carries the reason, and the run records it as a
failed sample (stage "budget"; stage "media" for a file whose header cannot be read).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from evalkit.config import ConfigError, MediaConfig, RunConfig, RunnerConfig
from evalkit.media import MediaError
from evalkit.media.audio import decode_video_audio, probe_audio
from evalkit.media.image import probe_image
from evalkit.media.qwen_rules import FRAME_FACTOR, VideoBudgetError, VideoPlan
from evalkit.media.video import VideoHeader, plan_frames, probe_video
from evalkit.profiles.base import PromptRenderer
from evalkit.task import spoken_language
from evalkit.types import MediaRef, Sample, media_parts

# vLLM's default max_num_batched_tokens for the offline `LLM` on a GPU (0.26 to 0.32); vLLM sizes its encoder cache
# from it, and one media item with more tokens fails ("exceeds the pre-allocated encoder cache size").
VLLM_DEFAULT_MAX_NUM_BATCHED_TOKENS = 16384
# A video's audio track (use_audio_in_video) is wrapped in its own start and end tokens inside the video's span.
VIDEO_AUDIO_WRAP_TOKENS = 2

RULE = (
    "video frames: fps sampling with the frame cap (qwen-omni-utils smart_nframes); each frame's pixels capped so "
    "all frames fit the video's token budget (qwen-omni-utils fetch_video, total_pixels = budget); budget = "
    "max_model_len - max_new_tokens - text and other media tokens, shared by the sample's videos, at most the "
    "engine's per-item encoder budget; where even the smallest frames overrun it, fewer frames, evenly spaced"
)


@dataclass(frozen=True)
class EngineLimits:
    """What one request may take: the context, one media item (vLLM's encoder cache) and items per modality."""

    max_model_len: int
    encoder_item_tokens: int | None
    items_per_prompt: dict[str, int] | None

    @classmethod
    def of(cls, runner: RunnerConfig) -> EngineLimits:
        if runner.name != "vllm":  # the other engines take any number of items of any size up to the context
            return cls(runner.max_model_len, None, None)
        encoder = runner.engine_args.get("max_num_batched_tokens", VLLM_DEFAULT_MAX_NUM_BATCHED_TOKENS)
        return cls(runner.max_model_len, encoder, dict(runner.limit_mm_per_prompt))


class TokenCounter:
    """Prompt tokens as Qwen3-Omni's processor (transformers' Qwen3OmniMoeProcessor, which vLLM calls too) makes
    them, from sizes alone: the same functions and the same merged call settings its __call__ uses."""

    def __init__(self, processor: Any):
        from transformers.models.qwen3_omni_moe.processing_qwen3_omni_moe import _get_feat_extract_output_lengths

        parts = ("tokenizer", "feature_extractor", "image_processor", "video_processor")
        missing = [p for p in parts if getattr(processor, p, None) is None]
        if missing or not hasattr(processor, "valid_processor_kwargs"):
            raise ConfigError(
                f"the model's processor ({type(processor).__name__}) lacks {missing or 'call settings'}; the "
                "token-budget preflight needs a Qwen3-Omni processor (model.path)"
            )
        self.processor = processor
        settings = processor._merge_kwargs(
            processor.valid_processor_kwargs, tokenizer_init_kwargs=processor.tokenizer.init_kwargs
        )
        self._audio_lengths = _get_feat_extract_output_lengths
        self._n_window = settings["audio_kwargs"].get("n_window", 50)  # __call__'s own default
        self._images_kwargs = settings["images_kwargs"]
        self._videos_kwargs = settings["videos_kwargs"]

    def text_ids(self, prompts: list[str]) -> list[list[int]]:
        """The token ids of rendered prompts, in one batched call (the fast tokenizer spreads it over the cores)."""
        return self.processor.tokenizer(prompts)["input_ids"] if prompts else []

    def audio(self, n_samples: int) -> int:
        frames = -(-n_samples // self.processor.feature_extractor.hop_length)  # the attention mask's length
        return int(self._audio_lengths(frames, self._n_window))

    def image(self, height: int, width: int) -> int:
        patches = self.processor.image_processor.get_number_of_image_patches(height, width, self._images_kwargs)
        return patches // self.processor.image_processor.merge_size**2

    def video_group(self, height: int, width: int) -> int:
        """Tokens of one temporal patch (FRAME_FACTOR frames) of frames this size; the processor resizes again."""
        video = self.processor.video_processor
        patches = video.get_num_of_video_patches(FRAME_FACTOR, height, width, self._videos_kwargs)
        return patches // video.merge_size**2


@dataclass(frozen=True)
class Failure:
    # "budget" (cannot fit the engine), "media" (a file whose header cannot be read), or "previous_turn" (the
    # earlier turn of its conversation failed: evalkit.turns)
    stage: str
    reason: str


@dataclass(frozen=True)
class SamplePlan:
    task: str
    sample_id: str
    prompt: str
    text_tokens: int  # the rendered prompt, placeholders counted once each
    media_tokens: dict[str, int]  # per modality, what the placeholders expand to
    max_new_tokens: int
    video_plans: tuple[VideoPlan | None, ...] = ()  # aligned with the sample's media references
    failure: Failure | None = None
    counted: bool = True  # False: the model's profile has no token counter, so nothing was planned
    # the rendered prompt's token ids as counted (int32; each media placeholder one token), which vLLM then takes
    # instead of tokenizing again
    prompt_token_ids: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def prompt_tokens(self) -> int:
        return self.text_tokens + sum(self.media_tokens.values())


@dataclass
class _Tally:
    """Per-modality tokens of one sample as they are counted, and its largest item."""

    tokens: Counter = field(default_factory=Counter)
    largest_item: tuple[int, str] = (0, "")

    def add(self, modality: str, tokens: int, label: str) -> None:
        self.tokens[modality] += tokens
        self.largest_item = max(self.largest_item, (tokens, f"{modality} {label}"))


class Preflight:
    """Plans the samples of a run against its engine limits; with no token counter, only renders their prompts."""

    def __init__(self, renderer: PromptRenderer, counter: TokenCounter | None, limits: EngineLimits):
        self.renderer, self.counter, self.limits = renderer, counter, limits

    def plan(self, task: str, sample: Sample, media: MediaConfig, max_new_tokens: int,
             language: str | None = None) -> SamplePlan:
        (plan,) = self.plan_many(task, [sample], media, max_new_tokens, language)
        return plan

    def plan_many(self, task: str, samples: Sequence[Sample], media: MediaConfig, max_new_tokens: int,
                  language: str | None = None) -> list[SamplePlan]:
        """The plans of one task's samples; their prompts are tokenized in one batch."""
        prompts = [self.renderer.render(sample.messages, language) for sample in samples]
        counter = self.counter
        if counter is None:
            return [SamplePlan(task, sample.sample_id, prompt, 0, {}, max_new_tokens, counted=False)
                    for sample, prompt in zip(samples, prompts, strict=True)]
        ids = counter.text_ids(prompts)
        return [self._plan(counter, task, sample, prompt, prompt_ids, media, max_new_tokens)
                for sample, prompt, prompt_ids in zip(samples, prompts, ids, strict=True)]

    def _plan(self, counter: TokenCounter, task: str, sample: Sample, prompt: str, prompt_ids: list[int],
              media: MediaConfig, max_new_tokens: int) -> SamplePlan:
        refs = media_parts(sample.messages)
        text_tokens = len(prompt_ids) - len(refs)  # each placeholder is replaced by its medium's tokens
        base = SamplePlan(task, sample.sample_id, prompt, text_tokens, {}, max_new_tokens,
                          prompt_token_ids=np.asarray(prompt_ids, dtype=np.int32))
        tally = _Tally()
        if over := self._over_item_limit(sample.sample_id, refs, media):  # before any file is opened
            return _with(base, tally, failure=over)
        try:
            videos = self._count_fixed(counter, refs, media, tally)
        except MediaError as error:
            return _with(base, tally, failure=Failure("media", str(error)))
        left = self.limits.max_model_len - max_new_tokens - text_tokens - sum(tally.tokens.values())
        share = left // max(len(videos), 1)
        if self.limits.encoder_item_tokens is not None:
            share = min(share, self.limits.encoder_item_tokens)
        plans: list[VideoPlan | None] = [None] * len(refs)
        for position, (ref, header) in videos.items():
            try:
                plan = plan_frames(ref, header, media, share, counter.video_group)
            except VideoBudgetError as error:
                return _with(base, tally, failure=Failure("budget", self._too_small(sample, ref, error)))
            except MediaError as error:
                return _with(base, tally, failure=Failure("media", str(error)))
            plans[position] = plan
            tally.add("video", plan.tokens, ref.label)
        return _with(base, tally, video_plans=tuple(plans), failure=self._check(base, tally))

    @staticmethod
    def _count_fixed(
        counter: TokenCounter, refs: Sequence[MediaRef], media: MediaConfig, tally: _Tally
    ) -> dict[int, tuple[MediaRef, VideoHeader]]:
        """Tokens of everything but video frames; the videos' headers by position, to plan once the rest is known."""
        videos = {}
        for position, ref in enumerate(refs):
            if ref.kind == "audio":
                tally.add("audio", counter.audio(probe_audio(ref, media)), ref.label)
            elif ref.kind == "image":
                tally.add("image", counter.image(*probe_image(ref, media)), ref.label)
            else:
                videos[position] = (ref, probe_video(ref))
                if media.use_audio_in_video:
                    track = len(decode_video_audio(ref, media, sha256="").waveform)
                    tally.add("audio", counter.audio(track), f"track of {ref.label}")
                    tally.tokens["audio"] += VIDEO_AUDIO_WRAP_TOKENS
        return videos

    def _check(self, plan: SamplePlan, tally: _Tally) -> Failure | None:
        limits, total = self.limits, plan.text_tokens + sum(tally.tokens.values())
        if total + plan.max_new_tokens > limits.max_model_len:
            return Failure("budget", (
                f"sample {plan.sample_id}: {total} prompt tokens + {plan.max_new_tokens} new tokens exceed "
                f"runner.max_model_len={limits.max_model_len}; raise runner.max_model_len"
            ))
        largest, label = tally.largest_item
        if limits.encoder_item_tokens is not None and largest > limits.encoder_item_tokens:
            return Failure("budget", (
                f"sample {plan.sample_id}: {label} takes {largest} tokens, over the engine's per-item encoder budget "
                f"of {limits.encoder_item_tokens} (max_num_batched_tokens); raise max_num_batched_tokens"
            ))
        return None

    def _over_item_limit(self, sample_id: str, refs: Sequence[MediaRef], media: MediaConfig) -> Failure | None:
        """vLLM's limit_mm_per_prompt; a video's audio track (use_audio_in_video) is one more audio item."""
        counts = Counter(ref.kind for ref in refs)
        if media.use_audio_in_video:
            counts["audio"] += counts["video"]
        for modality, count in sorted(counts.items()):
            allowed = (self.limits.items_per_prompt or {}).get(modality, count)
            if count > allowed:
                return Failure("budget", (
                    f"sample {sample_id}: {count} {modality} item(s), runner.limit_mm_per_prompt allows {allowed}; "
                    f"raise runner.limit_mm_per_prompt.{modality}"
                ))
        return None

    def _too_small(self, sample: Sample, ref: MediaRef, error: VideoBudgetError) -> str:
        return (
            f"sample {sample.sample_id}: video {ref.label}: {error} (what runner.max_model_len="
            f"{self.limits.max_model_len} leaves after max_new_tokens, the text and other media); raise "
            "runner.max_model_len"
        )


def plan_run(cfg: RunConfig, renderer: PromptRenderer, counter: TokenCounter | None,
             samples: dict[str, Sequence[Sample]],
             max_new_tokens: dict[str, int]) -> tuple[Preflight, dict[tuple[str, str], SamplePlan]]:
    """Every opening turn of a run planned against its runner's limits, keyed (task, sample_id). A later turn of a
    conversation (evalkit.turns) holds the model's earlier answers, so it is planned by the returned Preflight
    when its round comes."""
    preflight = Preflight(renderer, counter, EngineLimits.of(cfg.runner))
    plans = {
        (name, plan.sample_id): plan
        for name, task_samples in samples.items()
        for plan in preflight.plan_many(name, [s for s in task_samples if s.follows is None], cfg.tasks[name].media,
                                        max_new_tokens[name], spoken_language(cfg.tasks[name]))
    }
    return preflight, plans


def _with(base: SamplePlan, tally: _Tally, **changes: Any) -> SamplePlan:
    return replace(base, media_tokens=dict(tally.tokens), **changes)


@dataclass(frozen=True)
class TaskBudget:
    """One task's preflight in numbers (the manifest's token_budget entry; `evalkit plan` prints it)."""

    task: str
    n_samples: int
    n_unfit: int
    max_prompt_tokens: int
    total_prompt_tokens: int
    max_new_tokens: int
    n_videos_cut: int  # videos given fewer frames than the fps rule asks, to fit
    unfit: list[dict[str, str]]  # sample_id, stage, reason

    @classmethod
    def of(cls, task: str, plans: Sequence[SamplePlan]) -> TaskBudget:
        tokens = [p.prompt_tokens for p in plans]
        return cls(
            task=task,
            n_samples=len(plans),
            n_unfit=sum(p.failure is not None for p in plans),
            max_prompt_tokens=max(tokens, default=0),
            total_prompt_tokens=sum(tokens),
            max_new_tokens=max((p.max_new_tokens for p in plans), default=0),
            n_videos_cut=sum(v is not None and v.frames_cut for p in plans for v in p.video_plans),
            unfit=[{"sample_id": p.sample_id, "stage": p.failure.stage, "reason": p.failure.reason}
                   for p in plans if p.failure is not None],
        )


def task_budgets(plans: Sequence[SamplePlan]) -> dict[str, TaskBudget]:
    by_task: dict[str, list[SamplePlan]] = {}
    for plan in plans:
        by_task.setdefault(plan.task, []).append(plan)
    return {task: TaskBudget.of(task, task_plans) for task, task_plans in by_task.items()}


def budget_summary(limits: EngineLimits, plans: Sequence[SamplePlan]) -> dict[str, Any]:
    """What the manifest records: the rule, the limits it was applied with, and each task's numbers."""
    if not all(p.counted for p in plans):
        return {"rule": "not planned: the model's profile has no token counter", "limits": asdict(limits)}
    return {"rule": RULE, "limits": asdict(limits), "tasks": {k: asdict(v) for k, v in task_budgets(plans).items()}}
