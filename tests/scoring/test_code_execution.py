"""The code-execution scorer and its sandbox on hand-made programs: each MultiPL-E language's smoke problem passes
with the right body and fails with a wrong one; chat answers become the right completion; limits and network."""

from __future__ import annotations

import pytest

from evalkit.scoring.base import SampleScore, ScoreInput, aggregate_with_categories
from evalkit.scoring.code_execution import CodeExecutionScorer, CodeProblem, program_for
from evalkit.scoring.sandbox import Limits, execute, missing_executables, network_isolation
from tasks.multipl_e import SMOKE_PROBLEMS

RUNNABLE = [lang for lang in SMOKE_PROBLEMS if not missing_executables(lang)]
CLOSING = {"java": "    }", "cs": "    }"}  # how a model closes the method inside the class


def problem(language: str) -> CodeProblem:
    prompt, tests, stop_tokens, _ = SMOKE_PROBLEMS[language]
    entry_point = "add" if language == "py" else ""
    return CodeProblem(language, prompt, tests, entry_point=entry_point, stop_tokens=tuple(stop_tokens))


def chat_answer(language: str) -> str:
    """A chat model's answer: prose, then the whole function (signature repeated, closing brace written)."""
    prompt, _, _, body = SMOKE_PROBLEMS[language]
    function = prompt.strip() + "\n" + body.rstrip().removesuffix("}").rstrip() + "\n" + CLOSING.get(language, "}")
    if language == "py":
        function = prompt + body
    return f"Here is the function:\n```{language}\n{function}\n```\nIt adds the numbers."


@pytest.mark.parametrize("language", RUNNABLE)
def test_right_wrong_and_chat_answers_in_every_runnable_language(language):
    body = SMOKE_PROBLEMS[language][3]
    items = [ScoreInput("right", body, problem(language)),
             ScoreInput("wrong", body.replace("+", "-"), problem(language)),
             ScoreInput("chat", chat_answer(language), problem(language))]  # fmt: skip
    scores = {s.sample_id: s for s in CodeExecutionScorer().score(items)}
    assert [scores[k].stats["correct"] for k in ("right", "wrong", "chat")] == [1.0, 0.0, 1.0], {
        k: (s.detail["status"], s.detail["stderr"][-300:]) for k, s in scores.items()}
    assert scores["wrong"].detail["status"] == "Exception"
    assert scores["chat"].detail["rule"] == ("whole_script" if language == "py" else "after_signature")


def test_completion_is_cut_at_the_first_stop_token():
    cpp = problem("cpp")
    program = program_for(cpp, "    return x + y;\n}\nint main() { return 1; }\n")
    assert program.source == cpp.prompt + "    return x + y;" + "\n" + cpp.tests
    assert program.rule == "completion"


def test_python_whole_script_keeps_helpers_and_the_prompts_imports():
    humaneval_like = CodeProblem("py", "from typing import List\n\n\n"
                                       "def f(xs: List[int]) -> int:\n    \"\"\"Sum.\"\"\"\n",
                                 "assert f([1, 2]) == 3\n", entry_point="f")  # fmt: skip
    answer = ("```python\ndef helper(x):\n    return x\n\n"
              "def f(xs: List[int]) -> int:\n    return sum(map(helper, xs))\n```")
    program = program_for(humaneval_like, answer)
    assert program.rule == "whole_script"
    assert program.source.startswith("from typing import List\ndef helper(x):")
    assert execute("py", program.source).passed


def test_a_failed_sample_fails_and_a_language_without_toolchain_is_excluded(monkeypatch):
    import evalkit.scoring.code_execution as module

    monkeypatch.setattr(module, "missing_executables", lambda language: ["mono"] if language == "cs" else [])
    items = [ScoreInput("py-none", None, problem("py")), ScoreInput("py-ok", SMOKE_PROBLEMS["py"][3], problem("py")),
             ScoreInput("cs", SMOKE_PROBLEMS["cs"][3], problem("cs"))]  # fmt: skip
    scorer = CodeExecutionScorer(average="languages")
    scores = scorer.score(items)
    assert [s.failed for s in scores] == [True, False, False]
    assert scores[2].excluded and scores[2].detail == {"status": "Skipped", "missing_executables": ["mono"]}
    result = aggregate_with_categories(scorer, scores)
    assert result.value == 50.0  # py only: 1 of 2
    assert result.strict_value == 25.0  # mean of py 50 and cs 0
    assert result.n_excluded == 1


def test_language_average_is_the_mean_of_per_language_pass_rates():
    def outcome(language: str, correct: float) -> SampleScore:
        return SampleScore("x", {"correct": correct, "total": 1.0}, categories={"language": language})

    scores = [outcome("py", 1), outcome("py", 1), outcome("py", 0), outcome("py", 0), outcome("sh", 1)]
    assert CodeExecutionScorer(average="languages").aggregate(scores) == 75.0  # (50 + 100) / 2
    assert CodeExecutionScorer().aggregate(scores) == 60.0  # 3 of 5
    with pytest.raises(ValueError, match="average='tokens'"):
        CodeExecutionScorer(average="tokens")


def test_sandbox_limits():
    assert execute("py", "while True:\n    pass\n", Limits(wall_s=1.0, cpu_s=5)).status == "Timeout"
    assert execute("py", "import time\ntime.sleep(30)\n", Limits(wall_s=1.0, cpu_s=5)).status == "Timeout"
    assert not execute("py", "x = bytearray(3 * 1024 ** 3)\n").passed  # over the 2 GiB address-space limit
    assert not execute("py", "open('big', 'wb').write(b'0' * (65 * 1024 * 1024))\n").passed  # over the file limit


@pytest.mark.skipif(not network_isolation(), reason="no network namespace can be created here (not root)")
def test_programs_have_no_network():
    probe = "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)\n"
    result = execute("py", probe)
    assert result.network_isolated and result.status == "Exception"
    assert "Network is unreachable" in result.stderr
