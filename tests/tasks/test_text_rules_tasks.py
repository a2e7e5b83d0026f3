"""Loaders of the rule-scored text benchmarks on their smoke fixtures: prompts, shuffles, repeats, references."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest

from evalkit.config import ConfigError
from evalkit.decoding import for_draw
from evalkit.registry import task_spec
from evalkit.scoring.livebench_coding import CodingProblem
from evalkit.task import check_task, load_task
from evalkit.types import Decoding


def _load(name: str, **options):
    config = task_spec(name).task_config()
    config.options.update(options)
    return load_task(config).samples


def _text(sample) -> str:
    return sample.messages[0].parts[-1].text


def test_gpqa_shuffles_as_simple_evals_draws():
    samples = _load("gpqa_diamond_smoke")
    rng = random.Random(0)  # simple-evals: one generator, rng.sample(range(4), 4) per question in row order
    for sample in samples:
        permutation = rng.sample(range(4), 4)
        assert sample.reference == "ABCD"[permutation.index(0)]
    assert "A) -2\nB) +1\nC) -1\nD) 0" in _text(samples[0]) and samples[0].reference == "C"


def test_gpqa_repeats_take_the_next_permutations():
    samples = _load("gpqa_diamond_smoke", samples_per_problem=2)
    rng = random.Random(0)
    by_draw = [[rng.sample(range(4), 4) for _ in range(3)] for _ in range(2)]
    assert [s.sample_id for s in samples[:2]] == ["rec01#0", "rec01#1"]
    assert [s.reference for s in samples] == ["ABCD"[by_draw[d][q].index(0)] for q in range(3) for d in range(2)]


def test_aime_draws_have_their_own_ids_clusters_and_seeds():
    samples = _load("aime25_smoke")  # the smoke variant asks each problem twice
    assert [(s.sample_id, s.cluster, s.draw) for s in samples[:2]] == [("0#0", "0", 0), ("0#1", "0", 1)]
    assert samples[0].reference == "24" and _text(samples[0]).endswith("final answer within \\boxed{}.")
    seeds = {for_draw(Decoding(max_new_tokens=8, do_sample=True, seed=1234), s.draw).seed for s in samples[:2]}
    assert seeds == {1234, 1235}
    assert [s.sample_id for s in _load("aime25_smoke", samples_per_problem=1)] == ["0", "1", "2"]


@pytest.mark.parametrize("bad", [0, "4", True])
def test_samples_per_problem_must_be_a_positive_integer(bad):
    config = task_spec("aime25_smoke").task_config()
    config.options["samples_per_problem"] = bad
    with pytest.raises(ConfigError, match="samples_per_problem"):
        check_task(config)


def test_mmlu_redux_reference_is_the_letter_of_the_correct_text():
    samples = _load("mmlu_redux_smoke")
    assert [s.reference for s in samples] == ["B", "C", "A"]
    assert "- (A) Venus\n- (B) Mercury\n" in _text(samples[0]) and '"answer": "___"' in _text(samples[0])


def test_zebralogic_prompt_asks_for_every_cell():
    sample = _load("zebralogic_smoke")[1]
    assert sample.categories == {"size": "2*3", "size_group": "small"}
    assert '"House 2": {\n            "Name": "___",\n            "Color": "___",\n            "Drink": "___"' in (
        _text(sample))


def test_polymath_languages_levels_and_checks():
    samples = _load("polymath_smoke")
    assert len(samples) == 8 and samples[0].sample_id == "en-low-0"
    assert _text(samples[1]).endswith("注意：请将最终答案放在 $\\boxed\\{\\}$ 中。")
    config = task_spec("polymath_smoke").task_config()
    config.dataset = dataclasses.replace(config.dataset, subsets=["xx"])
    with pytest.raises(ConfigError, match="PolyMATH's languages"):
        check_task(config)
    config = task_spec("polymath_smoke").task_config()
    config.options["levels"] = ["easy"]
    with pytest.raises(ConfigError, match="options.levels"):
        check_task(config)


def test_livebench_release_selects_questions_by_release_and_removal_dates():
    assert [s.sample_id for s in _load("livebench_reasoning_smoke")] == ["r1", "r2", "r3"]  # r4 left in 2024-08-31
    # the 2024-07-26 release: r1 and r4 (released 2024-06-24, r4 removed only later); r2 and r3 came after it
    assert [s.sample_id for s in _load("livebench_reasoning_smoke", release="2024-07-26")] == ["r1", "r4"]
    config = task_spec("livebench_language_smoke").task_config()
    config.options["release"] = "2025-04-02"
    with pytest.raises(ConfigError, match="LiveBench releases"):
        check_task(config)


def test_livebench_references_carry_what_their_graders_need():
    data = {s.sample_id: s.reference for s in _load("livebench_data_analysis_smoke")}
    assert data["d3"]["table_format"] == "jsonl" and "table_format" not in data["d1"]
    instructed = _load("livebench_instruction_following_smoke")[1].reference["instructions"]
    assert instructed.instruction_ids == ("length_constraints:number_words",)
    math = {s.sample_id: s.reference for s in _load("livebench_math_smoke")}
    assert [math[q]["math_grader"] for q in ("m1", "m2", "m3", "m4")] == ["amc", "aime", "proof_rearrangement",
                                                                           "amps_hard"]
    assert math["m1"]["choice_text"] == "2" and "choice_text" not in math["m2"]
    coding = {s.sample_id: CodingProblem.of(s.reference["coding"]) for s in _load("livebench_coding_smoke")}
    # public tests, then the private ones (stored compressed, as LiveCodeBench ships them)
    assert coding["c1"].inputs == ("3\n1 2 3\n", "2\n-5 5\n") and coding["c1"].fn_name is None
    assert coding["c2"].fn_name == "twoSum" and coding["c3"].partial_solution.endswith("seen = {}")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("subtask", "hmmt_2024", "has no LiveBench math grader"),
    ("ground_truth", "F", "is not a letter A-E"),
])
def test_livebench_math_rows_without_a_grader_are_refused(tmp_path, field, value, message):
    rows = (Path(task_spec("livebench_math_smoke").task_config().dataset.local_path or "")).read_text().splitlines()
    first = {**json.loads(rows[0]), field: value}
    (tmp_path / "test.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    config = task_spec("livebench_math_smoke").task_config()
    config.dataset.local_path = str(tmp_path / "test.jsonl")
    with pytest.raises(ConfigError, match=f"question m1: .*{message}"):
        load_task(config)


def test_livebench_coding_rows_with_unreadable_tests_are_refused(tmp_path):
    rows = (Path(task_spec("livebench_coding_smoke").task_config().dataset.local_path or "")).read_text().splitlines()
    (tmp_path / "test.jsonl").write_text(json.dumps({**json.loads(rows[0]), "private_test_cases": "not tests"}) + "\n",
                                         encoding="utf-8")
    config = task_spec("livebench_coding_smoke").task_config()
    config.dataset.local_path = str(tmp_path / "test.jsonl")
    with pytest.raises(ConfigError, match="question c1: test cases are neither JSON"):
        load_task(config)
