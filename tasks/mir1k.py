"""MIR-1K (lyrics ASR; the paper's "MIR-1K (vocal-only)"): 1,000 clips of Chinese pop songs sung by amateurs,
each a stereo WAV with the accompaniment on the left channel and the singing voice on the right.

No hub copy: download MIR-1K (http://mirlab.org/dataset/public/MIR-1K.zip), keep the vocal channel
(`sox Wavfile/x.wav vocal/x.wav remix 2`), and list the clips as a transcript list (evalkit/transcript_lists.py):
dataset.local_path the .jsonl ({"audio": "vocal/x.wav", "gt": <the clip's lyrics>}), dataset.media_dir the folder
the paths are relative to. The loader refuses stereo clips: the paper scores the vocals alone. Which clips Qwen
scored is not public: every clip is listed here.

Prompt: Qwen's "Song Lyrics Recognition" prompt (Qwen3-Omni README, "Setting for Evaluation"). Metric: the
paper's "wer", for Chinese lyrics Qwen's per-character error rate; line breaks are whitespace, which the Chinese
normalizer removes.
"""

from __future__ import annotations

from pathlib import Path

import soundfile

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import asr_format
from evalkit.smoke_fixtures import speech
from evalkit.task import LoadedTask
from evalkit.transcript_lists import check, load_transcripts, write_smoke_list
from evalkit.types import media_parts

LYRICS_PROMPT = ("Transcribe the song lyrics into text without any punctuation, separate lines with line breaks, "
                 "and output only the lyrics without additional explanations.")


def _require_vocal_channel(config: TaskConfig, loaded: LoadedTask) -> None:
    """Stereo clips still carry the accompaniment; reading headers only, before any model loads."""
    for sample in loaded.samples:
        for ref in media_parts(sample.messages):
            if ref.path and Path(ref.path).exists() and soundfile.info(ref.path).channels != 1:
                raise ConfigError(f"task {config.name!r}: {ref.path} is not mono; MIR-1K (vocal-only) scores the "
                                  "singing voice alone: keep the right channel (`sox in.wav out.wav remix 2`)")


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = load_transcripts(config, lambda subset: config.prompt)
    _require_vocal_channel(config, loaded)
    return loaded


def make_smoke_fixture(folder: Path) -> None:
    lyrics = "月亮代表我的心"
    write_smoke_list(folder, "mir1k.jsonl", [("vocal/abjones_1_01.wav", lyrics, lambda p: speech(lyrics, "cmn", p))])


register(TaskSpec(
    name="mir1k",
    title="MIR-1K lyrics ASR, 1,000 vocal-only clips (local transcript list + audio folder)",
    modalities=("audio",),
    dataset=DatasetConfig(hub_id="", split="test"),
    scorer=ScorerConfig("asr", {"language": "zh", "unit": "cer"}),
    prompt=LYRICS_PROMPT,
    load=load_samples,
    check=check,
    official_format=asr_format("zh", "cer"),
    reported=reported_in((ASR_TABLE,), "MIR-1K", "", "wer"),
    options={"source_language": "Chinese"},
    smoke=SmokeVariant(fixture="mir1k", make_fixture=make_smoke_fixture, local_path="mir1k.jsonl", media_dir=""),
))
