"""Common Voice 15 test sets (mozilla-foundation/common_voice_15_0, split test): en and zh-CN as in the paper, and
yue and fr, which Qwen's published ASR script also evaluates (QwenLM/Qwen2-Audio eval_audio/evaluate_asr.py
@ 10cb8d83: cv15_en / cv15_zh / cv15_yue / cv15_fr).

The hub copy is gated (accept its terms, log in) and a loading script (trust_remote_code); Mozilla has moved its
downloads off the hub since, so a local copy in the hub schema may be needed: dataset.local_path a folder holding
<config>.parquet (or a save_to_disk folder) with columns path, audio, sentence. Qwen's converted lists
(cv15_asr_<lang>_eval.jsonl) are not public, so whether Qwen scored the whole test split is not known; evalkit
scores every row. No revision is pinned (no commit known).

Reference: `sentence` (cased, punctuated), normalized by the scorer as Qwen's script does. Prompt: Qwen's ASR prompts
(Chinese for zh, "Transcribe the <language> audio into text." otherwise). Sample ids: the clip file stems.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from evalkit import datasets_io
from evalkit.config import DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import asr_format
from evalkit.smoke_fixtures import audio_cell, speech, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

COLUMNS = ("path", "audio", "sentence")
ASR_PROMPT = "Transcribe the {source_language} audio into text."
ZH_ASR_PROMPT = "请将这段中文语音转换为纯文本。"


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"audio": "audio"},
                              trust_remote_code=bool(config.options.get("trust_remote_code")))
    text = format_prompt(config, config.prompt, source_language=config.options.get("source_language", ""))
    samples = []
    for part in loaded.parts:
        for row in part.records():
            sample_id = Path(row["path"]).stem
            audio = media_cell("audio", row["audio"], f"{config.name} clip {sample_id}")
            samples.append(Sample(task=config.name, sample_id=sample_id, messages=user_turn([audio], text),
                                  reference=row["sentence"]))
    return LoadedTask(samples, loaded.provenance)


@dataclass(frozen=True)
class Locale:
    code: str  # task suffix and scorer language
    config: str  # Common Voice locale
    name: str
    unit: str
    prompt: str
    voice: str  # espeak-ng, smoke fixture
    smoke_sentence: str
    reported: bool


LOCALES = (
    Locale("en", "en", "English", "wer", ASR_PROMPT, "en-us", "The cat sat on the mat.", True),
    Locale("zh", "zh-CN", "Chinese", "cer", ZH_ASR_PROMPT, "cmn", "猫坐在垫子上。", True),
    Locale("yue", "yue", "Cantonese", "cer", ASR_PROMPT, "yue", "隻貓坐喺地氈度。", False),
    Locale("fr", "fr", "French", "wer", ASR_PROMPT, "fr-fr", "Le chat était assis sur le tapis.", False),
)


def make_smoke_fixture(folder: Path) -> None:
    import datasets

    features = datasets.Features({
        "client_id": datasets.Value("string"), "path": datasets.Value("string"),
        "audio": datasets.Audio(sampling_rate=48000), "sentence": datasets.Value("string"),
        "up_votes": datasets.Value("int64"), "down_votes": datasets.Value("int64"), "age": datasets.Value("string"),
        "gender": datasets.Value("string"), "accent": datasets.Value("string"), "locale": datasets.Value("string"),
        "segment": datasets.Value("string"), "variant": datasets.Value("string"),
    })  # fmt: skip
    for locale in LOCALES:
        name = f"common_voice_{locale.config}_90000001.wav"
        cell = audio_cell(partial(speech, locale.smoke_sentence, locale.voice), name)
        row = {"client_id": "0" * 64, "path": f"{locale.config}_test_0/{name}", "audio": cell,
               "sentence": locale.smoke_sentence, "up_votes": 2, "down_votes": 0, "age": "", "gender": "",
               "accent": "", "locale": locale.config, "segment": "", "variant": ""}  # fmt: skip
        write_parquet([row], features, folder / f"{locale.config}.parquet")


for _locale in LOCALES:
    register(TaskSpec(
        name=f"commonvoice15_{_locale.code}",
        title=f"Common Voice 15 {_locale.name} ASR ({_locale.config}, test)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="mozilla-foundation/common_voice_15_0", subsets=[_locale.config], split="test"),
        scorer=ScorerConfig("asr", {"language": _locale.code, "unit": _locale.unit}),
        prompt=_locale.prompt,
        prompt_fields=("source_language",),
        load=load_samples,
        check=check,
        official_format=asr_format(_locale.code, _locale.unit),
        reported=reported_in((ASR_TABLE,), "CommonVoice15", _locale.code, "wer") if _locale.reported else (),
        options={"source_language": _locale.name, "trust_remote_code": True},
        smoke=SmokeVariant(fixture="commonvoice15", make_fixture=make_smoke_fixture,
                           options={"trust_remote_code": False}),
    ))
