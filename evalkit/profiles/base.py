"""What a model family needs from evalkit, as one typed profile: whether a local processor renders its prompts
(and how), which inputs it takes, which runners can run it, how the transformers runner loads, encodes and
generates with it, how vLLM and chat-completions endpoints take its media, and how its output marks reasoning.

Runners and the pipeline ask the profile (chosen by `model.profile`) instead of assuming one family.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from evalkit.config import ConfigError, RunConfig
from evalkit.types import Message, PreparedRequest, Speech

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig
    from evalkit.preflight import TokenCounter

RUNNERS = frozenset({"transformers", "vllm", "openai"})
# How runner=openai sends a video: the file itself (`video_url`, e.g. to `vllm serve`), or its sampled frames as
# images (`image_url` parts in order), which is how chat-completions APIs without video input take a video.
ChatVideo = Literal["video_url", "frames"]


class PromptRenderer(Protocol):
    """Turns a sample's messages into the prompt the engine sees (recorded with each sample and in its cache key).
    `language` is the task's spoken language, for families whose prompt names it (Whisper)."""

    def render(self, messages: tuple[Message, ...], language: str | None) -> str: ...


class TransformersModel(Protocol):
    """A family's model loaded for the transformers runner: it checks, encodes and generates whole batches."""

    eos_token_ids: set[int]
    pad_token_id: int
    attn_implementation: str | None

    def check(self, prepared: PreparedRequest) -> None:
        """Raise ValueError naming the sample for what the processor would reject obscurely."""

    def encode(self, group: Sequence[PreparedRequest], use_audio_in_video: bool, fps: float | None) -> Any:
        """One processor call for the group."""

    def generate(self, inputs: Any, generation_config: Any, use_audio_in_video: bool) -> list[tuple[list[int], int]]:
        """Per row: the generated token ids (prompt excluded, padding after EOS included) and the prompt's
        token count."""

    def decode(self, token_ids: list[int]) -> str: ...

    def close(self) -> None: ...


@runtime_checkable
class SpeakingModel(TransformersModel, Protocol):
    """A model of a family with voices, loaded with its talker (model.talker=true)."""

    def speak(self, inputs: Any, generation_config: Any, use_audio_in_video: bool,
              voice: str) -> list[tuple[list[int], int, Speech]]:  # fmt: skip
        """As `generate`, with each row's text also spoken by the talker in `voice`."""


class ModelProfile:
    """A model family. Subclasses set the class attributes and implement what their runners use."""

    name: str
    description: str
    modalities: frozenset[str]  # input kinds the family takes; a checkpoint's model.modalities is a subset
    runners: frozenset[str]  # runners that can run it
    local_processor: bool = True  # prompts are rendered by the checkpoint's processor (else no local files)
    reads_prompt_text: bool = True  # False: the family ignores the instruction text (recorded, not sent)
    reasoning_format: str | None = None  # "think_tags": the output may open with a <think>...</think> block
    chat_video: ChatVideo = "video_url"
    model_type: str | None = None  # the checkpoint's config.model_type, checked before any weight loads
    voices: tuple[str, ...] = ()  # the talker's voices, for families that speak (model.talker=true)

    def checkpoint_config(self, model_path: str, revision: str | None) -> Any:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(model_path, revision=revision)
        if config.model_type != self.model_type:
            raise ValueError(f"{model_path!r} is a {config.model_type!r} checkpoint; profile {self.name!r} loads "
                             f"model_type {self.model_type!r}; set model.profile to its family")  # fmt: skip
        return config

    def renderer(self, model_path: str, revision: str | None) -> PromptRenderer:
        raise NotImplementedError(f"profile {self.name!r} renders no prompts")

    def token_counter(self, renderer: PromptRenderer) -> TokenCounter | None:
        """Counts prompt tokens from media sizes as the family's processor does, for the token-budget preflight;
        None: the family's prompts are not counted (nothing is planned)."""
        return None

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        raise NotImplementedError(f"profile {self.name!r} does not run through transformers")

    def vllm_input(self, prepared: PreparedRequest) -> dict[str, Any]:
        raise NotImplementedError(f"profile {self.name!r} does not run through vLLM")

    def check_run(self, cfg: RunConfig) -> None:
        """Refuse, before anything loads, a run this family cannot do, in one line naming the key."""
        model = cfg.model
        where = f"model {model.name!r} (profile {self.name!r})"
        if cfg.runner.name not in self.runners:
            valid = ", ".join(sorted(self.runners))
            raise ConfigError(f"{where} cannot run on runner={cfg.runner.name}; valid: {valid}")
        extra = sorted(set(model.modalities) - self.modalities)
        if extra:
            raise ConfigError(f"{where}: model.modalities lists {extra}, which the family does not take "
                              f"(it takes {sorted(self.modalities)})")  # fmt: skip
        if model.reasoning and self.reasoning_format is None:
            raise ConfigError(f"{where}: model.reasoning=true, but the family marks no reasoning in its output; "
                              "set model.reasoning=false")  # fmt: skip
        if not self.local_processor and not (model.path or cfg.runner.served_model):
            raise ConfigError(f"{where}: set model.path (or runner.served_model) to the model name the API takes")
        if model.decoding == "generation_config" and not self.local_processor:
            raise ConfigError(f"{where}: model.decoding=generation_config needs a checkpoint's generation_config.json, "
                              "and a hosted model has none; set model.decoding=greedy")  # fmt: skip
        for task in cfg.tasks.values():
            self.check_task(model.name, task)
        self._check_speech(cfg, where)

    def _check_speech(self, cfg: RunConfig, where: str) -> None:
        if cfg.model.talker and not self.voices:
            raise ConfigError(f"{where} has no talker (no spoken output); set model.talker=false")
        if cfg.model.talker and cfg.runner.name != "transformers":
            raise ConfigError(f"{where}: model.talker=true runs on runner=transformers only (spoken output); "
                              f"runner={cfg.runner.name} returns text")  # fmt: skip
        for task in cfg.tasks.values():
            voice = task.options.get("voice")
            if voice is not None and voice not in self.voices:
                raise ConfigError(f"task {task.name!r}: voice {voice!r} is not one of {where}'s voices; "
                                  f"valid: {', '.join(self.voices)} (tasks.{task.name}.options.voice)")  # fmt: skip

    def check_task(self, model_name: str, task: Any) -> None:
        """Refuse a task the family cannot answer (beyond its input kinds, which the pipeline checks)."""

    def input_kinds(self, kinds: set[str]) -> set[str]:
        """The input kinds of a task that the model must take: text is dropped for a family that ignores it."""
        return kinds if self.reads_prompt_text else kinds - {"text"}
