"""LiveBench's coding grader against LiveBench @ f3501c7's LCB_generation_process_results
(tests/fixtures/official_cases/livebench_coding.json: made-up stdin and call-based questions, LCB_generation and
coding_completion, 60 answers, scored in a scratch folder by the official code on Python 3.11) and by hand."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.lcb_harness import call_matches, stdin_matches, stdin_program
from evalkit.scoring.livebench_coding import CodingProblem, extract_code, read_test_cases
from evalkit.scoring.registry import build_scorer

CASE = json.loads((Path(__file__).parents[1] / "fixtures" / "official_cases" / "livebench_coding.json").read_text())


def test_coding_grader_equals_official_per_answer():
    items = [ScoreInput(i["id"], i["output"], {"coding": CodingProblem.from_row(i["question"]).to_json()},
                        {"task": i["question"]["task"]}) for i in CASE["items"]]
    scores = build_scorer("livebench", workers=2).score(items)
    assert {s.sample_id: s.stats["score"] for s in scores} == {i["id"]: i["official_score"] for i in CASE["items"]}
    assert sum(i["official_score"] for i in CASE["items"]) == 32 and len(items) == 60
    detail = {s.sample_id: s.detail for s in scores}
    assert detail["sum-infinite"]["error_message"] == "Time Limit Exceeded"
    assert detail["sum-syntax_error"]["error_message"] == "Compilation Error"
    assert detail["sum-os_exit"]["error_message"] == "no verdict (the program ended early)"
    assert detail["sum-no_fence"] == {"status": "no code"}


def test_unanswered_question_fails_without_running():
    problem = CodingProblem(("1",), ("1",), None)
    [score] = build_scorer("livebench").score([ScoreInput("a", None, {"coding": problem.to_json()}, {"task": "x"})])
    assert score.failed and score.stats["score"] == 0.0


def test_extract_code_between_the_first_two_fences():
    assert extract_code("text\n```python\na = 1\n```\nmore\n```\nb = 2\n```") == "a = 1"
    assert extract_code("`print(1)`") == "print(1)"
    assert extract_code("```python\nprint(1)") == ""


def test_private_test_cases_compressed_and_refused_classes():
    cases = [{"input": "1", "output": "2", "testtype": "stdin"}]
    packed = base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()
    assert read_test_cases(packed) == cases == read_test_cases(json.dumps(cases))
    hostile = base64.b64encode(zlib.compress(pickle.dumps(Path("x")))).decode()
    with pytest.raises(ValueError, match="only a string is expected"):
        read_test_cases(hostile)


def test_output_comparison_by_hand():
    assert stdin_matches("1 2 \n3\n", "1 2\n3")  # lines stripped
    assert stdin_matches("1 2\n\n3\n", "1 2\n3")  # empty lines dropped
    assert not stdin_matches("1 2 \n\n3\n", "1 2\n3")  # but not both at once, as officially
    assert stdin_matches("0.3333333\n", "0.333333333")  # within numpy.allclose's tolerance
    assert not stdin_matches("0.333\n", "0.333333333")
    assert not stdin_matches("1  2\n", "1 2")  # inner spacing differs: no rule joins it
    assert call_matches((0, 1), [0, 1]) and call_matches([[1, 2]], [[[1, 2]]]) and call_matches(False, 0)
    assert not call_matches([(1, 2), (3, 4)], [[1, 2], [3, 4]])  # a list of tuples is compared to the first row
    assert stdin_program("import sys\nx = 1\nif __name__ == '__main__':\n    print(x)").split("\n") == [
        "import sys", "stdin = sys.stdin", "stdout = sys.stdout", "def code():", "\tx = 1", "\tprint(x)", ""]
