"""Listening to spoken answers: speech recognition (for WER) and speaker similarity, in two named modes.

official (SEED-TTS eval, BytedanceSpeech/seed-tts-eval @ 95003fe run_wer.py; the UniSpeech code @ c952b9c, the
    first commit whose ecapa_tdnn.py does not load WavLM from a path on its authors' disk): Whisper-large-v3
    (transformers) for English, fed as run_wer.py feeds it (soundfile's samples, FFT-resampled to 16 kHz by
    scipy.signal.resample); Paraformer-zh (FunASR, given the file, output converted to simplified Chinese with
    zhconv) for Chinese; speaker similarity by the UniSpeech folder's own `verification` (librosa load, torchaudio
    resampling to 16 kHz, cosine of the WavLM-large + ECAPA-TDNN embeddings of wavlm_large_finetune.pth). Every
    model is read from a local path in `speech_eval`; a missing one is a ConfigError before generation, and each
    listener records a fingerprint of what it loaded. Languages other than zh/en (the multilingual table) go to
    Whisper-large-v3 with the language named: the paper does not say which recogniser it used for them.
proxy: models that install from PyPI with their weights inside the wheel: PocketSphinx's en-us model for English
    and Resemblyzer's GE2E speaker encoder. No such package ships a recogniser for zh, de, ja or ko: their proxy
    WER is not measured (recorded as such). Proxy numbers are another instrument; reports never set them beside
    the paper's (the scorers name their metric `proxy_*`, which no published column has).

Listening runs after generation, on the WAV files in the run folder; what it measured is kept in each record's
`speech` (transcript, similarity, and the listener's name and version), so a resumed run listens only to new audio.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from evalkit.config import ConfigError, RunConfig, SpeechEvalConfig, TaskConfig
from evalkit.provenance import checkpoint_fingerprint, file_sha256
from evalkit.run_folder import RunStore, SampleRecord
from evalkit.task import spoken_voice

SIMILARITY_SCORER = "speaker_similarity"
WER_SCORER = "tts_wer"
SPEECH_SCORERS = (WER_SCORER, SIMILARITY_SCORER)
LISTEN_RATE = 16000  # every recogniser and speaker model here takes 16 kHz
UNISPEECH_IMPORTS = ("torchaudio", "librosa", "fire")
UNISPEECH_FILES = ("verification.py", "models/ecapa_tdnn.py")
WHISPER_LANGUAGES = {"en": "english", "de": "german", "ja": "japanese", "ko": "korean", "zh": "chinese"}


class Transcriber(Protocol):
    info: dict[str, Any]  # mode, model, version

    def transcribe(self, paths: Sequence[Path], language: str) -> list[str]: ...


class SpeakerEncoder(Protocol):
    info: dict[str, Any]

    def similarity(self, pairs: Sequence[tuple[Path, Path]]) -> list[float]:
        """Cosine similarity of the two files' speaker embeddings, per pair."""
        ...


def speech_tasks(cfg: RunConfig) -> dict[str, TaskConfig]:
    return {name: task for name, task in cfg.tasks.items() if spoken_voice(task) is not None}


def _needs(task: TaskConfig) -> tuple[str | None, bool]:
    """The language to transcribe (None: none) and whether speaker similarity is measured, from the scorer."""
    if task.scorer.name == WER_SCORER:
        return task.scorer.options["language"], False
    if task.scorer.name == SIMILARITY_SCORER:
        return None, True
    raise ConfigError(f"task {task.name!r} generates speech but scores with {task.scorer.name!r}; speech tasks score "
                      f"with {' or '.join(SPEECH_SCORERS)}")  # fmt: skip


def check_listeners(cfg: RunConfig) -> None:
    """Everything listening will need, checked before the model loads: one ConfigError line naming the key."""
    for task in speech_tasks(cfg).values():
        language, similarity = _needs(task)
        if language is not None:
            transcriber_for(cfg.speech_eval, language, load=False)
        if similarity:
            speaker_encoder(cfg.speech_eval, load=False)


def transcriber_for(config: SpeechEvalConfig, language: str, load: bool = True) -> Transcriber | None:
    """The recogniser of `language` in the configured mode; None in proxy mode where no package ships one."""
    if config.mode == "proxy":
        if language != "en":
            return None
        _require_package("pocketsphinx", "the proxy English recogniser")
        return PocketSphinx() if load else None
    if language == "zh":
        folder = _local(config.paraformer_zh, "speech_eval.paraformer_zh", "FunASR paraformer-zh model folder")
        _require_package("funasr", "Paraformer-zh (official zh recogniser)")
        _require_package("zhconv", "the official zh recogniser's simplified-Chinese conversion")
        return Paraformer(folder) if load else None
    folder = _local(config.whisper_large_v3, "speech_eval.whisper_large_v3", "openai/whisper-large-v3 folder")
    return Whisper(folder) if load else None


def speaker_encoder(config: SpeechEvalConfig, load: bool = True) -> SpeakerEncoder | None:
    if config.mode == "proxy":
        _require_package("resemblyzer", "the proxy speaker encoder")
        return Resemblyzer() if load else None
    checkpoint = _local(config.wavlm_large_sv, "speech_eval.wavlm_large_sv", "UniSpeech wavlm_large_finetune.pth")
    code = _local(config.unispeech_sv_code, "speech_eval.unispeech_sv_code",
                  "UniSpeech downstreams/speaker_verification folder (in a seed-tts-eval checkout)")  # fmt: skip
    _check_unispeech_code(code)
    for package in UNISPEECH_IMPORTS:  # what verification.py and models/ecapa_tdnn.py import
        _require_package(package, "the UniSpeech speaker verifier (official similarity)")
    return UniSpeechVerifier(code, checkpoint) if load else None


def _check_unispeech_code(code: Path) -> None:
    key = f"speech_eval.unispeech_sv_code={str(code)!r}"
    missing = [name for name in UNISPEECH_FILES if not (code / name).is_file()]
    if missing:
        raise ConfigError(f"{key} has no {', '.join(missing)}: give seed-tts-eval's "
                          "thirdparty/UniSpeech/downstreams/speaker_verification folder")  # fmt: skip
    if "source='local'" in (code / "models/ecapa_tdnn.py").read_text():
        raise ConfigError(f"{key}: its models/ecapa_tdnn.py loads WavLM-large from a local path of seed-tts-eval's "
                          "authors (seed-tts-eval before c952b9c); use a checkout at c952b9c or later, which loads it "
                          "with torch.hub.load('s3prl/s3prl', 'wavlm_large')")  # fmt: skip


def _local(path: str | None, key: str, what: str) -> Path:
    if not path or not Path(path).exists():
        raise ConfigError(f"{key}={path!r}: speech_eval.mode=official needs the {what} on local disk; set {key} to "
                          "it, or run with speech_eval.mode=proxy (numbers not comparable to the paper's)")  # fmt: skip
    return Path(path)


def _require_package(name: str, what: str) -> None:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(f"{what} needs the Python package {name!r}: pip install 'evalkit[speech]'") from None


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def load_16k(path: Path) -> np.ndarray:
    """Mono float32 at 16 kHz (polyphase resampling)."""
    import soundfile
    from scipy.signal import resample_poly

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate == LISTEN_RATE:
        return mono
    divisor = np.gcd(int(rate), LISTEN_RATE)
    return resample_poly(mono, LISTEN_RATE // divisor, int(rate) // divisor).astype(np.float32)


class PocketSphinx:
    """CMU PocketSphinx with the en-us acoustic model, language model and dictionary inside its wheel."""

    def __init__(self) -> None:
        self.info = {"mode": "proxy", "model": "pocketsphinx en-us (bundled)", "version": _version("pocketsphinx")}

    def transcribe(self, paths: Sequence[Path], language: str) -> list[str]:
        from pocketsphinx import Decoder

        decoder = Decoder(samprate=LISTEN_RATE, loglevel="FATAL")
        texts = []
        for path in paths:
            pcm = (np.clip(load_16k(path), -1.0, 1.0) * 32767).astype(np.int16)
            decoder.start_utt()
            decoder.process_raw(pcm.tobytes(), full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            texts.append(hypothesis.hypstr if hypothesis is not None else "")
        return texts


class Resemblyzer:
    """Resemblyzer's GE2E speaker encoder (weights inside the wheel); embeddings are unit-length."""

    def __init__(self) -> None:
        from resemblyzer import VoiceEncoder

        self.encoder = VoiceEncoder(device="cpu", verbose=False)
        self.info = {"mode": "proxy", "model": "resemblyzer GE2E VoiceEncoder", "version": _version("resemblyzer")}

    def similarity(self, pairs: Sequence[tuple[Path, Path]]) -> list[float]:
        from resemblyzer import preprocess_wav

        def embed(path: Path) -> np.ndarray:
            return self.encoder.embed_utterance(preprocess_wav(load_16k(path), source_sr=LISTEN_RATE))

        return [float(np.dot(embed(a), embed(b))) for a, b in pairs]


def run_wer_samples(path: Path) -> np.ndarray:
    """A WAV as seed-tts-eval's run_wer.py gives it to Whisper: soundfile's float64 samples, FFT-resampled
    (scipy.signal.resample) to int(n * 16000 / rate) samples when not at 16 kHz."""
    import soundfile
    from scipy.signal import resample

    samples, rate = soundfile.read(str(path))
    if samples.ndim != 1:
        raise ValueError(f"{path}: {samples.shape[1]} channels; the official recogniser takes mono audio")
    if rate == LISTEN_RATE:
        return samples
    return np.asarray(resample(samples, int(len(samples) * LISTEN_RATE / rate)))


def _loaded(name: str, folder: Path, package: str) -> dict[str, Any]:
    """An official listener's record: the model, where it was read from, the fingerprint of that folder's files
    (evalkit.provenance.checkpoint_fingerprint, as the manifest keeps for the evaluated model) and the version of
    the package that ran it."""
    return {"mode": "official", "model": name, "path": str(folder), "content_hash": checkpoint_fingerprint(folder),
            "version": _version(package)}  # fmt: skip


class Whisper:
    """Whisper-large-v3 through transformers, language and task forced, greedy, as seed-tts-eval's run_wer.py."""

    def __init__(self, folder: Path) -> None:
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        self.processor = WhisperProcessor.from_pretrained(folder)
        self.model = WhisperForConditionalGeneration.from_pretrained(folder).eval()
        self.info = _loaded("whisper-large-v3", folder, "transformers")

    def transcribe(self, paths: Sequence[Path], language: str) -> list[str]:
        import torch

        texts = []
        for path in paths:
            features = self.processor(run_wer_samples(path), sampling_rate=LISTEN_RATE,
                                      return_tensors="pt").input_features  # fmt: skip
            with torch.inference_mode():
                ids = self.model.generate(features.to(self.model.device), language=WHISPER_LANGUAGES[language],
                                          task="transcribe")  # fmt: skip
            texts.append(self.processor.batch_decode(ids, skip_special_tokens=True)[0])
        return texts


class Paraformer:
    """FunASR Paraformer-zh; its output is converted to simplified Chinese (zhconv 'zh-cn'), as run_wer.py does."""

    def __init__(self, folder: Path) -> None:
        from funasr import AutoModel

        self.model = AutoModel(model=str(folder), disable_update=True)
        self.info = _loaded("paraformer-zh", folder, "funasr")

    def transcribe(self, paths: Sequence[Path], language: str) -> list[str]:
        import zhconv

        return [zhconv.convert(self.model.generate(input=str(p), batch_size_s=300)[0]["text"], "zh-cn") for p in paths]


class UniSpeechVerifier:
    """UniSpeech's WavLM-large + ECAPA-TDNN verifier, run by the speaker_verification folder seed-tts-eval ships:
    `init_model` builds it (WavLM-large through torch.hub's s3prl, then wavlm_large_finetune.pth), and that folder's
    `verification` loads both files, resamples them to 16 kHz and returns the cosine of their embeddings."""

    def __init__(self, code: Path, checkpoint: Path) -> None:
        sys.path.insert(0, str(code))
        from verification import init_model  # the UniSpeech folder's module

        self.model = init_model("wavlm_large", str(checkpoint))
        self.info = {"mode": "official", "model": "UniSpeech wavlm_large ECAPA-TDNN", "path": str(checkpoint),
                     "sha256": file_sha256(checkpoint), "code": str(code),
                     "code_sha256": {name: file_sha256(code / name) for name in UNISPEECH_FILES}}  # fmt: skip

    def similarity(self, pairs: Sequence[tuple[Path, Path]]) -> list[float]:
        import torch
        from verification import verification

        gpu = torch.cuda.is_available()
        return [float(verification("wavlm_large", str(a), str(b), use_gpu=gpu, model=self.model)[0][0])
                for a, b in pairs]  # fmt: skip


def listen(cfg: RunConfig, store: RunStore,
           records: Mapping[tuple[str, str], SampleRecord]) -> dict[tuple[str, str], SampleRecord]:  # fmt: skip
    """Records with their spoken answers heard in the configured mode; audio already heard in that mode is not
    heard again."""
    heard = dict(records)
    for name, task in speech_tasks(cfg).items():
        language, similarity = _needs(task)
        todo = [r for r in records.values() if r.task == name and r.speech is not None and not r.failed]
        if language is not None:
            todo_asr = [r for r in todo if (_spoken(r).get("asr") or {}).get("mode") != cfg.speech_eval.mode]
            if todo_asr:
                heard.update(_transcribed(cfg.speech_eval, store, todo_asr, language))
        if similarity:
            todo_sim = [r for r in todo if (_spoken(heard[r.key]).get("similarity_by") or {}).get("mode")
                        != cfg.speech_eval.mode]  # fmt: skip
            if todo_sim:
                heard.update(_compared(cfg.speech_eval, store, [heard[r.key] for r in todo_sim]))
    return heard


def _spoken(record: SampleRecord) -> dict[str, Any]:
    """The record's spoken answer (WAV file, provenance, what was heard); heard() passes only records with one."""
    if record.speech is None:
        raise ValueError(f"{record.task}/{record.sample_id}: no spoken answer to hear")
    return record.speech


def _transcribed(config: SpeechEvalConfig, store: RunStore, records: list[SampleRecord],
                 language: str) -> dict[tuple[str, str], SampleRecord]:  # fmt: skip
    transcriber = transcriber_for(config, language)
    if transcriber is None:
        unheard = {"mode": config.mode, "model": None, "note": f"no {config.mode} recogniser for {language!r}"}
        return {r.key: replace(r, speech={**_spoken(r), "asr": unheard, "transcript": None}) for r in records}
    texts = transcriber.transcribe([store.dir / _spoken(r)["path"] for r in records], language)
    return {r.key: replace(r, speech={**_spoken(r), "asr": transcriber.info, "transcript": text})
            for r, text in zip(records, texts, strict=True)}  # fmt: skip


def _compared(config: SpeechEvalConfig, store: RunStore,
              records: list[SampleRecord]) -> dict[tuple[str, str], SampleRecord]:  # fmt: skip
    encoder = speaker_encoder(config)
    assert encoder is not None
    pairs = [(store.dir / _spoken(r)["path"], Path(_prompt_audio(r))) for r in records]
    return {r.key: replace(r, speech={**_spoken(r), "similarity_by": encoder.info, "similarity": score})
            for r, score in zip(records, encoder.similarity(pairs), strict=True)}  # fmt: skip


def _prompt_audio(record: SampleRecord) -> str:
    prompt = (record.reference or {}).get("prompt_audio") if isinstance(record.reference, dict) else None
    if not prompt:
        raise ConfigError(f"task {record.task!r} sample {record.sample_id!r}: speaker similarity needs the sample's "
                          "prompt audio (reference.prompt_audio); its dataset gives none")  # fmt: skip
    return prompt


def listeners_used(records: Sequence[SampleRecord]) -> dict[str, dict[str, Any]]:
    """Per speech task, the mode and the models (with versions) that heard its answers, for scores.json."""
    used: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.speech is None:
            continue
        entry = used.setdefault(record.task, {"asr": [], "speaker_similarity": []})
        for key, field_name in (("asr", "asr"), ("speaker_similarity", "similarity_by")):
            info = record.speech.get(field_name)
            if info is not None and info not in entry[key]:
                entry[key].append(info)
    return used
