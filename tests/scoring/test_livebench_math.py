"""LiveBench's math graders against LiveBench @ f3501c7's own (tests/fixtures/official_cases/livebench_math.json:
made-up AMC/SMC, AIME, IMO/USAMO and AMPS_Hard questions and answers, scored in a scratch folder by the official
graders with sympy 1.14.0, lark 1.3.1, antlr4-python3-runtime 4.11.0 and Levenshtein 0.27.5) and hand-computed
answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.livebench_math import (
    amc_choice_text,
    expression_order,
    latex_equal_within,
    math_grader,
    normalize_final_answer,
    proof_rearrangement,
)
from evalkit.scoring.registry import build_scorer

CASE = json.loads((Path(__file__).parents[1] / "fixtures" / "official_cases" / "livebench_math.json").read_text())
# Gold or answer that only SymPy's ANTLR parser reads: the official code falls back to it (antlr4 4.11); evalkit's
# environment pins antlr4 4.9.3 (MathVision's latex2sympy2), where that parser reads nothing, so these score 0 here
ANTLR_ONLY = {"amps-10-0", "amps-10-1", "amps-10-2", "amps-11-0", "amps-11-1"}


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
    assert mismatches == ANTLR_ONLY
    assert all(s.stats["score"] == 0 for s in scores if s.sample_id in ANTLR_ONLY)
    assert len(CASE["items"]) == 270
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
    assert latex_equal_within(r"\frac{1}{2}", "0.5")
    assert not latex_equal_within(r"\frac{1}{2}", "0.5", timeout_s=0.0)  # no verdict in time: not equal
