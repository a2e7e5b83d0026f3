"""Whisper (openai/whisper-large-v3 and its sizes) through transformers, for speech recognition tasks.

Whisper reads no instruction: its decoder prompt is `<|startoftranscript|><|lang|><|transcribe|><|notimestamps|>`,
with the language taken from the task (`options.source_language`), and that prompt is what each sample records.
The task's instruction text stays in the messages and is not sent. Whisper hears 30 s at a time; longer audio
would need its long-form decoding, which evalkit does not run, so such a sample fails with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evalkit.config import ConfigError, TaskConfig
from evalkit.profiles.base import ModelProfile, PromptRenderer, TransformersModel
from evalkit.task import spoken_language
from evalkit.types import AudioData, Message, PreparedRequest

if TYPE_CHECKING:
    import torch

    from evalkit.config import ModelConfig, RunnerConfig

WINDOW_S = 30.0


def language_code(language: str) -> str | None:
    """Whisper's code for a language name ("English" -> "en") or code, None if Whisper does not know it."""
    from transformers.models.whisper.tokenization_whisper import LANGUAGES, TO_LANGUAGE_CODE

    key = language.lower()
    return key if key in LANGUAGES else TO_LANGUAGE_CODE.get(key)


class WhisperRenderer:
    """The decoder prompt for a language, checked against the checkpoint's tokenizer."""

    def __init__(self, model_path: str, revision: str | None):
        from transformers import AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_path, revision=revision)
        except OSError as exc:
            raise FileNotFoundError(f"cannot load the Whisper tokenizer of {model_path!r}: {exc}; "
                                    "check model.path") from exc

    def render(self, messages: tuple[Message, ...], language: str | None) -> str:
        code = language_code(language or "")
        if code is None:
            raise ValueError(f"Whisper has no language token for {language!r}")
        prompt = f"<|startoftranscript|><|{code}|><|transcribe|><|notimestamps|>"
        if self.tokenizer.convert_tokens_to_ids(f"<|{code}|>") == self.tokenizer.unk_token_id:
            raise ValueError(f"the checkpoint's tokenizer has no <|{code}|> token ({language})")
        return prompt


def _only_audio(prepared: PreparedRequest) -> AudioData:
    """The request's one audio input: Whisper takes nothing else."""
    media = prepared.media
    if len(media) != 1 or not isinstance(media[0], AudioData):
        raise ValueError(f"sample {prepared.sample.sample_id}: Whisper takes one audio input, got {len(media)} media")
    return media[0]


class WhisperTranscriber:
    def __init__(self, model: Any, processor: Any):
        self.model, self.processor = model, processor
        eos = model.generation_config.eos_token_id
        self.eos_token_ids = set(eos if isinstance(eos, list) else [eos])
        self.pad_token_id = model.generation_config.pad_token_id
        self.sampling_rate = processor.feature_extractor.sampling_rate
        self.attn_implementation = model.config._attn_implementation

    def check(self, prepared: PreparedRequest) -> None:
        sample = prepared.sample.sample_id
        audio = _only_audio(prepared)
        if audio.sample_rate != self.sampling_rate:
            raise ValueError(f"sample {sample}: audio at {audio.sample_rate} Hz, Whisper takes "
                             f"{self.sampling_rate} Hz; the media stage must resample it (media.sample_rate)")
        if len(audio.waveform) > WINDOW_S * audio.sample_rate:
            seconds = len(audio.waveform) / audio.sample_rate
            raise ValueError(f"sample {sample}: {seconds:.1f} s of audio is longer than Whisper's {WINDOW_S:g} s "
                             "window; evalkit does not run its long-form decoding")

    def encode(self, group: Sequence[PreparedRequest], use_audio_in_video: bool, fps: float | None) -> Any:
        from transformers import BatchFeature

        features = self.processor.feature_extractor([_only_audio(p).waveform for p in group],
                                                    sampling_rate=self.sampling_rate, return_tensors="pt")  # fmt: skip
        # Every decoder prompt has the same four special tokens, so no padding is needed.
        prompts = self.processor.tokenizer([p.prompt for p in group], add_special_tokens=False, return_tensors="pt")
        return BatchFeature({"input_features": features.input_features, "decoder_input_ids": prompts.input_ids})

    def generate(self, inputs: Any, generation_config: Any, use_audio_in_video: bool) -> list[tuple[list[int], int]]:
        # Whisper's generate reads its language/task token tables from the checkpoint's generation config.
        config = self.model.generation_config
        config.update(**generation_config.to_diff_dict())
        output = self.model.generate(**inputs, generation_config=config)
        n_prompt = inputs["decoder_input_ids"].shape[1]
        return [(row.tolist(), n_prompt) for row in output]  # Whisper's generate returns only the new tokens

    def decode(self, token_ids: list[int]) -> str:
        return self.processor.tokenizer.decode(token_ids, skip_special_tokens=True).strip()

    def close(self) -> None:
        self.model = None


class WhisperProfile(ModelProfile):
    name = "whisper"
    description = "Whisper (transformers WhisperForConditionalGeneration), speech recognition only"
    modalities = frozenset({"audio"})
    runners = frozenset({"transformers"})
    reads_prompt_text = False
    model_type = "whisper"

    def renderer(self, model_path: str, revision: str | None) -> PromptRenderer:
        return WhisperRenderer(model_path, revision)

    def check_task(self, model_name: str, task: TaskConfig) -> None:
        if task.scorer.name != "asr":
            raise ConfigError(f"model {model_name!r} (Whisper) only transcribes speech: task {task.name!r} is scored "
                              f"by {task.scorer.name!r}, not 'asr'; choose speech recognition tasks")  # fmt: skip
        language = spoken_language(task)
        if language is None or language_code(language) is None:
            raise ConfigError(f"task {task.name!r}: options.source_language={language!r} names no language Whisper "
                              "knows; set it to the spoken language (e.g. English)")  # fmt: skip

    def load_transformers(self, model: ModelConfig, runner: RunnerConfig, model_path: str, dtype: torch.dtype,
                          device: torch.device) -> TransformersModel:  # fmt: skip
        from transformers import AutoProcessor, WhisperForConditionalGeneration

        self.checkpoint_config(model_path, model.revision)
        processor = AutoProcessor.from_pretrained(model_path, revision=model.revision)
        loaded = WhisperForConditionalGeneration.from_pretrained(
            model_path, revision=model.revision or "main", dtype=dtype, attn_implementation=runner.attn_implementation
        )
        # transformers types PreTrainedModel.to through a decorator that loses `self`
        on_device = loaded.to(device).eval()  # type: ignore[arg-type]
        return WhisperTranscriber(on_device, processor)


PROFILE = WhisperProfile()
