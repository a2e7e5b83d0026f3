"""The test runner LiveBench's coding graders execute, as a standalone program: evalkit.scoring.livebench_coding
appends `main(<problem as JSON>)` to this file's text and runs it in evalkit's sandbox (one process per answer).

It does what LiveBench/LiveBench @ f3501c7 livebench/lcb_runner/evaluation/testing_util.py `run_test` does
(LiveCodeBench's runner) with timeout=6, written anew: the same header of star imports and recursion limit before
the code; the same destructive functions disabled first (`reliability_guard`); call-based problems (a LeetCode
`fn_name`) execute the code as a module (pyext's RuntimeModule: a fresh globals dict, so `__name__` is not
"__main__"), take `Solution().<fn_name>` where the code says "class Solution", else the module's function, and
compare its return value with the JSON answer (tuples as lists, a one-element answer list unwrapped); stdin problems
unwrap a final `if __name__ == '__main__':` block, wrap every line but the imports in `def code():`, bind
`stdin`/`stdout` to the streams of the moment, and call it with sys.stdin a StringIO of the input, the old stdin's
read/readline/readlines and builtins.open returning the input (the code's own `open`, bound by the header's
`from builtins import *`, stays the real one), and print captured; output is compared by the same cascade (whole
text stripped, lines stripped, empty lines dropped, numbers within numpy.allclose's tolerance when some item is not
an integer). A 6-second alarm covers loading the code and each test. The first failing test ends the run.

It prints one line, VERDICT followed by JSON {"passed_tests": n, "failure": ..., "error_message": ...} (failure: null
when every test passed, else the official result of the failing test: -1 a runtime error or time limit, -2 code
that does not load, false a wrong answer), and exits 0 when every test passed.
Everything the answer prints outside a stdin test is discarded, so that line is the program's only output.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from typing import Any
from unittest import mock

VERDICT = "LIVEBENCH_VERDICT "
TIMEOUT_S = 6
HEADER = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\nfrom heapq import *\n"
    "from bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\nfrom statistics import *\n"
    "from itertools import *\nfrom functools import *\nfrom operator import *\nfrom io import *\nfrom sys import *\n"
    "from json import *\nfrom builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\nimport statistics\n"
    "import itertools\nimport functools\nimport operator\nimport io\nimport sys\nimport json\n"
    "sys.setrecursionlimit(6*10**5)\n"
)
DISABLED_OS = ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
               "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
               "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir")
BLOCKED_MODULES = ("ipdb", "joblib", "resource", "psutil", "tkinter")


class TimeoutException(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutException


def guard() -> None:
    """reliability_guard without a memory limit: exit/quit/help, destructive os, shutil and subprocess calls gone."""
    os.environ["OMP_NUM_THREADS"] = "1"
    builtins.exit = None  # type: ignore[assignment]
    builtins.quit = None  # type: ignore[assignment]
    builtins.help = None  # type: ignore[assignment]
    for name in DISABLED_OS:
        setattr(os, name, None)
    for name in ("rmtree", "move", "chown"):
        setattr(shutil, name, None)
    subprocess.Popen = None  # type: ignore[assignment, misc]
    for module in BLOCKED_MODULES:
        sys.modules[module] = None  # type: ignore[assignment]


def stdin_program(code: str) -> str:
    """The code a stdin problem runs: a final `if __name__ == '__main__':` block unwrapped, then every line but
    `from`/`import` lines indented into `def code():`, after `stdin = sys.stdin` and `stdout = sys.stdout`."""
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            # unparse of statement lists, as the official code calls it (the unparser walks lists too)
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)  # type: ignore[arg-type]
    except Exception:  # code that does not parse is wrapped as it is (and fails to load)
        pass
    lines = [line + "\n" if line.startswith(("from ", "import ")) else "\t" + line + "\n" for line in code.split("\n")]
    program, started = "", False
    for line in lines:
        if line.startswith("\t") and not started:
            program += "stdin = sys.stdin\nstdout = sys.stdout\ndef code():\n" + line
            started = True
        elif started and line.startswith(("from ", "import ")):
            program += "\t" + line
        else:
            program += line
    return program


def load(code: str, fn_name: str | None) -> Any:
    """The callable under test: the call-based function (or Solution method), or the stdin problem's code()."""
    source = HEADER + (code if fn_name else stdin_program(code))
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    if fn_name is None:
        return namespace["code"]
    holder = namespace["Solution"]() if "class Solution" in code else namespace
    return holder[fn_name] if isinstance(holder, dict) else getattr(holder, fn_name)


def _int_keys(value: Any) -> Any:
    return {int(k): v for k, v in value.items()}


def call_arguments(text: str) -> list[Any]:
    arguments = [json.loads(line) for line in text.split("\n")]
    with contextlib.suppress(Exception):
        if isinstance(arguments[0], dict):
            arguments = [_int_keys(arguments[0])]
    return arguments


def call_expected(text: str) -> Any:
    expected = json.loads(text)
    with contextlib.suppress(Exception):
        if isinstance(expected, dict):
            expected = [_int_keys(expected)]
    with contextlib.suppress(Exception):
        if isinstance(expected[0], dict):
            expected = [_int_keys(expected[0])]
    return expected


def call_matches(output: Any, expected: Any) -> bool:
    if isinstance(output, tuple):
        output = list(output)
    matched = output == expected
    if isinstance(expected, list) and expected:
        matched = matched or output == expected[0]
    with contextlib.suppress(Exception):
        if isinstance(output[0], tuple):
            matched = matched or [list(x) for x in output] == expected[0]
    return not matched != True  # noqa: E712  (the official test is `tmp_result != True`)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def _close(a: float, b: float) -> bool:
    """numpy.isclose with its default tolerances (rtol 1e-5, atol 1e-8)."""
    return a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-8 + 1e-5 * abs(b))


def stdin_matches(printed: str, expected: str) -> bool:
    output: list[str] = printed.splitlines()
    if "\n".join(output).strip() == expected.strip():
        return True
    if "\n".join(line.strip() for line in output).strip() == expected.strip():
        return True
    if output == [expected]:
        return True
    lines = [line.strip() for line in expected.split("\n") if len(line)]
    if output == [lines] or output == lines:
        return True
    output = [line for line in output if len(line)]
    matched = output == [lines] or output == lines
    with contextlib.suppress(Exception):
        if not all(_is_int(a) and _is_int(b) for a, b in zip(output, lines, strict=False)):
            given, gold = [float(e) for e in output], [float(e) for e in lines]
            matched = matched or (len(given) == len(gold) and all(map(_close, given, gold)))
    if matched:
        return True
    return output == [set(line.split()) for line in lines]  # equal only when both are empty, as officially


def call_stdin(code: Any, text: str) -> None:
    """call_method: run code() with the input patched in as LiveCodeBench patches it."""
    lines = iter(text.split("\n"))
    with contextlib.ExitStack() as stack:
        # entered in the order of the official decorators, innermost first: the old stdin's methods, then stdin
        stack.enter_context(mock.patch("sys.stdin.read", lambda *args: text))
        stack.enter_context(mock.patch("sys.stdin.readlines", lambda *args: text.split("\n")))
        stack.enter_context(mock.patch("sys.stdin.readline", lambda *args: next(lines)))
        stack.enter_context(mock.patch("sys.stdin", io.StringIO(text)))
        stack.enter_context(mock.patch("builtins.open", mock.mock_open(read_data=text)))
        with contextlib.suppress(SystemExit):
            code()


def _failure(passed: int, code: int, error: BaseException | str) -> dict[str, Any]:
    message = "Time Limit Exceeded" if isinstance(error, TimeoutException) else "Runtime Error"
    if code == -2:
        message = "Compilation Error"
    elif code is False:
        message = "Wrong Answer"
    return {"passed_tests": passed, "failure": code, "error_message": message, "error": repr(error)[:300]}


def run(problem: dict[str, Any]) -> dict[str, Any]:
    fn_name = problem["fn_name"]
    signal.alarm(TIMEOUT_S)
    try:
        method = load(problem["code"], fn_name)
    except Exception as error:
        signal.alarm(0)
        return _failure(0, -2, error)
    signal.alarm(0)
    passed_tests = 0
    for text, expected in zip(problem["inputs"], problem["outputs"], strict=True):
        if fn_name:
            arguments, gold = call_arguments(text), call_expected(expected)
            signal.alarm(TIMEOUT_S)
            try:
                output = method(*arguments)
                json.dumps(output)
                passed = call_matches(output, gold)
            except Exception as error:
                signal.alarm(0)
                return _failure(passed_tests, -1, error)
            signal.alarm(0)
        else:
            captured = io.StringIO()
            signal.alarm(TIMEOUT_S)
            try:
                with contextlib.redirect_stdout(captured):
                    call_stdin(method, text)
            except Exception as error:
                signal.alarm(0)
                return _failure(passed_tests, -1, error)
            signal.alarm(0)
            passed = stdin_matches(captured.getvalue(), expected)
        if not passed:
            return _failure(passed_tests, False, "output differs")
        passed_tests += 1
    return {"passed_tests": passed_tests, "failure": None, "error_message": ""}


def main(payload: str) -> None:
    problem = json.loads(payload)
    write, leave = os.write, os._exit
    signal.signal(signal.SIGALRM, _alarm)
    guard()
    sys.stdout = io.StringIO()  # what the answer prints outside a stdin test goes nowhere
    verdict = run(problem)
    passed = verdict["failure"] is None
    write(1, (VERDICT + json.dumps(verdict) + "\n").encode())
    leave(0 if passed else 1)
