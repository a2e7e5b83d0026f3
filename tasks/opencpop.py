"""Opencpop test (singing-voice ASR): the 5 test songs of Opencpop, a Mandarin singing corpus by one female
singer (segments/test.txt, 206 segments).

No hub copy: Opencpop is released on request (https://wenet.org.cn/opencpop/). List the test segments as a
transcript list (evalkit/transcript_lists.py): each line of segments/test.txt is `<utt>|<lyrics>|<phones>|...`, so
{"audio": "wavs/<utt>.wav", "gt": <lyrics>} with dataset.media_dir the segments folder.

Prompt: Qwen's "Song Lyrics Recognition" prompt (Qwen3-Omni README; the paper lists Opencpop under lyric ASR).
Metric: the paper's "wer", for Chinese Qwen's per-character error rate.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import asr_format
from evalkit.smoke_fixtures import speech
from evalkit.task import LoadedTask
from evalkit.transcript_lists import check, load_transcripts, write_smoke_list
from tasks.mir1k import LYRICS_PROMPT


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_transcripts(config, lambda subset: config.prompt)


def make_smoke_fixture(folder: Path) -> None:
    lyrics = "感受你的温柔"
    write_smoke_list(folder, "test.jsonl", [("wavs/2100000001.wav", lyrics, lambda p: speech(lyrics, "cmn", p))])


register(TaskSpec(
    name="opencpop_test",
    title="Opencpop test, 5 songs, 206 sung segments (local transcript list + audio folder)",
    modalities=("audio",),
    dataset=DatasetConfig(hub_id="", split="test"),
    scorer=ScorerConfig("asr", {"language": "zh", "unit": "cer"}),
    prompt=LYRICS_PROMPT,
    load=load_samples,
    check=check,
    official_format=asr_format("zh", "cer"),
    reported=reported_in((ASR_TABLE,), "Opencpop", "test", "wer"),
    options={"source_language": "Chinese"},
    smoke=SmokeVariant(fixture="opencpop", make_fixture=make_smoke_fixture, local_path="test.jsonl", media_dir=""),
))
