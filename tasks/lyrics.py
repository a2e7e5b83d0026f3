"""Lyric ASR, the paper's two singing-voice columns, as one family (Mandarin lyrics, no hub copies; both read local
transcript lists, evalkit/transcript_lists.py: {"audio": <file under media_dir>, "gt": <lyrics>}):

- mir1k, "MIR-1K (vocal-only)": 1,000 clips of Chinese pop songs sung by amateurs, each a stereo WAV with the
  accompaniment on the left channel and the voice on the right. Download http://mirlab.org/dataset/public/MIR-1K.zip,
  keep the vocal channel (`sox Wavfile/x.wav vocal/x.wav remix 2`), list every clip with its lyrics. The loader
  refuses stereo clips: the paper scores the vocals alone. Which clips Qwen scored is not public: all are listed.
- opencpop_test, "Opencpop-test": the 5 test songs (206 segments) of Opencpop, a Mandarin singing corpus
  (https://wenet.org.cn/opencpop/, on request). Each line of segments/test.txt is `<utt>|<lyrics>|<phones>|...`:
  list {"audio": "wavs/<utt>.wav", "gt": <lyrics>} with dataset.media_dir the segments folder.

Prompt: Qwen's "Song Lyrics Recognition" prompt (Qwen3-Omni README, "Setting for Evaluation"). Metric: the
paper's "wer", for Chinese Qwen's per-character error rate; line breaks are whitespace, which Qwen's Chinese
normalizer removes.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def _require_mono(config: TaskConfig, loaded: LoadedTask) -> None:
    """Stereo MIR-1K clips still carry the accompaniment; reads headers only, before any model loads."""
    for sample in loaded.samples:
        for ref in media_parts(sample.messages):
            if ref.path and Path(ref.path).exists() and soundfile.info(ref.path).channels != 1:
                raise ConfigError(f"task {config.name!r}: {ref.path} is not mono; {config.options['mono_reason']}")


def load_samples(config: TaskConfig) -> LoadedTask:
    """Options: mono_reason (set: stereo clips are refused, the reason in the error)."""
    loaded = load_transcripts(config, lambda subset: config.prompt)
    if config.options.get("mono_reason"):
        _require_mono(config, loaded)
    return loaded


@dataclass(frozen=True)
class LyricSet:
    name: str
    title: str
    benchmark: str  # the paper's column, as results/reference names it
    subset: str
    list_file: str  # the smoke fixture's list, under tests/fixtures/smoke/<name>
    smoke_audio: str
    smoke_lyrics: str
    mono_reason: str = ""


LYRIC_SETS = (
    LyricSet("mir1k", "MIR-1K lyrics ASR, 1,000 vocal-only clips", "MIR-1K", "", "mir1k.jsonl",
             "vocal/abjones_1_01.wav", "月亮代表我的心",
             "MIR-1K (vocal-only) scores the singing voice alone: keep the right channel "
             "(`sox in.wav out.wav remix 2`)"),
    LyricSet("opencpop_test", "Opencpop test, 5 songs, 206 sung segments", "Opencpop", "test", "test.jsonl",
             "wavs/2100000001.wav", "感受你的温柔"),
)


def _spec(lyrics: LyricSet) -> TaskSpec:
    def make_smoke_fixture(folder: Path) -> None:
        write_smoke_list(folder, lyrics.list_file,
                         [(lyrics.smoke_audio, lyrics.smoke_lyrics, lambda p: speech(lyrics.smoke_lyrics, "cmn", p))])

    return TaskSpec(
        name=lyrics.name,
        title=f"{lyrics.title} (local transcript list + audio folder)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="", split="test"),
        scorer=ScorerConfig("asr", {"language": "zh", "unit": "cer"}),
        prompt=LYRICS_PROMPT,
        load=load_samples,
        check=check,
        official_format=asr_format("zh", "cer"),
        reported=reported_in((ASR_TABLE,), lyrics.benchmark, lyrics.subset, "wer"),
        options={"source_language": "Chinese", "mono_reason": lyrics.mono_reason},
        smoke=SmokeVariant(fixture=lyrics.name, make_fixture=make_smoke_fixture, local_path=lyrics.list_file,
                           media_dir=""),
    )


for _lyrics in LYRIC_SETS:
    register(_spec(_lyrics))
