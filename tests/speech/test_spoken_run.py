"""Spoken output end to end on the tiny model's talker (suite smoke_speech): valid 24 kHz WAV files with their
provenance in the run folder, resume that never regenerates finished audio, and the response cache keyed on voice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import pytest
import soundfile

from evalkit.config import ConfigError
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import RunSummary, engine_name, run_evaluation
from evalkit.run_folder import read_samples


def _run(model: Path, out: Path, cache: Path, *extra: str) -> RunSummary:
    # 32 codes, about 2.6 s of speech an answer (the tiny model's own budget gives 10 s): the proxy recogniser's
    # time grows with the audio, and nothing here needs more
    return run_evaluation(load_run_config([
        "model=tiny_random", "suite=smoke_speech", f"model.path={model}", f"output_dir={out}", f"cache_dir={cache}",
        "runner.device=cpu", "model.talker_max_new_tokens=32", *extra,
    ]))  # fmt: skip


@pytest.fixture(scope="module")
def spoken_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("speech")
    paths = {"out": root / "run", "cache": root / "cache", "model": tiny_model_dir}
    summary = _run(paths["model"], paths["out"], paths["cache"])
    assert (summary.n_samples, summary.n_generated) == (8, 8)
    return paths


def test_every_spoken_answer_is_a_valid_24khz_wav_with_its_provenance(spoken_run: dict[str, Path]) -> None:
    records = [asdict(r) for r in read_samples(spoken_run["out"] / "samples.jsonl")]
    assert len(records) == 8
    for record in records:
        speech = record["speech"]
        path = spoken_run["out"] / speech["path"]
        samples, rate = soundfile.read(path, dtype="float32")
        assert rate == speech["sample_rate"] == 24000 and samples.ndim == 1 and len(samples) > 0
        assert speech["n_samples"] == len(samples)
        assert speech["duration_s"] == pytest.approx(len(samples) / 24000, abs=1e-3)
        assert speech["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and speech["voice"] == "Ethan"


def test_scores_record_the_listening_mode_and_models_and_stay_out_of_the_paper_columns(
    spoken_run: dict[str, Path],
) -> None:
    from evalkit.report.rows import build_report
    from evalkit.run_folder import load_run

    document = json.loads((spoken_run["out"] / "scores.json").read_text())
    listening = document["run"]["listening"]
    assert listening["mode"] == "proxy"
    assert listening["tasks"]["seedtts_test_en_smoke"]["asr"][0]["model"].startswith("pocketsphinx")
    assert listening["tasks"]["multilingual_tts_en_sim_smoke"]["speaker_similarity"][0]["version"]
    tasks = document["tasks"]
    assert tasks["seedtts_test_en_smoke"]["metric"] == "proxy_wer"
    assert -1.0 <= tasks["multilingual_tts_en_sim_smoke"]["value"] <= 1.0
    assert tasks["seedtts_test_zh_smoke"]["n_excluded"] == 2  # no proxy recogniser for Chinese: not heard
    # the smoke tasks carry their benchmarks' reported keys, yet a proxy number is never placed in a paper column
    assert all(row.table is None for row in build_report(load_run(spoken_run["out"])).rows)


def test_resume_never_regenerates_finished_audio_and_restores_a_lost_file_from_the_cache(
    spoken_run: dict[str, Path],
) -> None:
    out = spoken_run["out"]
    files = sorted((out / "speech").rglob("*.wav"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    resumed = _run(spoken_run["model"], out, spoken_run["cache"])
    assert (resumed.n_resumed, resumed.n_generated, resumed.n_cache_hits) == (8, 0, 0)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before
    files[0].unlink()  # a lost answer is answered again, from the response cache's copy of its audio
    again = _run(spoken_run["model"], out, spoken_run["cache"])
    assert (again.n_resumed, again.n_generated, again.n_cache_hits) == (7, 0, 1)
    assert files[0].read_bytes() == before[files[0]][1]


def test_the_response_cache_is_keyed_on_the_voice(spoken_run: dict[str, Path], tmp_path: Path) -> None:
    summary = _run(spoken_run["model"], tmp_path / "chelsie", spoken_run["cache"],
                   "tasks.seedtts_test_en_smoke.options.voice=Chelsie")  # fmt: skip
    assert (summary.n_generated, summary.n_cache_hits) == (2, 6)
    voices = {r.speech["voice"] for r in read_samples(tmp_path / "chelsie" / "samples.jsonl")
              if r.task == "seedtts_test_en_smoke"}  # fmt: skip
    assert voices == {"Chelsie"}


def test_speech_tasks_need_the_talker_and_one_of_its_voices(tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="generates speech .* set model.talker=true"):
        _run(tiny_model_dir, tmp_path / "a", tmp_path / "c", "model.talker=false")
    with pytest.raises(ConfigError, match="voice 'Bob' is not one of .*valid: Ethan, Chelsie, Aiden"):
        _run(tiny_model_dir, tmp_path / "b", tmp_path / "c", "tasks.seedtts_test_en_smoke.options.voice=Bob")
    with pytest.raises(ConfigError, match=r"speech_eval\.whisper_large_v3=None: speech_eval.mode=official needs"):
        _run(tiny_model_dir, tmp_path / "d", tmp_path / "c", "speech_eval.mode=official")


def test_a_talker_budget_other_than_qwens_keys_its_own_engine() -> None:
    # the tiny model's 128-code budget cuts answers Qwen's 4096 would not: their cached speech must never mix
    def engine(*overrides: str) -> str:
        return engine_name(load_run_config(["model=tiny_random", "suite=smoke_speech", *overrides]))

    assert engine() == "transformers:float32:talker-max-128"
    assert engine("model.talker_max_new_tokens=4096") == "transformers:float32"
    assert engine("model.talker=false", "suite=smoke") == "transformers:float32"
