"""LiveBench's math graders against LiveBench @ f3501c7's own (tests/fixtures/official_cases/livebench_math.json:
made-up AMC/SMC, AIME, IMO/USAMO and AMPS_Hard questions and answers, scored in a scratch folder by the official
graders with sympy 1.14.0, lark 1.3.1, antlr4-python3-runtime 4.11.0 and Levenshtein 0.27.5) and hand-computed
answers."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.livebench_latex import Comparison, LatexJudge, antlr_runtime_problem
from evalkit.scoring.livebench_math import (
    amc_choice_text,
    expression_order,
    math_grader,
    normalize_final_answer,
    proof_rearrangement,
)
from evalkit.scoring.registry import build_scorer

CASE = json.loads((Path(__file__).parents[1] / "fixtures" / "official_cases" / "livebench_math.json").read_text())
# Gold or answer that only SymPy's ANTLR parser reads (antlr4 4.11, from its own folder; evalkit's environment has
# hydra's 4.9.3): e.g. `\pi r^2`, `(x+1)\ln 2`
ANTLR_READ = {"amps-10-0", "amps-10-1", "amps-10-2", "amps-11-0", "amps-11-1"}


def _reference(item: dict) -> dict:
    grader = math_grader(item["subtask"])
    reference = {"ground_truth": item["ground_truth"], "math_grader": grader}
    if grader == "amc":
        reference["choice_text"] = amc_choice_text(item["question"], item["ground_truth"])
    return reference


def test_math_graders_equal_official_per_question():
    items = [ScoreInput(i["id"], i["output"], _reference(i), {"task": i["task"]}) for i in CASE["items"]]
    scores = build_scorer("livebench").score(items)
    mismatches = {official["id"] for score, official in zip(scores, CASE["items"], strict=True)
                  if score.stats["score"] != pytest.approx(official["official_score"], abs=1e-12)}
    assert mismatches == set()
    assert len(CASE["items"]) == 270
    # the AMPS_Hard verdicts name the parser that read each form; the ANTLR-read ones are right
    antlr = {s.sample_id: s for s in scores if "antlr" in s.detail.get("latex_comparison", {}).values()}
    assert ANTLR_READ <= set(antlr) and all(antlr[i].stats["score"] == 1 for i in ANTLR_READ)
    assert all(s.detail["latex_comparison"]["truth_parser"] == "lark" for s in scores
               if s.sample_id.startswith("amps-") and s.detail and s.sample_id not in antlr)
    # every grader seen right, wrong and (olympiad) partly right
    by_task: dict[str, set[float]] = {}
    for official in CASE["items"]:
        by_task.setdefault(official["task"], set()).add(round(official["official_score"], 3))
    assert all({0.0, 1.0} <= seen for seen in by_task.values()) and len(by_task["olympiad"]) > 5


def test_dispatch_by_subtask_as_gen_ground_truth_judgment():
    assert [math_grader(s) for s in ("amc_12a_2024", "smc_2023", "2023_amc_12b", "aime_2024_I", "imo_2024",
                                     "usamo_2023", "amps_hard_integrals", "hmmt_2024")] == [
        "amc", "amc", "amc", "aime", "proof_rearrangement", "proof_rearrangement", "amps_hard", None]


def test_amc_choice_text_read_from_the_question():
    question = r"$\textbf{(A) }2\qquad\textbf{(B)}~\frac{2}{3}\qquad\textbf{(C) } 7 $"
    assert [amc_choice_text(question, letter) for letter in "ABCD"] == ["2", r"\frac{2}{3}", "7", "FAILURE"]


def test_proof_rearrangement_by_hand():
    # the last "answer:" line; items cleaned of $, braces, backslashes, "boxed", angle brackets; words -> NO ANSWER
    assert expression_order("Answer: $<2>$, \\boxed{1}, expression 3") == [2, 1, 3]
    assert expression_order("answer: 5, x, 3") == [5, "NO ANSWER", 3]
    assert expression_order("first 9, 8\nso the order is 4, 2") == [4, 2]  # the last line's digit runs
    # edit distance: [2, 3, 1] to [2, 1, 3] is two substitutions -> 1 - 2/3; an extra item costs one
    assert proof_rearrangement("2,1,3", "Answer: 2, 3, 1") == pytest.approx(1 / 3)
    assert proof_rearrangement("2,1,3", "Answer: 2, 1, 3, 4") == pytest.approx(3 / 4)


def test_amps_normalization_and_timeout():
    assert normalize_final_answer(r"f'(x) = \frac12 \text{m}") == r" \frac{1}{2} m"
    assert normalize_final_answer("100,000") == "100000"
    runtime = Path(sys.prefix) / "antlr4-4.11"
    importlib.import_module("omegaconf")  # as in evalkit's run process: hydra's ANTLR 4.9.3 is loaded here
    assert not Path(sys.modules["antlr4"].__file__ or "").is_relative_to(runtime)
    with LatexJudge(runtime) as judge:
        assert judge.compare(r"\frac{1}{2}", "0.5") == Comparison(True, "lark", "lark")
        assert judge.compare(r"\pi r^2", r"r^2 * \pi") == Comparison(True, "antlr", "antlr")
    with LatexJudge(runtime, timeout_s=0.0) as judge:  # no verdict in time: not equal
        assert judge.compare(r"\frac{1}{2}", "0.5") == Comparison(False, timed_out=True)


def test_missing_antlr_runtime_is_an_error_naming_the_install(tmp_path: Path):
    problem = antlr_runtime_problem(tmp_path)
    assert problem is not None and "antlr4-python3-runtime==4.11.0" in problem and str(tmp_path) in problem
    with LatexJudge(tmp_path) as judge, pytest.raises(RuntimeError, match="antlr4-python3-runtime 4.11"):
        judge.compare("1", "1")
    # a folder holding another version is no runtime either: the environment's own 4.9.3
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert "found 4.9.3" in (antlr_runtime_problem(site) or "")
