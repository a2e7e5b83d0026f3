"""Fleurs (google/fleurs; one config per language such as en_us / cmn_hans_cn, split test): ASR in the 19 languages
of the paper's average, and speech translation (S2TT) built from Fleurs' parallel sentences (every language reads
the same FLoRes sentences, joined on the sentence `id`). One table of languages registers every task:
- fleurs_<lang>: ASR in one language (WER, or CER for zh, yue, ja, ko, th); the paper prints en and zh.
- fleurs_avg19: the paper's "Fleurs-avg (19 lang)": all 19 languages in one task, each sample carrying its
  language; the value is the plain mean of the 19 per-language corpus error rates (scorer `macro`), each
  language also reported on its own. The 19 languages: the 18 speech-input languages of the Qwen3-Omni model card,
  plus Thai (th_th), evalkit's choice: the card and the paper say 19 and list 18; nothing public names the 19th.
  That the average is a plain mean of per-language rates is also evalkit's reading of "avg": the paper says no more.
- fleurs_s2tt_<src>_<tgt>: one translation pair (BLEU with the target's tokenizer, scoring/bleu.py).
- fleurs_s2tt_{en2xx,xx2en,zh2xx,xx2zh}: the paper's four "Fleurs-..." S2TT columns, each the plain mean of its
  pairs' corpus BLEU (scorer `macro`). Which xx the paper pairs is not public: evalkit pairs en and zh with the
  other speech-input languages, leaving out Cantonese and Thai as targets because Qwen's tokenizer rule gives them
  13a, which cannot split unspaced text (BLEU near 0 by construction); as sources they stay. See PAIR_GROUPS.

Options:
  mode: "asr" (one language, default), "asr_languages" (every subset a language, averaged), "s2tt" (one pair)
    or "s2tt_pairs" (options.pairs, averaged).
  reference_field: ASR reference column, "transcription" (default; Fleurs' normalized text) or
    "raw_transcription" (cased, punctuated). Qwen's converted eval lists carry only a "gt" string, so which
    column Qwen scored is not public; the scorer normalizes both the same way, and the choice is recorded.
  source_language / target_language: language names for the prompt ({source_language}, {target_language}).
  prompt_by_language (asr_languages): a prompt replacing `prompt` for the named language codes (zh: Qwen's
    Chinese ASR prompt); the others get `prompt` with their language's name.
  S2TT: source_subset / target_subset (Fleurs configs), or pairs ["en_de", ...] (language codes); each source
    utterance is paired with the target language's sentence of the same Fleurs `id` (the FLoRes sentence);
    target_field (default raw_transcription, BLEU being computed on raw text). Source utterances whose sentence
    the target lacks are left out and counted.
  trust_remote_code: google/fleurs on the hub is a loading script, which datasets 3.x runs only with this set.

Sample ids are the audio file stems ("10004088536354799741"): unique, unlike `id`, which each speaker repeats;
averaged tasks prefix them with the language or pair ("en/1000...", "en_de/1000...").
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from functools import partial
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


MODES = ("asr", "asr_languages", "s2tt", "s2tt_pairs")


def _option(config: TaskConfig, key: str, valid: tuple[str, ...] | None = None, default: Any = None) -> Any:
    value = config.options.get(key, default)
    if value is None:
        raise ConfigError(f"task {config.name!r}: options.{key} is required by the fleurs loader")
    if valid is not None and value not in valid:
        raise ConfigError(f"task {config.name!r}: options.{key}={value!r}; valid: {', '.join(valid)}")
    return value


def _mode(config: TaskConfig) -> str:
    return _option(config, "mode", MODES, "asr")


def _pairs(config: TaskConfig) -> list[tuple[Language, Language]]:
    """options.pairs as (source, target) languages; each must name two table languages whose configs are
    among dataset.subsets."""
    pairs = []
    for pair in _option(config, "pairs"):
        codes = str(pair).split("_")
        if len(codes) != 2 or any(code not in BY_CODE for code in codes):
            raise ConfigError(f"task {config.name!r}: options.pairs entry {pair!r} is not <source>_<target> over the "
                              f"language codes {', '.join(BY_CODE)}")
        pairs.append((BY_CODE[codes[0]], BY_CODE[codes[1]]))
    return pairs


def _languages(config: TaskConfig) -> list[Language]:
    unknown = [s for s in config.dataset.subsets if s not in BY_SUBSET]
    if unknown:
        raise ConfigError(f"task {config.name!r}: dataset.subsets {unknown} are not languages of the Fleurs table "
                          f"({', '.join(BY_SUBSET)})")
    return [BY_SUBSET[s] for s in config.dataset.subsets]


def _needed_subsets(config: TaskConfig) -> set[str]:
    mode = _mode(config)
    if mode == "s2tt":
        return {_option(config, "source_subset"), _option(config, "target_subset")}
    if mode == "s2tt_pairs":
        return {language.subset for pair in _pairs(config) for language in pair}
    return set()


def check(config: TaskConfig) -> None:
    mode = _mode(config)
    if mode.startswith("asr"):
        _option(config, "reference_field", REFERENCE_FIELDS, ASR_REFERENCE_DEFAULT)
    else:
        _option(config, "target_field", REFERENCE_FIELDS, S2TT_TARGET_DEFAULT)
    if mode == "asr_languages":
        _languages(config)
    if mode == "s2tt":
        for key in ("source_subset", "target_subset"):
            if _option(config, key) not in BY_SUBSET:
                raise ConfigError(f"task {config.name!r}: options.{key}={config.options[key]!r} is not a language of "
                                  f"the Fleurs table ({', '.join(BY_SUBSET)})")
    missing = sorted(_needed_subsets(config) - set(config.dataset.subsets))
    if missing:
        raise ConfigError(f"task {config.name!r}: the language pairs need Fleurs configs {missing}, which "
                          "dataset.subsets lacks")
    datasets_io.check(config.dataset, COLUMNS)


def _sample_id(row: dict[str, Any]) -> str:
    return Path(row["path"]).stem


def _load(config: TaskConfig) -> datasets_io.LoadedDataset:
    return datasets_io.load(
        config.dataset, COLUMNS, {"audio": "audio"}, trust_remote_code=bool(config.options.get("trust_remote_code"))
    )


def _speech_sample(config: TaskConfig, row: dict[str, Any], text: str, reference: str, group: str = "",
                   categories: dict[str, str] | None = None) -> Sample:
    """One utterance; `group` (a language or pair) prefixes the id in averaged tasks."""
    sample_id = f"{group}/{_sample_id(row)}" if group else _sample_id(row)
    audio = media_cell("audio", row["audio"], f"{config.name} sample {sample_id}")
    return Sample(task=config.name, sample_id=sample_id, messages=user_turn([audio], text), reference=reference,
                  categories=categories or {})


def _asr(config: TaskConfig) -> LoadedTask:
    field = _option(config, "reference_field", REFERENCE_FIELDS, ASR_REFERENCE_DEFAULT)
    loaded = _load(config)
    text = format_prompt(config, config.prompt, source_language=config.options.get("source_language", ""))
    samples = [_speech_sample(config, row, text, row[field]) for row in loaded.rows]
    return LoadedTask(samples, {**loaded.provenance, "reference_field": field})


def _asr_languages(config: TaskConfig) -> LoadedTask:
    field = _option(config, "reference_field", REFERENCE_FIELDS, ASR_REFERENCE_DEFAULT)
    prompts = dict(config.options.get("prompt_by_language") or {})
    loaded = _load(config)
    samples = []
    for part in loaded.parts:
        language = BY_SUBSET[part.subset]
        text = prompts.get(language.code) or format_prompt(config, config.prompt, source_language=language.name)
        samples += [_speech_sample(config, row, text, row[field], language.code, {"language": language.code})
                    for row in part.records()]
    return LoadedTask(samples, {**loaded.provenance, "reference_field": field})


def _translations(config: TaskConfig, rows: dict[str, Any], source: Language, target: Language, field: str,
                  group: str = "") -> tuple[list[Sample], int]:
    """The source language's utterances paired with the target's sentence of the same id, and how many source
    utterances had no such sentence."""
    targets: dict[int, str] = {}
    for row in rows[target.subset]:
        targets.setdefault(row["id"], row[field])
    text = format_prompt(config, config.prompt, source_language=source.name, target_language=target.name)
    categories = {"pair": group, "target_language": target.code} if group else None
    source_rows = rows[source.subset]
    samples = [_speech_sample(config, row, text, targets[row["id"]], group, categories)
               for row in source_rows if row["id"] in targets]
    return samples, source_rows.num_rows - len(samples)


def _s2tt(config: TaskConfig) -> LoadedTask:
    field = _option(config, "target_field", REFERENCE_FIELDS, S2TT_TARGET_DEFAULT)
    loaded = _load(config)
    rows = {part.subset: part.rows for part in loaded.parts}
    source, target = BY_SUBSET[_option(config, "source_subset")], BY_SUBSET[_option(config, "target_subset")]
    # the single-pair prompt keeps the names in options, which a user may change
    source = dataclasses.replace(source, name=_option(config, "source_language"))
    target = dataclasses.replace(target, name=_option(config, "target_language"))
    samples, unpaired = _translations(config, rows, source, target, field)
    return LoadedTask(samples, {**loaded.provenance, "target_field": field, "unpaired_source_rows": unpaired})


def _s2tt_pairs(config: TaskConfig) -> LoadedTask:
    field = _option(config, "target_field", REFERENCE_FIELDS, S2TT_TARGET_DEFAULT)
    loaded = _load(config)
    rows = {part.subset: part.rows for part in loaded.parts}
    samples: list[Sample] = []
    unpaired: dict[str, int] = {}
    for source, target in _pairs(config):
        group = f"{source.code}_{target.code}"
        pair_samples, unpaired[group] = _translations(config, rows, source, target, field, group)
        samples += pair_samples
    return LoadedTask(samples, {**loaded.provenance, "target_field": field, "unpaired_source_rows": unpaired})


LOADERS = {"asr": _asr, "asr_languages": _asr_languages, "s2tt": _s2tt, "s2tt_pairs": _s2tt_pairs}


def load_samples(config: TaskConfig) -> LoadedTask:
    return LOADERS[_mode(config)](config)


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


# The 18 speech-input languages of the Qwen3-Omni model card, then Thai: the card says 19 and names 18; the 19th is
# evalkit's choice (a Fleurs language the Qwen3 speech models transcribe; CER, being written without spaces).
# Smoke rows: en and zh carry two sentences (S2TT pairs them by id); the others sentence 1 ("the cat sat on the
# mat") alone, to keep the fixture small.
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
    Language("th", "th_th", "Thai", "Thai", 5, 91, "th",
             ((1, "แมวนั่งอยู่บนเสื่อ", "แมวนั่งอยู่บนเสื่อ"),), unit="cer"),
)  # fmt: skip
BY_CODE = {language.code: language for language in LANGUAGES}
BY_SUBSET = {language.subset: language for language in LANGUAGES}
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
            cell = audio_cell(partial(speech, raw, language.voice), f"{stem}.wav")
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


def _avg19_spec() -> TaskSpec:
    return TaskSpec(
        name="fleurs_avg19",
        title="Fleurs ASR, 19 languages (test): the plain mean of the per-language WER/CER",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="google/fleurs", subsets=[lang.subset for lang in LANGUAGES], split="test"),
        scorer=ScorerConfig("macro", {"group_key": "language", "scorer": "asr",
                                      "groups": {lang.code: {"language": lang.code, "unit": lang.unit}
                                                 for lang in LANGUAGES}}),
        prompt=ASR_PROMPT,
        prompt_fields=PROMPT_FIELDS,
        load=load_samples,
        check=check,
        reported=reported_in((ASR_TABLE,), "Fleurs", "avg19", "wer"),
        options={"mode": "asr_languages", "reference_field": ASR_REFERENCE_DEFAULT,
                 "prompt_by_language": {lang.code: lang.prompt for lang in LANGUAGES if lang.prompt != ASR_PROMPT},
                 **HUB_OPTIONS},
        smoke=SMOKE,
    )


# Targets Qwen's BLEU tokenizer rule (ja-mecab, zh, else 13a) cannot split: written without spaces, 13a leaves
# whole clauses as one token. evalkit's pairs use them as sources only.
UNSPLIT_TARGETS = ("yue", "th")


def _pair_group(pivot: str, pivot_is_source: bool) -> list[str]:
    others = [lang.code for lang in LANGUAGES if lang.code != pivot]
    if pivot_is_source:
        return [f"{pivot}_{code}" for code in others if code not in UNSPLIT_TARGETS]
    return [f"{code}_{pivot}" for code in others]


# The paper's four S2TT columns ("Fleurs-en2xx" ...): name -> the pairs averaged (evalkit's choice, module docstring)
PAIR_GROUPS = {
    "en2xx": _pair_group("en", pivot_is_source=True),
    "xx2en": _pair_group("en", pivot_is_source=False),
    "zh2xx": _pair_group("zh", pivot_is_source=True),
    "xx2zh": _pair_group("zh", pivot_is_source=False),
}


def _pair_group_spec(group: str, pairs: list[str]) -> TaskSpec:
    subsets = sorted({BY_CODE[code].subset for pair in pairs for code in pair.split("_")})
    return TaskSpec(
        name=f"fleurs_s2tt_{group}",
        title=f"Fleurs S2TT {group} (test), {len(pairs)} language pairs: the plain mean of the per-pair BLEU",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="google/fleurs", subsets=subsets, split="test"),
        scorer=ScorerConfig("macro", {"group_key": "pair", "scorer": "bleu",
                                      "groups": {pair: {"target_language": pair.split("_")[1]} for pair in pairs}}),
        prompt=S2TT_PROMPT,
        prompt_fields=PROMPT_FIELDS,
        load=load_samples,
        check=check,
        reported=reported_in((ASR_TABLE,), "S2TT", group, "bleu"),
        options={"mode": "s2tt_pairs", "target_field": S2TT_TARGET_DEFAULT, "pairs": pairs, **HUB_OPTIONS},
        smoke=SMOKE,
    )


for _language in LANGUAGES:
    register(_asr_spec(_language))
for _source, _target in (("en", "zh"), ("zh", "en")):
    register(_s2tt_spec(BY_CODE[_source], BY_CODE[_target]))
register(_avg19_spec())
for _group, _pairs_of_group in PAIR_GROUPS.items():
    register(_pair_group_spec(_group, _pairs_of_group))
