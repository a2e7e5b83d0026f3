"""Dependent-turn chains (Multi-IF): each round of turns is one engine stream across samples, a later turn's prompt
holds the model's earlier answers, and a run stopped between rounds or after a failed turn resumes exactly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import evalkit.generation as generation
from evalkit.config import ConfigError
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.runners import build_runner
from evalkit.task import user_turn
from evalkit.turns import conversation, turn_depths
from evalkit.types import NotReady, Sample

from .run_helpers import read_lines, stable_records
from .test_failures import FlakyRunner

OPENING, SECOND, THIRD = ["1001/1", "1002/1"], ["1001/2", "1002/2"], ["1001/3"]  # the smoke fixture's turns


def overrides(model: Path, run: Path, cache: Path, *extra: str) -> list[str]:
    return ["model=tiny_random", f"model.path={model}", "tasks=[multi_if_smoke]", f"output_dir={run}",
            f"cache_dir={cache}", "use_response_cache=false", *extra]


def turn(sample_id: str, text: str, follows: str | None = None) -> Sample:
    return Sample(task="t", sample_id=sample_id, messages=user_turn([], text), reference=None, follows=follows)


def test_a_later_turn_holds_every_earlier_turn_and_answer_in_order():
    first, second, third = turn("a/1", "Q1"), turn("a/2", "Q2", "a/1"), turn("a/3", "Q3", "a/2")
    by_id = {s.sample_id: s for s in (first, second, third)}
    messages = conversation(third, by_id, {"a/1": "A1", "a/2": "A2"})
    assert [(m.role, m.parts[0].text) for m in messages] == [  # type: ignore[union-attr]
        ("user", "Q1"), ("assistant", "A1"), ("user", "Q2"), ("assistant", "A2"), ("user", "Q3")]
    assert turn_depths("t", [first, second, third]) == {"a/1": 0, "a/2": 1, "a/3": 2}


def test_a_turn_must_follow_an_earlier_sample():
    with pytest.raises(ConfigError, match="'b/2' follows 'b/1', which is not an earlier sample"):
        turn_depths("t", [turn("b/2", "Q2", "b/1"), turn("b/1", "Q1")])


def test_each_round_is_one_stream_and_later_prompts_hold_the_earlier_answers(tmp_path, tiny_model_dir,
                                                                              monkeypatch) -> None:
    streams: list[list[str]] = []
    real = generation.completions

    def recorded(runner, requests, batch_size):
        streams.append(seen := [])

        def tap():
            for request in requests:
                if not isinstance(request, NotReady):
                    seen.append(request.sample.sample_id)
                yield request
        return real(runner, tap(), batch_size)

    monkeypatch.setattr(generation, "completions", recorded)
    run_evaluation(load_run_config(overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache")))
    assert [sorted(s) for s in streams] == [OPENING, SECOND, THIRD]
    records = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl")}
    for earlier, later in (("1001/1", "1001/2"), ("1001/2", "1001/3"), ("1002/1", "1002/2")):
        answer = records[earlier]["response"]["text"]
        assert records[later]["prompt"].startswith(records[earlier]["prompt"] + answer)


def test_a_run_stopped_between_rounds_resumes_with_the_same_records(tmp_path, tiny_model_dir, monkeypatch) -> None:
    rounds = []
    real_run = generation.GenerationStage.run

    def stop_after_the_first_round(self, planned):
        if rounds:
            raise RuntimeError("stopped between rounds")
        rounds.append(len(planned))
        return real_run(self, planned)

    monkeypatch.setattr(generation.GenerationStage, "run", stop_after_the_first_round)
    config = overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache")
    with pytest.raises(RuntimeError, match="between rounds"):
        run_evaluation(load_run_config(config))
    assert sorted(r["sample_id"] for r in read_lines(tmp_path / "run" / "samples.jsonl")) == OPENING
    monkeypatch.setattr(generation.GenerationStage, "run", real_run)
    summary = run_evaluation(load_run_config(config))
    assert (summary.n_resumed, summary.n_generated) == (2, 3)
    run_evaluation(load_run_config(overrides(tiny_model_dir, tmp_path / "whole", tmp_path / "cache")))
    assert stable_records(tmp_path / "run" / "samples.jsonl") == stable_records(tmp_path / "whole" / "samples.jsonl")


class ThinkingRunner(FlakyRunner):
    """The real runner, its opening turns answered by a Thinking model's reasoning block and answer."""

    def generate(self, batch):
        return [replace(r, text=f"<think>my plan</think>answer to {p.sample.sample_id}") if p.sample.follows is None
                else r for p, r in zip(batch, self.inner.generate(batch), strict=True)]


def test_a_thinking_models_earlier_answers_enter_without_their_reasoning(tmp_path, tiny_model_dir,
                                                                          monkeypatch) -> None:
    monkeypatch.setattr(generation, "build_runner", lambda *a: ThinkingRunner(build_runner(*a), set()))
    run_evaluation(load_run_config(overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache",
                                             "model.reasoning=true")))
    second = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl")}["1001/2"]
    assert "answer to 1001/1<|im_end|>" in second["prompt"] and "my plan" not in second["prompt"]


def test_a_failed_turn_fails_its_later_turns_and_a_resumed_run_retries_them(tmp_path, tiny_model_dir,
                                                                             monkeypatch) -> None:
    monkeypatch.setattr(generation, "build_runner", lambda *a: FlakyRunner(build_runner(*a), {"1001/1"}))
    config = overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "failures.max_failures=5")
    first = run_evaluation(load_run_config(config))
    failed = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl") if r["error"]}
    assert first.n_failed == 3 and failed["1001/1"]["error_stage"] == "runner"
    assert {failed[t]["error_stage"] for t in ("1001/2", "1001/3")} == {"previous_turn"}
    assert "earlier turn 1001/1 failed (runner: RuntimeError: injected engine failure)" in failed["1001/2"]["error"]
    monkeypatch.setattr(generation, "build_runner", build_runner)
    second = run_evaluation(load_run_config(config))
    assert (second.n_failed, second.n_resumed, second.n_generated) == (0, 2, 3)
