"""LibriSpeech ASR (openslr/librispeech_asr; configs clean/other, split test: 2,620 / 2,939 utterances).

Reference: the `text` column (upper-case, no punctuation); WER with Qwen's published normalization (PROTOCOLS.md).
Prompt fields: {source_language} from options.source_language. Sample ids are the utterance ids
("1089-134686-0000").
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import asr_format
from evalkit.smoke_fixtures import audio_cell, speech, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "audio", "text")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"audio": "audio"})
    text = format_prompt(config, config.prompt, source_language=config.options.get("source_language", "English"))
    samples = [
        Sample(
            task=config.name,
            sample_id=row["id"],
            messages=user_turn([media_cell("audio", row["audio"], f"{config.name} row {row['id']}")], text),
            reference=row["text"],
        )
        for part in loaded.parts
        for row in part.records()
    ]
    return LoadedTask(samples, loaded.provenance)


# Smoke fixture: (id, text, espeak voice) per config; upper-case, no punctuation, as LibriSpeech's `text`.
SMOKE_ROWS = {
    "clean": [
        ("9001-1-0000", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG", "en-us"),
        ("9001-1-0001", "SHE SELLS SEA SHELLS BY THE SEA SHORE", "en-us"),
    ],
    "other": [
        ("9002-2-0000", "A BIRD IN THE HAND IS WORTH TWO IN THE BUSH", "en-gb"),
        ("9002-2-0001", "ALL THAT GLITTERS IS NOT GOLD", "en-gb"),
    ],
}


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    features = datasets.Features({
        "file": datasets.Value("string"), "audio": datasets.Audio(sampling_rate=16000),
        "text": datasets.Value("string"), "speaker_id": datasets.Value("int64"),
        "chapter_id": datasets.Value("int64"), "id": datasets.Value("string"),
    })  # fmt: skip
    for config, items in SMOKE_ROWS.items():
        rows = []
        for uid, text, voice in items:
            speaker, chapter, _ = uid.split("-")
            cell = audio_cell(partial(speech, text, voice), f"{uid}.flac")
            rows.append({"file": f"{uid}.flac", "audio": cell, "text": text, "speaker_id": int(speaker),
                         "chapter_id": int(chapter), "id": uid})  # fmt: skip
        write_parquet(rows, features, folder / f"{config}.parquet")


for _config, _count in (("clean", "2,620"), ("other", "2,939")):
    register(TaskSpec(
        name=f"librispeech_test_{_config}",
        title=f"LibriSpeech test-{_config} ASR, {_count} utterances",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="openslr/librispeech_asr", subsets=[_config], split="test"),
        scorer=ScorerConfig("asr", {"language": "en", "unit": "wer"}),
        prompt="Transcribe the {source_language} audio into text.",
        prompt_fields=("source_language",),
        load=load_samples,
        check=check,
        official_format=asr_format("en", "wer"),
        reported=reported_in((ASR_TABLE,), "LibriSpeech", f"test_{_config}", "wer"),
        options={"source_language": "English"},
        smoke=SmokeVariant(fixture="librispeech", make_fixture=make_smoke_fixture),
    ))
