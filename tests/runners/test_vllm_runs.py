"""Whole runs through vLLM's CPU build: a run killed mid-stream resumes without losing or repeating a sample; an
engine argument typo fails before the model loads; a random-weight model starts from its config alone."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from vllm_helpers import require_vllm

require_vllm()

from vllm_helpers import cpu_runner_config, model_config, prepare  # noqa: E402

from evalkit.config import REPO_ROOT, ConfigError  # noqa: E402
from evalkit.hydra_config import load_run_config  # noqa: E402
from evalkit.pipeline import run_evaluation  # noqa: E402
from evalkit.runners.vllm import VLLMRunner, check_engine_args  # noqa: E402
from evalkit.types import TextPart  # noqa: E402

N_SMOKE = 19
N_VIDEO = 3  # smoke samples vLLM's CPU build cannot take
SMOKE_TASKS = yaml.safe_load((REPO_ROOT / "configs" / "suite" / "smoke.yaml").read_text())["tasks"]


def run_overrides(model_dir: Path, tmp_path: Path, *extra: str) -> list[str]:
    return ["model=tiny_random", "suite=smoke", "runner=vllm_cpu", f"model.path={model_dir}",
            f"output_dir={tmp_path / 'run'}", f"cache_dir={tmp_path / 'cache'}", "use_response_cache=false", *extra]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_kill_9_mid_stream_then_resume_loses_and_repeats_nothing(vllm_model_dir: Path, tmp_path: Path,
                                                                  kill_run_mid_way) -> None:
    # one request in the engine at a time, each long enough (160 new tokens) that answers reach the journal in
    # several writes (JOURNAL_INTERVAL_S apart) and the kill lands before the last: with the suite's 24 tokens the
    # whole run could finish between two polls. The CPU build takes no video: the preflight journals the 3 video
    # samples as failed before the engine starts (and re-plans them on resume).
    longer = [f"tasks.{task}.max_new_tokens=160" for task in SMOKE_TASKS]
    overrides = run_overrides(vllm_model_dir, tmp_path, "runner.batch_size=1", *longer)
    samples = tmp_path / "run" / "samples.jsonl"
    kill_run_mid_way(overrides, samples, answers=N_VIDEO + 3)
    before = {(r["task"], r["sample_id"]): r["response"]
              for r in lines(samples) if r["error_stage"] in (None, "output")}
    assert 3 <= len(before) < N_SMOKE - N_VIDEO

    summary = run_evaluation(load_run_config(overrides))
    assert summary.n_resumed == len(before) and summary.n_generated == N_SMOKE - N_VIDEO - len(before)
    assert summary.n_failed == N_VIDEO
    after = lines(samples)
    assert len({(r["task"], r["sample_id"]) for r in after}) == len(after) == N_SMOKE
    kept = {(r["task"], r["sample_id"]): r["response"] for r in after if (r["task"], r["sample_id"]) in before}
    assert kept == before  # answered before the kill: kept as journaled, not generated again


def test_an_engine_argument_typo_fails_before_the_model_loads(vllm_model_dir: Path, tmp_path: Path, capsys) -> None:
    from evalkit.cli import main as evalkit_main

    started = time.monotonic()
    overrides = run_overrides(vllm_model_dir, tmp_path, "+runner.engine_args.max_num_batch_tokens=4096")
    status = evalkit_main(["run", *overrides])
    assert status == 2 and time.monotonic() - started < 30  # no engine was started
    assert ("runner.engine_args.max_num_batch_tokens is not a vLLM" in capsys.readouterr().err)
    with pytest.raises(ConfigError, match="did you mean max_num_batched_tokens"):
        check_engine_args(cpu_runner_config(engine_args={"max_num_batch_tokens": 4096}))
    with pytest.raises(ConfigError, match="runner.engine_args.max_num_seqs: set runner.max_num_seqs instead"):
        check_engine_args(cpu_runner_config(engine_args={"max_num_seqs": 4}))
    check_engine_args(cpu_runner_config(engine_args={"max_num_batched_tokens": 4096, "enable_prefix_caching": False}))


def test_random_weights_start_from_the_config_alone_and_decode_only_printable_ids(
    vllm_model_dir: Path, tmp_path: Path, renderer
) -> None:
    config_only = tmp_path / "config-only"
    shutil.copytree(vllm_model_dir, config_only, ignore=shutil.ignore_patterns("*.safetensors"))
    model = model_config(config_only)
    model.weights = "random"
    runner = VLLMRunner(model, cpu_runner_config(engine_args={"max_num_batched_tokens": 4096}), str(config_only))
    try:
        responses = runner.generate([prepare(renderer, f"t{k}", (TextPart(f"Say {k}."),), ()) for k in range(4)])
        info = runner.info().details
    finally:
        runner.close()
    assert info["load_format"] == "dummy" and info["max_num_batched_tokens"] == 4096
    allowed = set(runner.allowed_token_ids)
    assert info["allowed_token_ids"]["count"] == len(allowed) == 105
    for response in responses:
        assert response.error is None and set(response.token_ids) <= allowed
        assert response.text and "\ufffd" not in response.text
