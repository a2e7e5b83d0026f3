"""WenetSpeech test sets (Mandarin): TEST_NET (internet audio, 24.7 h) and TEST_MEETING (meetings, 15.2 h).

No hub copy with a known id: the corpus is licensed from wenet-e2e (WenetSpeech.json plus long opus files).
Cut the test segments to audio files (the WenetSpeech toolkit's data preparation, or lhotse's wenetspeech recipe)
and list them as transcript lists (evalkit/transcript_lists.py): dataset.local_path a folder holding
test_net.jsonl and test_meeting.jsonl ({"audio": <file under media_dir>, "gt": <reference>}), dataset.media_dir
the audio folder. Qwen's converted lists for these sets are not published.

Prompt: Qwen's Chinese ASR prompt (Qwen3-Omni README, "Setting for Evaluation"). Metric: the paper's "wer" column,
which for Chinese is Qwen's per-character error rate (scoring/asr.py, Chinese normalizer).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import asr_format
from evalkit.smoke_fixtures import speech
from evalkit.task import LoadedTask
from evalkit.transcript_lists import check, load_transcripts, write_smoke_list

ZH_ASR_PROMPT = "请将这段中文语音转换为纯文本。"


def load_samples(config: TaskConfig) -> LoadedTask:
    return load_transcripts(config, lambda subset: config.prompt)


def make_smoke_fixture(folder: Path) -> None:
    for subset, gt in (("test_net", "今天天气很好"), ("test_meeting", "我们开始开会吧")):
        write_smoke_list(folder, f"{subset}.jsonl",
                         [(f"audio/{subset}_0001.wav", gt, partial(speech, gt, "cmn"))])


for _subset, _title in (("test_net", "TEST_NET, internet audio, 24.7 h"), ("test_meeting", "TEST_MEETING, 15.2 h")):
    register(TaskSpec(
        name=f"wenetspeech_{_subset}",
        title=f"WenetSpeech {_title} (local transcript list + audio folder)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="", subsets=[_subset], split="test"),
        scorer=ScorerConfig("asr", {"language": "zh", "unit": "cer"}),
        prompt=ZH_ASR_PROMPT,
        load=load_samples,
        check=check,
        official_format=asr_format("zh", "cer"),
        reported=reported_in((ASR_TABLE,), "WenetSpeech", _subset, "wer"),
        options={"source_language": "Chinese"},
        smoke=SmokeVariant(fixture="wenetspeech", make_fixture=make_smoke_fixture, media_dir=""),
    ))
