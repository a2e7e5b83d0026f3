"""LiveBench AMPS_Hard's LaTeX equivalence (LiveBench/LiveBench @ f3501c7,
livebench/process_results/math/AMPS_Hard/utils.py `parse`, `is_equiv`, `run_with_timeout`) in a comparison process
of its own.

`parse` reads a form with SymPy's lark LaTeX parser (every reading of an ambiguous parse), again with doubled
backslashes halved, and last with SymPy's ANTLR parser; `is_equiv` is true when some reading of each has a difference
that `simplify` makes 0 or less than 0.001 in size. The ANTLR parser needs antlr4-python3-runtime 4.11 (LiveBench's
pyproject pins it), while hydra-core pins 4.9.3 and omegaconf imports it into evalkit's run process, and so into any
child forked from that. So the comparisons run in a separate interpreter, `python -m evalkit.scoring.livebench_latex
FOLDER`, which puts FOLDER (`pip install --target FOLDER antlr4-python3-runtime==4.11.0`; `make` makes
<venv>/antlr4-4.11) first on its path, imports SymPy and lark and nothing of hydra's, and forks one child per
comparison, killed after 8 s, as run_with_timeout does from LiveBench's own process. One JSON line in (the gold and
the normalized answer), one out (the verdict and which parser read each form).

SymPy 1.14.0 here, as in the official outcomes of the test case; LiveBench asks for sympy>=1.12. The ANTLR readings
of the case's 62 AMPS forms are the same under SymPy 1.12, 1.13.3 and 1.14.0, but SymPy 1.12 has no lark parser
(`backend=` is a TypeError there), so under it LiveBench reads every form with ANTLR.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from queue import Empty
from typing import IO, Any

import lark
import sympy
from sympy.parsing.latex import parse_latex

EQUIVALENCE_TIMEOUT_S = 8.0  # amps_hard_process_results' run_with_timeout
ANTLR_DISTRIBUTION = "antlr4-python3-runtime"
ANTLR_VERSION = "4.11"  # what SymPy's ANTLR parser checks for (and LiveBench pins)
DEFAULT_ANTLR_RUNTIME = Path(sys.prefix) / "antlr4-4.11"  # where `make` installs it
NO_PARSER = "none"
EVALKIT_ROOT = Path(__file__).parents[2]  # the comparison process imports this evalkit, whatever its path holds


def antlr_runtime_problem(folder: Path) -> str | None:
    """Why `folder` cannot serve as the ANTLR 4.11 runtime (a sentence naming what to install), None where it can."""
    found = [d.version for d in importlib.metadata.distributions(path=[str(folder)])
             if d.metadata["Name"] == ANTLR_DISTRIBUTION]
    if found and found[0].startswith(ANTLR_VERSION) and (folder / "antlr4" / "__init__.py").is_file():
        return None
    return (f"LiveBench AMPS_Hard needs {ANTLR_DISTRIBUTION} {ANTLR_VERSION} in its own folder {folder} "
            f"({'found ' + found[0] if found else 'not found'}; SymPy's ANTLR LaTeX parser, LiveBench's last fallback, "
            f"reads nothing without it): `make` installs it, or `python -m pip install --no-deps --upgrade --target "
            f"{folder} {ANTLR_DISTRIBUTION}==4.11.0`; the scorer option antlr_runtime names another folder")


@dataclass(frozen=True)
class Comparison:
    """A verdict of is_equiv; which parser read the gold and the answer ("lark", "lark, backslashes halved",
    "antlr", or NO_PARSER), both NO_PARSER when the comparison ran past its time."""

    equal: bool
    truth_parser: str = NO_PARSER
    answer_parser: str = NO_PARSER
    timed_out: bool = False


def latex_readings(text: str) -> tuple[list[sympy.Expr], str]:
    """parse: every reading of `text` by the first parser that reads it, and that parser's name; [] where none does."""
    attempts: tuple[tuple[str, Callable[[], object]], ...] = (
        ("lark", lambda: parse_latex(text, backend="lark")),
        ("lark, backslashes halved", lambda: parse_latex(text.replace("\\\\", "\\"), backend="lark")),
        ("antlr", lambda: parse_latex(text)),
    )
    for parser, attempt in attempts:
        try:
            parsed = attempt()
        except Exception:  # the official parse() falls through on any error
            continue
        return (list(parsed.children) if isinstance(parsed, lark.Tree) else [parsed]), parser
    return [], NO_PARSER


def latex_equal(truth: str, answer: str) -> Comparison:
    """is_equiv: some reading of each whose difference SymPy simplifies to 0, or to less than 0.001 in size."""
    truth_readings, truth_parser = latex_readings(truth)
    answer_readings, answer_parser = latex_readings(answer)
    for a in truth_readings:
        for b in answer_readings:
            try:
                difference = a - b
            except Exception:
                continue
            for close in (lambda d: sympy.simplify(d) == 0, lambda d: sympy.Abs(sympy.simplify(d)) < 0.001):
                try:
                    if close(difference):
                        return Comparison(True, truth_parser, answer_parser)
                except Exception:  # an undecidable comparison counts as not equal, as officially
                    pass
    return Comparison(False, truth_parser, answer_parser)


def _compare_into(queue: multiprocessing.Queue, truth: str, answer: str) -> None:
    try:
        queue.put(asdict(latex_equal(truth, answer)))  # a dict: Comparison is __main__'s in the comparison process
    except Exception:
        queue.put(asdict(Comparison(False)))


def latex_equal_within(truth: str, answer: str, timeout_s: float = EQUIVALENCE_TIMEOUT_S) -> Comparison:
    """latex_equal in a forked child, not equal when it runs past `timeout_s` (run_with_timeout). The comparison
    process calls it; forked from evalkit's run process, the child would hold that process's ANTLR runtime."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_compare_into, args=(queue, truth, answer))
    child.start()
    try:
        return Comparison(**queue.get(timeout=timeout_s))
    except Empty:
        return Comparison(False, timed_out=True)
    finally:
        if child.is_alive():
            child.kill()
        child.join()


def serve(antlr_runtime: Path, requests: IO[str], replies: IO[str]) -> None:
    """The comparison process: ANTLR 4.11 from `antlr_runtime` (checked once imported), then one verdict a line."""
    sys.path.insert(0, str(antlr_runtime))
    antlr4 = importlib.import_module("antlr4")
    problem = antlr_runtime_problem(antlr_runtime)
    if problem is None and not Path(antlr4.__file__ or "").is_relative_to(antlr_runtime):
        problem = f"antlr4 was imported from {antlr4.__file__}, not from {antlr_runtime}"
    if problem is not None:
        raise SystemExit(problem)
    sys.stdout = sys.stderr  # anything printed on the way goes to the log, not into the verdicts
    # SymPy builds each LaTeX parser on first use (lark's grammar about 2 s): built here, before the forks, every
    # comparison child inherits them rather than building its own and losing it when it exits
    for backend in ("lark", "antlr"):
        parse_latex("x", backend=backend)
    for line in requests:
        request = json.loads(line)
        comparison = latex_equal_within(request["truth"], request["answer"], request["timeout_s"])
        replies.write(json.dumps(asdict(comparison)) + "\n")
        replies.flush()


class LatexJudge:
    """evalkit's side of the comparison process: started on the first comparison, closed by `close`."""

    def __init__(self, antlr_runtime: Path, timeout_s: float = EQUIVALENCE_TIMEOUT_S) -> None:
        self.antlr_runtime = antlr_runtime
        self.timeout_s = timeout_s
        self._process: subprocess.Popen[str] | None = None

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None:
            problem = antlr_runtime_problem(self.antlr_runtime)
            if problem is not None:
                raise RuntimeError(problem)
            path = os.pathsep.join(p for p in (str(EVALKIT_ROOT), os.environ.get("PYTHONPATH")) if p)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "evalkit.scoring.livebench_latex", str(self.antlr_runtime)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path})
        return self._process

    def compare(self, truth: str, answer: str) -> Comparison:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"truth": truth, "answer": answer, "timeout_s": self.timeout_s}) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            pass  # the reply below is then empty
        reply = process.stdout.readline()
        if not reply:
            self.close()
            raise RuntimeError(f"the LiveBench AMPS_Hard comparison process (evalkit.scoring.livebench_latex, ANTLR "
                               f"runtime {self.antlr_runtime}) ended without a verdict; its error is above")
        fields: dict[str, Any] = json.loads(reply)
        return Comparison(**fields)

    def close(self) -> None:
        if self._process is not None:
            process, self._process = self._process, None
            assert process.stdin is not None
            process.stdin.close()
            process.wait()

    def __enter__(self) -> LatexJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.stdin, sys.stdout)
