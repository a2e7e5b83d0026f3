"""LiveBench's coding grader (LCB_generation and coding_completion), after LiveBench/LiveBench @ f3501c7
livebench/process_results/coding/utils.py `LCB_generation_process_results`:

1. the code is the text between the answer's first two lines holding a ``` fence (lcb_runner extract_code); an
   answer with fewer fences counts only when it starts and ends with a backtick (then without them); no code
   scores 0 without running anything;
2. coding_completion: the question's partial_solution, a newline, then that code;
3. the public test cases, then the private ones (JSON, or base64 of zlib of a pickled JSON string; read here by an
   unpickler that loads no classes), with the original_json metadata's func_name (call-based when present, stdin
   otherwise), run by evalkit.scoring.lcb_harness in evalkit's sandbox (evalkit.scoring.sandbox, Python, no
   network), 6 s per test and (6 + 1) x tests + 5 s for the whole run, the per-run limit of LiveBench's
   check_correctness; the question scores 1 when every test passes (pass@1 of one answer), else 0.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evalkit.scoring import lcb_harness
from evalkit.scoring.sandbox import Limits, execute

HARNESS = Path(lcb_harness.__file__).read_text(encoding="utf-8")


def extract_code(answer: str) -> str:
    lines = answer.split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    if len(fences) < 2:
        return answer[1:-1] if len(answer) > 1 and answer[0] == "`" and answer[-1] == "`" else ""
    return "\n".join(lines[fences[0] + 1:fences[1]])


class _StringsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the test cases' pickle refers to {module}.{name}; only a string is expected")


def read_test_cases(text: str) -> list[dict[str, str]]:
    """A test-case column: JSON, or LiveCodeBench's compressed form of it; ValueError where it is neither."""
    try:
        cases = json.loads(text)
    except json.JSONDecodeError:
        try:
            packed = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(text.encode("utf-8"))))).load()
            cases = json.loads(packed)
        except (binascii.Error, zlib.error, pickle.UnpicklingError, TypeError, EOFError) as exc:
            raise ValueError(f"test cases are neither JSON nor LiveCodeBench's compressed JSON: {exc}") from exc
    if not isinstance(cases, list) or not all(isinstance(c, dict) and {"input", "output"} <= set(c) for c in cases):
        raise ValueError("test cases are not a list of {input, output, testtype} objects")
    return cases


@dataclass(frozen=True)
class CodingProblem:
    """A LiveBench coding question as its grader needs it (the reference of a coding sample)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fn_name: str | None  # call-based (LeetCode) when set, stdin otherwise
    partial_solution: str = ""  # coding_completion: the code the answer continues

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CodingProblem:
        """From a hub row (public_test_cases, private_test_cases, original_json, partial_solution); ValueError
        where a column cannot be read."""
        cases = read_test_cases(row["public_test_cases"]) + read_test_cases(row["private_test_cases"])
        if not cases:
            raise ValueError("no test cases")
        original = row["original_json"]
        if not isinstance(original, Mapping):
            raise ValueError(f"original_json is {type(original).__name__}, not the hub's object with a metadata field")
        metadata = json.loads(original.get("metadata") or "{}")
        return cls(tuple(c["input"] for c in cases), tuple(c["output"] for c in cases), metadata.get("func_name"),
                   row.get("partial_solution") or "")

    @classmethod
    def of(cls, reference: CodingProblem | Mapping[str, Any]) -> CodingProblem:
        """The problem itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, CodingProblem):
            return reference
        return cls(tuple(reference["inputs"]), tuple(reference["outputs"]), reference["fn_name"],
                   reference["partial_solution"])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def program(problem: CodingProblem, code: str) -> str:
    payload = {"code": code, "fn_name": problem.fn_name, "inputs": problem.inputs, "outputs": problem.outputs}
    return f"{HARNESS}\n\nmain({json.dumps(payload)!r})\n"


def limits(problem: CodingProblem) -> Limits:
    whole = (lcb_harness.TIMEOUT_S + 1) * len(problem.inputs) + 5
    return Limits(wall_s=float(whole), cpu_s=whole)


@dataclass(frozen=True)
class CodingResult:
    score: float
    detail: dict[str, Any]
    code: str


def grade_coding(problem: CodingProblem, answer: str) -> CodingResult:
    code = extract_code(answer)
    if code == "":
        return CodingResult(0.0, {"status": "no code"}, "")
    if problem.partial_solution:
        code = problem.partial_solution + "\n" + code
    result = execute("py", program(problem, code), limits(problem))
    verdicts = [line[len(lcb_harness.VERDICT):] for line in result.stdout.splitlines()
                if line.startswith(lcb_harness.VERDICT)]
    verdict = json.loads(verdicts[-1]) if verdicts else {"error_message": "no verdict (the program ended early)"}
    passed = result.passed and bool(verdicts) and verdict["failure"] is None
    detail = {"status": result.status, "exit_code": result.exit_code, "tests": len(problem.inputs),
              "network_isolated": result.network_isolated, **verdict}
    if not verdicts:
        detail["stderr"] = result.stderr[-1000:]
    return CodingResult(float(passed), detail, code)
