"""Speech generation (the paper's TTS tables): the model is asked to say a text; its spoken answer is heard by a
recogniser (WER) and a speaker model (similarity to the prompt speaker), evalkit.listening and scoring/tts.py.

Data: SEED-TTS eval's meta.lst, one utterance a line, `|`-separated, at `dataset.local_path`:
    utt|prompt_text|prompt_wav|infer_text            (zero-shot: the prompt speaker's audio and its transcript)
    utt|prompt_text|prompt_wav|infer_text|infer_wav  (the ground-truth WAV of the text; not used)
    utt|infer_text                                   (no prompt speaker)
prompt_wav is relative to the meta.lst's folder, as seed-tts-eval's get_wav_res_ref_text.py resolves it.
The SEED-TTS test set (test-zh 2,020 and test-en 1,088 utterances) is distributed as an archive linked from
BytedanceSpeech/seed-tts-eval's README, not on a dataset hub, so there is no hub id or revision to pin; the
multilingual (MiniMax's 24-language set, zh/en/de/ja/ko used) and cross-lingual (CosyVoice 3's CV3-Eval) sets are
read from a meta.lst in the same format that the user writes from their release.

Zero-shot voice cloning: the released Qwen3-Omni's talker takes one of its own voices and no reference audio
(transformers' Qwen3OmniMoeForConditionalGeneration.generate has `speaker` only), so the prompt audio is not
given to the model; the prompt speaker is used only to measure speaker similarity. Our similarity therefore
measures how close a fixed voice is to the prompt speaker, not cloning: it is not comparable to the paper's.

The instruction that makes an assistant say a given text verbatim is not published; `prompt` is recorded per run.
Prompt fields: {text} (what to say), {language} (its name in English). Options: language (the text's ISO code),
voice (the talker's: Ethan, Chelsie or Aiden; the paper does not say which it used).
Sample reference: {"text", "language", "prompt_audio" (absolute path or null)}.
The listening mode (speech_eval.mode) is the run's; the scorer names the metric `proxy_*` in proxy mode, which
reports never place in the `reported` column.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.registry import SmokeVariant, TaskSpec, register, reported_in
from evalkit.smoke_fixtures import speech
from evalkit.task import LoadedTask, format_prompt, user_turn
from evalkit.types import Sample

LANGUAGE_NAMES = {"zh": "Chinese", "en": "English", "de": "German", "ja": "Japanese", "ko": "Korean"}
# Qwen's instruction for verbatim speech is not published; recorded in every run's manifest.
PROMPT = "Read the following {language} text aloud exactly as written, and say nothing else.\n{text}"
DEFAULT_VOICE = "Ethan"
ZERO_SHOT_TABLE = "speech generation (zero-shot)"
MULTILINGUAL_TABLE = "speech generation (multilingual)"
CROSS_LINGUAL_TABLE = "speech generation (cross-lingual)"


def _meta_list(config: TaskConfig) -> Path:
    if not config.dataset.local_path:
        raise ConfigError(f"task {config.name!r}: set dataset.local_path to the test set's meta.lst (SEED-TTS eval "
                          "format; the archive is linked from BytedanceSpeech/seed-tts-eval's README)")  # fmt: skip
    path = resolve_path(config.dataset.local_path)
    if not path.is_file():
        raise ConfigError(f"task {config.name!r}: dataset.local_path {path} is not a file; point it at meta.lst")
    return path


def check(config: TaskConfig) -> None:
    language = config.options.get("language")
    if language not in LANGUAGE_NAMES:
        raise ConfigError(f"task {config.name!r}: options.language={language!r}; valid: {', '.join(LANGUAGE_NAMES)}")
    _meta_list(config)


def parse_line(line: str, folder: Path, where: str) -> tuple[str, str, str | None]:
    """(utterance id, text to say, prompt audio path or None) from one meta.lst line."""
    fields = line.split("|")
    if len(fields) in (4, 5):
        utt, _, prompt_wav, text = fields[:4]
        return utt, text, str(folder / prompt_wav) if not Path(prompt_wav).is_absolute() else prompt_wav
    if len(fields) == 2:
        return fields[0], fields[1], None
    raise ConfigError(f"{where}: {len(fields)} '|'-separated fields; a meta.lst line has 2, 4 or 5 "
                      "(utt|prompt_text|prompt_wav|infer_text[|infer_wav] or utt|infer_text)")  # fmt: skip


def load_samples(config: TaskConfig) -> LoadedTask:
    path = _meta_list(config)
    language = config.options["language"]
    needs_prompt = config.scorer.name == "speaker_similarity"
    samples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        utt, text, prompt_audio = parse_line(line.strip(), path.parent, f"{path}:{number}")
        if needs_prompt and prompt_audio is None:
            raise ConfigError(f"{path}:{number}: speaker similarity needs the prompt speaker's audio; this line "
                              "names none (utt|prompt_text|prompt_wav|infer_text)")  # fmt: skip
        if prompt_audio is not None and not Path(prompt_audio).is_file():
            raise ConfigError(f"{path}:{number}: prompt audio {prompt_audio} does not exist; fix the meta.lst or "
                              "extract the test set's prompt WAVs beside it")  # fmt: skip
        instruction = format_prompt(config, config.prompt, text=text, language=LANGUAGE_NAMES[language])
        samples.append(Sample(
            task=config.name, sample_id=utt, messages=user_turn([], instruction),
            reference={"text": text, "language": language, "prompt_audio": prompt_audio},
        ))  # fmt: skip
    provenance = {"meta_list": str(path), "meta_list_lines": len(samples)}
    return LoadedTask(samples, provenance)


# Smoke fixture: per language a prompt speaker (espeak-ng voice, transcript) and two texts to say; a meta.lst per
# (prompt language, text language) pair the tasks use, naming the shared prompt WAVs.
SMOKE_SPEAKERS = {"zh": ("cmn", "今天天气很好"), "en": ("en-us", "I have a good feeling about this"),
                  "de": ("de", "Das Wetter ist heute schön"), "ja": ("ja", "ありがとうございます"),
                  "ko": ("ko", "안녕하세요 반갑습니다")}  # fmt: skip
SMOKE_TEXTS = {"zh": ("我们明天去公园散步吧。", "他每天早上喝一杯茶。"),
               "en": ("The quick brown fox jumps over the lazy dog.", "She sells sea shells by the sea shore."),
               "de": ("Guten Morgen, wie geht es dir?", "Der Zug kommt um acht Uhr an."),
               "ja": ("今日はいい天気ですね。", "駅はどこですか。"),
               "ko": ("오늘 날씨가 좋네요.", "역이 어디에 있어요?")}  # fmt: skip
SMOKE_PAIRS = (("zh", "zh"), ("en", "en"), ("de", "de"), ("ja", "ja"), ("ko", "ko"), ("en", "zh"), ("ja", "zh"),
               ("zh", "en"), ("zh", "ja"))  # fmt: skip


def make_smoke_fixture(folder: Path) -> None:
    for language, (voice, transcript) in SMOKE_SPEAKERS.items():
        (folder / "prompts").mkdir(parents=True, exist_ok=True)
        speech(transcript, voice, folder / "prompts" / f"{language}.wav")
    for prompt_language, text_language in SMOKE_PAIRS:
        lines = [f"smoke-{prompt_language}-{text_language}-{i}|{SMOKE_SPEAKERS[prompt_language][1]}|"
                 f"../prompts/{prompt_language}.wav|{text}"
                 for i, text in enumerate(SMOKE_TEXTS[text_language])]  # fmt: skip
        target = folder / f"{prompt_language}-{text_language}" / "meta.lst"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _register(name: str, title: str, language: str, scorer: str, reported: tuple, smoke_pair: tuple[str, str]) -> None:
    register(TaskSpec(
        name=name,
        title=title,
        modalities=("text",),
        dataset=DatasetConfig(hub_id="", split="test"),  # a local meta.lst: no hub copy (the module says where)
        scorer=ScorerConfig(scorer, {"language": language}),
        prompt=PROMPT,
        prompt_fields=("text", "language"),
        load=load_samples,
        check=check,
        reported=reported,
        max_new_tokens=512,
        options={"language": language, "voice": DEFAULT_VOICE},
        smoke=SmokeVariant(fixture="tts", make_fixture=make_smoke_fixture,
                           local_path="-".join(smoke_pair) + "/meta.lst"),
    ))  # fmt: skip


for _language, _count in (("zh", "2,020"), ("en", "1,088")):
    _register(f"seedtts_test_{_language}", f"SEED-TTS test-{_language}, {_count} utterances: WER (local meta.lst)",
              _language, "tts_wer", reported_in((ZERO_SHOT_TABLE,), "SEED-TTS", f"test-{_language}", "wer"),
              (_language, _language))  # fmt: skip
for _language in ("zh", "en", "de", "ja", "ko"):
    _register(f"multilingual_tts_{_language}", f"Multilingual TTS ({_language}): WER (local meta.lst)", _language,
              "tts_wer", reported_in((MULTILINGUAL_TABLE,), "MultilingualTTS", _language, "wer"),
              (_language, _language))
    # the same audio as multilingual_tts_<lang> (a response-cache hit), heard by the speaker model
    _register(f"multilingual_tts_{_language}_sim", f"Multilingual TTS ({_language}): speaker similarity to the prompt "
              "speaker (local meta.lst)", _language, "speaker_similarity",
              reported_in((MULTILINGUAL_TABLE,), "MultilingualTTS", _language, "speaker_similarity"),
              (_language, _language))  # fmt: skip
for _source, _target in (("en", "zh"), ("ja", "zh"), ("zh", "en"), ("zh", "ja")):
    _register(f"crosslingual_tts_{_source}_to_{_target}", f"Cross-lingual TTS, {_source} speaker to {_target} text "
              "(CV3-Eval, local meta.lst): WER", _target, "tts_wer",
              reported_in((CROSS_LINGUAL_TABLE,), "CrossLingualTTS", f"{_source}-to-{_target}", "wer"),
              (_source, _target))  # fmt: skip
