"""Fleurs (google/fleurs; one config per language such as en_us / cmn_hans_cn, split test): ASR and speech
translation (S2TT) built from Fleurs' parallel sentences.

Options:
  mode: "asr" (default) or "s2tt".
  reference_field: ASR reference column, "transcription" (default; Fleurs' normalized text) or
    "raw_transcription" (cased, punctuated). Qwen's converted eval lists carry only a "gt" string, so which
    column Qwen scored is not public; the scorer normalizes both the same way, and the choice is recorded.
  source_language / target_language: language names for the prompt ({source_language}, {target_language}).
  S2TT: source_subset / target_subset (Fleurs configs); each source utterance is paired with the target
    language's sentence of the same Fleurs `id` (the FLoRes sentence); target_field (default raw_transcription,
    BLEU being computed on raw text). Source utterances whose sentence the target lacks are left out and counted.
  trust_remote_code: google/fleurs on the hub is a loading script, which datasets 3.x runs only with this set.

Sample ids are the audio file stems ("10004088536354799741"): unique, unlike `id`, which each speaker repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, TaskConfig
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

PROMPT_FIELDS = ("source_language", "target_language")
REFERENCE_FIELDS = ("transcription", "raw_transcription")
ASR_REFERENCE_DEFAULT = "transcription"  # Fleurs' normalized text; which one Qwen scored is not public
S2TT_TARGET_DEFAULT = "raw_transcription"  # a translation is scored against cased, punctuated text
COLUMNS = ("id", "path", "audio", *REFERENCE_FIELDS)


def _option(config: TaskConfig, key: str, valid: tuple[str, ...] | None = None, default: Any = None) -> Any:
    value = config.options.get(key, default)
    if value is None:
        raise ConfigError(f"task {config.name!r}: options.{key} is required by the fleurs adapter")
    if valid is not None and value not in valid:
        raise ConfigError(f"task {config.name!r}: options.{key}={value!r}; valid: {', '.join(valid)}")
    return value


def check(config: TaskConfig) -> None:
    mode = _option(config, "mode", ("asr", "s2tt"), "asr")
    if mode == "asr":
        _option(config, "reference_field", REFERENCE_FIELDS, ASR_REFERENCE_DEFAULT)
    else:
        _option(config, "target_field", REFERENCE_FIELDS, S2TT_TARGET_DEFAULT)
    if mode == "s2tt":
        for key in ("source_subset", "target_subset"):
            if _option(config, key) not in config.dataset.subsets:
                raise ConfigError(f"task {config.name!r}: options.{key} must be one of dataset.subsets")
    datasets_io.check(config.dataset, COLUMNS)


def _sample_id(row: dict[str, Any]) -> str:
    return Path(row["path"]).stem


def _load(config: TaskConfig) -> datasets_io.LoadedDataset:
    return datasets_io.load(
        config.dataset, COLUMNS, {"audio": "audio"}, trust_remote_code=bool(config.options.get("trust_remote_code"))
    )


def _speech_sample(config: TaskConfig, row: dict[str, Any], text: str, reference: str) -> Sample:
    sample_id = _sample_id(row)
    audio = media_cell("audio", row["audio"], f"{config.name} sample {sample_id}")
    return Sample(task=config.name, sample_id=sample_id, messages=user_turn([audio], text), reference=reference)


def _asr(config: TaskConfig) -> LoadedTask:
    field = _option(config, "reference_field", REFERENCE_FIELDS, ASR_REFERENCE_DEFAULT)
    loaded = _load(config)
    text = format_prompt(config, config.prompt, source_language=config.options.get("source_language", ""))
    samples = [_speech_sample(config, row, text, row[field]) for part in loaded.parts for row in part.rows]
    return LoadedTask(samples, {**loaded.provenance, "reference_field": field})


def _s2tt(config: TaskConfig) -> LoadedTask:
    field = _option(config, "target_field", REFERENCE_FIELDS, S2TT_TARGET_DEFAULT)
    loaded = _load(config)
    rows = {part.subset: part.rows for part in loaded.parts}
    targets: dict[int, str] = {}
    for row in rows[_option(config, "target_subset")]:
        targets.setdefault(row["id"], row[field])
    text = format_prompt(
        config,
        config.prompt,
        source_language=_option(config, "source_language"),
        target_language=_option(config, "target_language"),
    )
    source = rows[_option(config, "source_subset")]
    samples = [_speech_sample(config, row, text, targets[row["id"]]) for row in source if row["id"] in targets]
    unpaired = source.num_rows - len(samples)
    return LoadedTask(samples, {**loaded.provenance, "target_field": field, "unpaired_source_rows": unpaired})


def load_samples(config: TaskConfig) -> LoadedTask:
    return _s2tt(config) if config.options.get("mode", "asr") == "s2tt" else _asr(config)
