"""`evalkit run` end to end on the smoke suite and the tiny model: the four files, prompts, decoding policy,
resume, and the response cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.cli import main as cli
from evalkit.config import ConfigError
from evalkit.decoding import resolve_decoding
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.task import load_task

from .run_helpers import read_lines, smoke_overrides, stable_records


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("smoke")
    paths = {"out": root / "run", "cache": root / "cache", "model": tiny_model_dir}
    assert cli(["run", *smoke_overrides(tiny_model_dir, paths["out"], paths["cache"])]) == 0
    return paths


def test_run_writes_the_four_files_with_every_sample_once(smoke: dict[str, Path]) -> None:
    out = smoke["out"]
    assert {p.name for p in out.iterdir()} >= {"manifest.json", "samples.jsonl", "scores.json", "report.md"}
    config = load_run_config(smoke_overrides(smoke["model"], out, smoke["cache"]))
    expected = sorted((name, s.sample_id) for name, t in config.tasks.items() for s in load_task(t).samples)
    keys = [(r["task"], r["sample_id"]) for r in read_lines(out / "samples.jsonl")]
    assert sorted(keys) == expected and len(keys) == len(set(keys)) == 19
    scores = json.loads((out / "scores.json").read_text())["tasks"]
    assert set(scores) == set(config.tasks)
    assert sum(s["n"] for s in scores.values()) == 19
    report = (out / "report.md").read_text()
    assert all(name in report for name in config.tasks)


def test_asr_prompt_has_no_system_turn_and_audio_before_text(smoke: dict[str, Path]) -> None:
    record = next(r for r in read_lines(smoke["out"] / "samples.jsonl") if r["task"] == "librispeech_test_clean_smoke")
    prompt = record["prompt"]
    assert "<|im_start|>system" not in prompt
    assert prompt.startswith("<|im_start|>user\n<|audio_start|><|audio_pad|><|audio_end|>")
    assert prompt.index("<|audio_end|>") < prompt.index("Transcribe the English audio into text.")
    assert record["media"][0]["sha256"] and record["response"]["output_tokens"] > 0


def test_manifest_records_greedy_decoding_and_provenance(smoke: dict[str, Path]) -> None:
    manifest = json.loads((smoke["out"] / "manifest.json").read_text())
    assert {d["policy"] for d in manifest["decoding"].values()} == {"greedy"}
    assert manifest["model"]["content_hash"]
    assert manifest["git"]["commit"] is None or len(manifest["git"]["commit"]) == 40  # None outside a checkout
    assert manifest["packages"]["transformers"] and manifest["datasets"]["mmmu_val_smoke"]["subsets"]
    assert manifest["sessions"][0]["engine"]["runner"] == "transformers"
    assert manifest["config"]["tasks"]["videomme_smoke"]["media"]["fps"] == 2.0


@pytest.mark.parametrize(
    ("model", "policy"),
    [("qwen3_omni_30b_a3b_instruct", "greedy"), ("qwen3_omni_30b_a3b_captioner", "greedy"),
     ("qwen3_omni_30b_a3b_thinking", "sampling")],
)
def test_published_checkpoints_decoding_policy(model: str, policy: str) -> None:
    config = load_run_config([f"model={model}"])
    thinking = {"do_sample": True, "temperature": 0.6, "top_p": 0.95, "top_k": 20}
    generation_config = thinking if config.model.decoding == "generation_config" else None
    task = next(iter(config.tasks.values()))
    assert resolve_decoding(config.model, task, 1234, generation_config).policy == policy


def test_rerun_into_the_same_folder_resumes_without_generating(smoke: dict[str, Path]) -> None:
    before = (smoke["out"] / "samples.jsonl").read_text()
    summary = run_evaluation(load_run_config(smoke_overrides(smoke["model"], smoke["out"], smoke["cache"])))
    assert (summary.n_resumed, summary.n_generated, summary.n_cache_hits) == (19, 0, 0)
    assert (smoke["out"] / "samples.jsonl").read_text() == before


def test_response_cache_serves_a_new_folder_and_misses_on_prompt_or_fps_change(
    smoke: dict[str, Path], tmp_path: Path
) -> None:
    cached = run_evaluation(load_run_config(smoke_overrides(smoke["model"], tmp_path / "a", smoke["cache"])))
    assert (cached.n_generated, cached.n_cache_hits) == (0, 19)
    assert stable_records(tmp_path / "a" / "samples.jsonl") == stable_records(smoke["out"] / "samples.jsonl")
    changed = run_evaluation(load_run_config(smoke_overrides(
        smoke["model"], tmp_path / "b", smoke["cache"],
        "tasks.librispeech_test_clean_smoke.prompt=Transcribe this.", "tasks.videomme_smoke.media.fps=1.0",
    )))
    assert (changed.n_generated, changed.n_cache_hits) == (2 + 3, 14)


def test_config_and_dataset_errors_fail_before_the_model_is_built(tmp_path: Path, capsys) -> None:
    model_dir = tmp_path / "never-built"
    assert cli(["run", "suite=smok", f"output_dir={tmp_path}/o"]) == 2
    assert "smoke" in capsys.readouterr().err  # Hydra lists the valid suites
    code = cli(["run", f"model.path={model_dir}", f"output_dir={tmp_path}/o",
                "tasks.mmmu_val_smoke.dataset.local_path=/nowhere/mmmu"])
    assert code == 2 and "/nowhere/mmmu" in capsys.readouterr().err
    assert not model_dir.exists()
    with pytest.raises(ConfigError, match="tasks.mmmu_val_smoke|mmmu_val_smoke.*not_a_key|not_a_key"):
        load_run_config(["+tasks.mmmu_val_smoke.not_a_key=1"])


def test_batch_size_one_probe_changes_no_output(smoke: dict[str, Path], tmp_path: Path, capsys) -> None:
    """The determinism probe: the same config at runner.batch_size=1, compared with `evalkit compare`."""
    single = tmp_path / "batch1"
    overrides = smoke_overrides(smoke["model"], single, tmp_path / "cache", "runner.batch_size=1")
    assert cli(["run", *overrides]) == 0
    capsys.readouterr()
    assert cli(["compare", str(smoke["out"]), str(single), "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)["tasks"]
    assert {name: t["output_changed"] for name, t in tasks.items()} == {name: [] for name in tasks}
    assert all(t["difference"]["delta"] == 0 for t in tasks.values())


def test_score_command_reads_a_run_with_its_own_scorer_config(smoke: dict[str, Path], capsys) -> None:
    scores = json.loads((smoke["out"] / "scores.json").read_text())["tasks"]
    for task in ("librispeech_test_clean_smoke", "mmmu_val_smoke"):
        assert cli(["score", "--task", task, "--predictions", str(smoke["out"] / "samples.jsonl"), "--json"]) == 0
        result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert (result["value"], result["n"]) == (scores[task]["value"], scores[task]["n"])


def test_rescore_applies_a_scorer_change_without_the_model(smoke: dict[str, Path], tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    import shutil

    import evalkit.generation
    import evalkit.pipeline

    def refuse(*args):
        raise AssertionError("rescore loaded the model or an engine")

    run = tmp_path / "run"
    shutil.copytree(smoke["out"], run)
    # patched where the pipeline and its generation stage look them up (imported by name), so any model load fails
    monkeypatch.setattr(evalkit.pipeline, "resolve_model_path", refuse)
    monkeypatch.setattr(evalkit.generation, "build_runner", refuse)
    task = "librispeech_test_clean_smoke"
    assert cli(["rescore", str(run), f"tasks.{task}.scorer.options.normalizer=none"]) == 0
    capsys.readouterr()
    records = [r for r in read_lines(run / "samples.jsonl") if r["task"] == task]
    # without normalization the upper-case references no longer match their normalized form
    assert all(r["score_detail"]["reference"] == r["reference"] for r in records)
    rescored = json.loads((run / "scores.json").read_text())["tasks"][task]
    assert rescored["scorer"]["options"]["normalizer"] == "none"
    assert json.loads((run / "manifest.json").read_text())["rescored"][0]["overrides"]


@pytest.mark.parametrize(
    ("override", "listed"),
    [("runner.batchsize=4", "batch_size"), ("+runner.batchsize=4", "batch_size"),
     ("tasks.videomme_smoke.media.fsp=1", "fps"), ("+tasks.mmmu_val_smoke.bogus=1", "max_new_tokens")],
)
def test_a_wrong_key_lists_the_valid_ones(override: str, listed: str) -> None:
    with pytest.raises(ConfigError, match=rf"valid keys there: .*\b{listed}\b"):
        load_run_config([override])


def test_a_bad_scorer_option_is_a_config_error_naming_the_task(tmp_path: Path, capsys) -> None:
    code = cli(["run", f"output_dir={tmp_path}/o", "tasks.mmmu_val_smoke.scorer.options.mode=xx"])
    assert code == 2 and "task 'mmmu_val_smoke': scorer 'mmmu'" in capsys.readouterr().err


def test_a_scorer_change_resumes_and_rescores(smoke: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(smoke["out"], run)
    task = "librispeech_test_clean_smoke"
    summary = run_evaluation(load_run_config(smoke_overrides(
        smoke["model"], run, smoke["cache"], f"+tasks.{task}.scorer.options.normalizer=none")))
    assert (summary.n_resumed, summary.n_generated) == (19, 0)
    assert summary.scores[task].scorer["options"]["normalizer"] == "none"


def test_a_task_with_inputs_the_model_does_not_take_is_refused(tmp_path: Path, capsys) -> None:
    code = cli(["run", f"output_dir={tmp_path}/o", "model.modalities=[audio]", f"model.path={tmp_path}/m"])
    assert code == 2 and "gives text input, which model 'tiny_random' does not take" in capsys.readouterr().err
