"""SEED-TTS eval's WER and similarity scoring (scoring/tts.py) against hand-computed answers, and hearing known
speech (espeak-ng) through both listening modes: proxy here, official where its weights are on local disk."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
from profiles.tiny_families import build_tiny_whisper

from evalkit.config import ConfigError, SpeechEvalConfig
from evalkit.listening import run_wer_samples, speaker_encoder, transcriber_for
from evalkit.provenance import checkpoint_fingerprint
from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.tts import SpeakerSimilarityScorer, TtsWerScorer, seedtts_tokens, utterance_wer

# Where the official models are looked for by this test (the run itself reads them from speech_eval.*)
OFFICIAL_WHISPER = Path(".cache/evalkit/speech-eval/whisper-large-v3")


def test_seedtts_normalisation_drops_punctuation_but_the_apostrophe_and_splits_chinese_by_character() -> None:
    assert seedtts_tokens("Hello, World! It's 5.", "en") == ["hello", "world", "it's", "5"]
    assert seedtts_tokens("你好，世界！", "zh") == ["你", "好", "世", "界"]
    assert seedtts_tokens("こんにちは。", "ja") == list("こんにちは")


def test_wer_is_the_mean_of_utterance_wers_not_the_corpus_ratio() -> None:
    scorer = TtsWerScorer(language="en", mode="official")
    items = [
        ScoreInput("a", "the cat sat", {"text": "The cat sat."}),  # 0 errors / 3
        ScoreInput("b", "dog", {"text": "A dog"}),  # 1 deletion / 2 -> 0.5
        ScoreInput("c", None, {"text": "never spoken"}),  # no audio: excluded officially, 1.0 in strict
    ]
    result = aggregate_with_categories(scorer, scorer.score(items))
    assert result.value == pytest.approx(25.0)  # (0 + 0.5) / 2; the corpus ratio would be 1/5 = 20 %
    assert result.strict_value == pytest.approx(100 * 1.5 / 3)
    assert (result.n, result.n_excluded, result.metric) == (3, 1, "wer")
    # a proxy number never takes the paper's column name
    assert TtsWerScorer(mode="proxy", language="en").metric == "proxy_wer"


def test_chinese_wer_counts_characters() -> None:
    assert utterance_wer("我们去公园。", "我们去学校", "zh") == pytest.approx(2 / 5)


def test_similarity_is_the_mean_cosine_of_heard_utterances() -> None:
    scorer = SpeakerSimilarityScorer(mode="official")
    items = [ScoreInput("a", None, {}, measurements={"similarity": 0.8}),
             ScoreInput("b", None, {}, measurements={"similarity": 0.6}),
             ScoreInput("c", None, {})]  # fmt: skip
    result = aggregate_with_categories(scorer, scorer.score(items))
    assert result.value == pytest.approx(0.7) and result.strict_value == pytest.approx(1.4 / 3)


def _espeak(text: str, voice: str, out: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(out), text], check=True, capture_output=True)
    return out


TEXTS = ("the weather is nice today", "please call stella and ask her to bring these things")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("espeak")
    return [_espeak(text, "en-us", folder / f"{i}.wav") for i, text in enumerate(TEXTS)]


def test_proxy_recogniser_hears_known_speech_better_than_a_mismatched_text(spoken: list[Path]) -> None:
    pytest.importorskip("pocketsphinx")
    heard = transcriber_for(SpeechEvalConfig(mode="proxy"), "en").transcribe(spoken, "en")
    matched = [utterance_wer(text, hyp, "en") for text, hyp in zip(TEXTS, heard, strict=True)]
    crossed = [utterance_wer(text, hyp, "en") for text, hyp in zip(reversed(TEXTS), heard, strict=True)]
    # PocketSphinx on espeak's robotic voice is a poor listener (a proxy), yet it must hear the right text
    assert sum(matched) < sum(crossed) and min(matched) < 1.0


def test_proxy_speaker_encoder_tells_voices_apart(spoken: list[Path], tmp_path: Path) -> None:
    pytest.importorskip("resemblyzer")
    other = _espeak(TEXTS[0], "de", tmp_path / "de.wav")
    same, different = speaker_encoder(SpeechEvalConfig(mode="proxy")).similarity([(spoken[0], spoken[1]),
                                                                                  (spoken[0], other)])  # fmt: skip
    assert -1.0 <= different < same <= 1.0


def test_proxy_mode_has_no_recogniser_for_chinese() -> None:
    assert transcriber_for(SpeechEvalConfig(mode="proxy"), "zh", load=False) is None


def test_official_mode_without_local_weights_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"speech_eval\.whisper_large_v3=None: speech_eval.mode=official needs"):
        transcriber_for(SpeechEvalConfig(mode="official"), "en", load=False)
    with pytest.raises(ConfigError, match=r"speech_eval\.wavlm_large_sv"):
        speaker_encoder(SpeechEvalConfig(mode="official"), load=False)


def test_official_whisper_input_is_resampled_as_run_wer_does(tmp_path: Path) -> None:
    rate = 24000
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)
    soundfile.write(tmp_path / "tone.wav", tone, rate, subtype="PCM_16")
    samples = run_wer_samples(tmp_path / "tone.wav")
    # int(24000 * 16000 / 24000) samples, float64, the tone still at 440 Hz (1 s: bin k is k Hz)
    assert samples.shape == (16000,) and samples.dtype == np.float64
    assert int(np.argmax(np.abs(np.fft.rfft(samples)))) == 440
    soundfile.write(tmp_path / "16k.wav", tone[:16000], 16000, subtype="PCM_16")
    assert np.array_equal(run_wer_samples(tmp_path / "16k.wav"), soundfile.read(tmp_path / "16k.wav")[0])
    soundfile.write(tmp_path / "stereo.wav", np.stack([tone, tone], axis=1), rate)
    with pytest.raises(ValueError, match=r"stereo\.wav: 2 channels"):
        run_wer_samples(tmp_path / "stereo.wav")


def test_official_whisper_records_the_fingerprint_of_the_folder_it_loaded(spoken: list[Path], tmp_path: Path) -> None:
    # the listener's own code on a tiny random Whisper built offline: what it hears is noise, what it records is not
    folder = build_tiny_whisper(tmp_path / "whisper")
    generation = json.loads((folder / "generation_config.json").read_text())
    (folder / "generation_config.json").write_text(json.dumps({**generation, "max_length": 16}))  # random text: short
    listener = transcriber_for(SpeechEvalConfig(mode="official", whisper_large_v3=str(folder)), "en")
    assert listener is not None
    assert listener.info == {"mode": "official", "model": "whisper-large-v3", "path": str(folder),
                             "content_hash": checkpoint_fingerprint(folder),
                             "version": importlib.metadata.version("transformers")}  # fmt: skip
    heard = listener.transcribe(spoken, "en")
    assert len(heard) == len(spoken) and all(isinstance(text, str) for text in heard)


def test_official_similarity_refuses_a_unispeech_folder_that_cannot_build_its_model(tmp_path: Path) -> None:
    checkpoint = tmp_path / "wavlm_large_finetune.pth"
    checkpoint.write_bytes(b"")
    code = tmp_path / "speaker_verification"
    config = SpeechEvalConfig(mode="official", wavlm_large_sv=str(checkpoint), unispeech_sv_code=str(code))
    (code / "models").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"has no verification\.py, models/ecapa_tdnn\.py: give seed-tts-eval's"):
        speaker_encoder(config, load=False)
    (code / "verification.py").write_text("")
    # seed-tts-eval before c952b9c: WavLM-large from a folder on its authors' disk
    (code / "models/ecapa_tdnn.py").write_text("torch.hub.load('/mnt/bn/s3prl', feat_type, source='local')")
    with pytest.raises(ConfigError, match=r"before c952b9c\); use a checkout at c952b9c or later"):
        speaker_encoder(config, load=False)


def test_official_whisper_hears_known_speech(spoken: list[Path]) -> None:
    if not OFFICIAL_WHISPER.is_dir():
        pytest.skip(f"official mode needs openai/whisper-large-v3 on local disk at {OFFICIAL_WHISPER} (not here)")
    heard = transcriber_for(SpeechEvalConfig(mode="official", whisper_large_v3=str(OFFICIAL_WHISPER)), "en")
    heard_texts = heard.transcribe(spoken, "en")
    wers = [utterance_wer(t, h, "en") for t, h in zip(TEXTS, heard_texts, strict=True)]
    assert max(wers) < 0.2


@pytest.mark.parametrize(("task", "table", "qwen"), [
    ("seedtts_test_en", "speech generation (zero-shot)", 1.39),
    ("multilingual_tts_ko_sim", "speech generation (multilingual)", 0.778),
    ("crosslingual_tts_zh_to_ja", "speech generation (cross-lingual)", 8.29),
])  # fmt: skip
def test_every_speech_task_has_its_place_in_the_paper_layout(task: str, table: str, qwen: float) -> None:
    from evalkit.registry import task_spec
    from evalkit.report.reference import load_published_scores

    found, column = load_published_scores().locate(task_spec(task).reported, "instruct")
    assert found.name == table and found.value(found.qwen_model("instruct"), column) == pytest.approx(qwen)


def test_the_listening_mode_reaches_every_speech_task() -> None:
    from evalkit.hydra_config import load_run_config

    proxy = load_run_config(["suite=paper_speech"])
    assert len(proxy.tasks) == 16 and proxy.model.talker
    assert all(t.scorer.options["mode"] == "proxy" and t.options["voice"] == "Ethan" for t in proxy.tasks.values())
    official = load_run_config(["suite=paper_speech", "speech_eval.mode=official"])
    assert official.tasks["multilingual_tts_de_sim"].scorer.options["mode"] == "official"


def test_audio_no_recogniser_could_hear_is_excluded_but_not_failed() -> None:
    scorer = TtsWerScorer(mode="proxy", language="zh")
    unheard, failed = scorer.score([ScoreInput("a", None, {"text": "你好"}, measurements={"unheard": 1.0}),
                                    ScoreInput("b", None, {"text": "你好"})])  # fmt: skip
    assert (unheard.excluded, unheard.failed, failed.excluded, failed.failed) == (True, False, True, True)
