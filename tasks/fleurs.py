"""Fleurs (google/fleurs; one config per language such as en_us / cmn_hans_cn, split test): ASR in the 18
languages Qwen3-Omni takes as speech input, and speech translation (S2TT) built from Fleurs' parallel sentences.
One table of languages registers every task: fleurs_<lang> (WER, or CER for zh, yue, ja, ko; the paper reports
en and zh alone, plus a 19-language average no single task reproduces) and fleurs_s2tt_en_zh / _zh_en (BLEU;
which pairs make up the paper's en2xx / xx2zh averages is not public).

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

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import ASR_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.speech_files import S2TT_FORMAT, asr_format
from evalkit.smoke_fixtures import audio_cell, speech, write_parquet
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

PROMPT_FIELDS = ("source_language", "target_language")
ASR_PROMPT = "Transcribe the {source_language} audio into text."
S2TT_PROMPT = "Listen to the provided {source_language} speech and produce a translation in {target_language} text."
REFERENCE_FIELDS = ("transcription", "raw_transcription")
ASR_REFERENCE_DEFAULT = "transcription"  # Fleurs' normalized text; which one Qwen scored is not public
S2TT_TARGET_DEFAULT = "raw_transcription"  # a translation is scored against cased, punctuated text
COLUMNS = ("id", "path", "audio", *REFERENCE_FIELDS)


def _option(config: TaskConfig, key: str, valid: tuple[str, ...] | None = None, default: Any = None) -> Any:
    value = config.options.get(key, default)
    if value is None:
        raise ConfigError(f"task {config.name!r}: options.{key} is required by the fleurs loader")
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


@dataclass(frozen=True)
class Language:
    code: str  # the task suffix and the scorer's language
    subset: str  # the Fleurs config
    name: str  # in the prompt
    fleurs_name: str  # Fleurs' `language` column
    group: int  # index into SMOKE_GROUPS (Fleurs' lang_group_id)
    lang_id: int  # an index of Fleurs' 102-language ClassLabel (the fixture keeps the type, not the names)
    voice: str  # espeak-ng voice for the smoke fixture
    # smoke rows: (Fleurs sentence id, raw_transcription, transcription)
    smoke_rows: tuple[tuple[int, str, str], ...]
    unit: str = "wer"
    prompt: str = ASR_PROMPT


# The 18 speech-input languages of the Qwen3-Omni model card. Smoke rows: en and zh carry two sentences (S2TT pairs
# them by id); the others sentence 1 ("the cat sat on the mat") alone, to keep the fixture small.
LANGUAGES = (
    Language("en", "en_us", "English", "English", 0, 19, "en-us", (
        (1, "The cat sat on the mat.", "the cat sat on the mat"),
        (2, "It is raining today.", "it is raining today"),
    )),
    Language("zh", "cmn_hans_cn", "Chinese", "Mandarin Chinese", 6, 9, "cmn", (
        (1, "猫坐在垫子上。", "猫坐在垫子上"),
        (2, "今天下雨了。", "今天下雨了"),
    ), unit="cer", prompt="请将这段中文语音转换为纯文本。"),
    Language("yue", "yue_hant_hk", "Cantonese", "Cantonese Chinese", 6, 100, "yue",
             ((1, "隻貓坐喺地氈度。", "隻貓坐喺地氈度"),), unit="cer"),
    Language("ja", "ja_jp", "Japanese", "Japanese", 6, 37, "ja",
             ((1, "猫がマットの上に座った。", "猫がマットの上に座った"),), unit="cer"),
    Language("ko", "ko_kr", "Korean", "Korean", 6, 44, "ko",
             ((1, "고양이가 매트 위에 앉았다.", "고양이가 매트 위에 앉았다"),), unit="cer"),
    Language("de", "de_de", "German", "German", 0, 28, "de",
             ((1, "Die Katze saß auf der Matte.", "die katze saß auf der matte"),)),
    Language("ru", "ru_ru", "Russian", "Russian", 1, 75, "ru",
             ((1, "Кошка сидела на коврике.", "кошка сидела на коврике"),)),
    Language("it", "it_it", "Italian", "Italian", 0, 35, "it",
             ((1, "Il gatto era seduto sul tappeto.", "il gatto era seduto sul tappeto"),)),
    Language("fr", "fr_fr", "French", "French", 0, 24, "fr-fr",
             ((1, "Le chat était assis sur le tapis.", "le chat était assis sur le tapis"),)),
    Language("es", "es_419", "Spanish", "Spanish", 0, 21, "es-419",
             ((1, "El gato se sentó en la alfombra.", "el gato se sentó en la alfombra"),)),
    Language("pt", "pt_br", "Portuguese", "Portuguese", 0, 72, "pt-br",
             ((1, "O gato sentou no tapete.", "o gato sentou no tapete"),)),
    Language("ms", "ms_my", "Malay", "Malay", 5, 55, "ms",
             ((1, "Kucing itu duduk di atas tikar.", "kucing itu duduk di atas tikar"),)),
    Language("nl", "nl_nl", "Dutch", "Dutch", 0, 64, "nl",
             ((1, "De kat zat op de mat.", "de kat zat op de mat"),)),
    Language("id", "id_id", "Indonesian", "Indonesian", 5, 33, "id",
             ((1, "Kucing duduk di atas tikar.", "kucing duduk di atas tikar"),)),
    Language("tr", "tr_tr", "Turkish", "Turkish", 2, 92, "tr",
             ((1, "Kedi paspasın üstüne oturdu.", "kedi paspasın üstüne oturdu"),)),
    Language("vi", "vi_vn", "Vietnamese", "Vietnamese", 5, 97, "vi",
             ((1, "Con mèo ngồi trên tấm thảm.", "con mèo ngồi trên tấm thảm"),)),
    Language("ar", "ar_eg", "Arabic", "Arabic", 2, 2, "ar",
             ((1, "جلست القطة على الحصيرة.", "جلست القطة على الحصيرة"),)),
    Language("ur", "ur_pk", "Urdu", "Urdu", 4, 95, "ur",
             ((1, "بلی چٹائی پر بیٹھی تھی۔", "بلی چٹائی پر بیٹھی تھی"),)),
)  # fmt: skip
SMOKE_GROUPS = [
    "western_european_we", "eastern_european_ee", "central_asia_middle_north_african_cmn", "sub_saharan_african_ssa",
    "south_asian_sa", "south_east_asian_sea", "chinese_japanase_korean_cjk",
]  # fmt: skip
# Which Fleurs column Qwen scored is not public (their eval lists carry only "gt"); recorded per run.
# google/fleurs is a loading script on the hub: datasets 3.x runs it only with trust_remote_code.
HUB_OPTIONS = {"trust_remote_code": True}


def make_smoke_fixture(folder: Path) -> None:
    import datasets
    import soundfile

    features = datasets.Features({
        "id": datasets.Value("int32"), "num_samples": datasets.Value("int32"), "path": datasets.Value("string"),
        "audio": datasets.Audio(sampling_rate=16000), "transcription": datasets.Value("string"),
        "raw_transcription": datasets.Value("string"), "gender": datasets.ClassLabel(names=["male", "female", "other"]),
        "lang_id": datasets.ClassLabel(num_classes=102), "language": datasets.Value("string"),
        "lang_group_id": datasets.ClassLabel(names=SMOKE_GROUPS),
    })  # fmt: skip
    for language in LANGUAGES:
        rows = []
        for sentence_id, raw, normalized in language.smoke_rows:
            stem = f"{language.lang_id:02d}{sentence_id:017d}"  # Fleurs' file stems are 19 digits
            cell = audio_cell(lambda p, t=raw, v=language.voice: speech(t, v, p), f"{stem}.wav")
            num_samples = soundfile.info(io.BytesIO(cell["bytes"])).frames
            rows.append({"id": sentence_id, "num_samples": num_samples, "path": f"test/{stem}.wav", "audio": cell,
                         "transcription": normalized, "raw_transcription": raw, "gender": 0,
                         "lang_id": language.lang_id, "language": language.fleurs_name,
                         "lang_group_id": language.group})  # fmt: skip
        write_parquet(rows, features, folder / f"{language.subset}.parquet")


SMOKE = SmokeVariant(fixture="fleurs", make_fixture=make_smoke_fixture, options={"trust_remote_code": False})


def _asr_spec(language: Language) -> TaskSpec:
    return TaskSpec(
        name=f"fleurs_{language.code}",
        title=f"Fleurs {language.name} ASR ({language.subset}, test)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="google/fleurs", subsets=[language.subset], split="test"),
        scorer=ScorerConfig("asr", {"language": language.code, "unit": language.unit}),
        prompt=language.prompt,
        prompt_fields=PROMPT_FIELDS,
        load=load_samples,
        check=check,
        official_format=asr_format(language.code, language.unit),
        reported=reported_in((ASR_TABLE,), "Fleurs", language.code, "wer") if language.code in ("en", "zh") else (),
        options={"mode": "asr", "reference_field": ASR_REFERENCE_DEFAULT, "source_language": language.name,
                 **HUB_OPTIONS},
        smoke=SMOKE,
    )


def _s2tt_spec(source: Language, target: Language) -> TaskSpec:
    return TaskSpec(
        name=f"fleurs_s2tt_{source.code}_{target.code}",
        title=f"Fleurs {source.name} speech -> {target.name} text (S2TT, pairs joined on the sentence id)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="google/fleurs", subsets=[source.subset, target.subset], split="test"),
        scorer=ScorerConfig("bleu", {"target_language": target.code}),
        prompt=S2TT_PROMPT,
        prompt_fields=PROMPT_FIELDS,
        load=load_samples,
        check=check,
        official_format=S2TT_FORMAT,
        options={"mode": "s2tt", "target_field": S2TT_TARGET_DEFAULT, "source_subset": source.subset,
                 "target_subset": target.subset, "source_language": source.name, "target_language": target.name,
                 **HUB_OPTIONS},
        smoke=SMOKE,
    )


_BY_CODE = {language.code: language for language in LANGUAGES}
for _language in LANGUAGES:
    register(_asr_spec(_language))
for _source, _target in (("en", "zh"), ("zh", "en")):
    register(_s2tt_spec(_BY_CODE[_source], _BY_CODE[_target]))
