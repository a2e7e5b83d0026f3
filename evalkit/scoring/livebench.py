"""LiveBench's graders, all six categories: reasoning (web_of_lies_v2, zebra_puzzle, spatial, house_traversal),
language (connections, typos, plot_unscrambling), data analysis (cta, tablejoin, tablereformat:
evalkit.scoring.livebench_data_analysis), instruction following, math (math_comp, olympiad, AMPS_Hard:
evalkit.scoring.livebench_math) and coding (LCB_generation, coding_completion: evalkit.scoring.livebench_coding).

Follows LiveBench/LiveBench @ f3501c7 (2025-02-13, the last code before the April 2025 update, so the graders of the
2024-11-25 release the Qwen3 report evaluates on): livebench/process_results/{reasoning,writing}/*/utils.py and
util.py, dispatched as gen_ground_truth_judgment.py does (zebra_puzzle and connections questions released before
2024-11-25 keep their older graders). Instruction following (process_results/instruction_following/utils.py):
IFEval's strict checkers (evalkit.scoring.ifeval; LiveBench's copy in if_runner gives the same verdicts on
evalkit's 1,144-prompt IFEval case) on the answer stripped of surrounding space, scored (all followed + share
followed) / 2. A task's score is the mean of its questions' scores (0..1, partial credit for
zebra_puzzle, connections, plot_unscrambling, olympiad); a category's the mean of its tasks' (show_livebench_result.py),
x100; LiveBench's overall is the mean of the six categories (tasks/livebench.py, `livebench_overall`).
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import failed_score
from evalkit.scoring.ifeval import IFEvalPrompt, follow_lists
from evalkit.scoring.livebench_boxes import last_boxed, unboxed
from evalkit.scoring.livebench_coding import CodingProblem, grade_coding
from evalkit.scoring.livebench_data_analysis import cta, tablejoin, tablereformat
from evalkit.scoring.livebench_latex import DEFAULT_ANTLR_RUNTIME, LatexJudge
from evalkit.scoring.livebench_math import edit_distance, grade_math
from evalkit.scoring.registry import register_scorer

TASK_KEY = "task"
SECOND_FORMAT_RELEASE = "2024-11-25"  # zebra_puzzle and connections questions from here on use the newer graders


def _boxed_content(text: str) -> str | None:
    boxed = last_boxed(text)
    return unboxed(boxed) if boxed else None


def web_of_lies(truth: str, answer: str) -> float:
    parsed: str | None = None
    bold = [word.lower().strip().replace(",", "").replace(".", "")
            for match in re.findall(r"\*\*(.*?)\*\*", answer) for word in match.split()]
    if bold:
        verdicts = [word for word in bold if word in ("yes", "no")][-3:]
        parsed = ", ".join(verdicts) if verdicts else None
    if parsed is None:
        answer = answer.replace("\\\\boxed{\\\\textbf{", "\\\\boxed{").replace("\\\\fbox{", "\\\\boxed{")
        answer = answer.replace("\\textbf{", "\\boxed{")
        boxed = last_boxed(answer)
        if boxed:
            parsed = unboxed(boxed)  # an empty box is an answer (wrong), not a reason to search the plain text
    if parsed is None:
        # the last position at which any yes/no triple occurs; ties keep the first triple in product order
        found = [(answer.lower().find(", ".join(triple)), ", ".join(triple))
                 for triple in itertools.product(("yes", "no"), repeat=3)]
        best = max(found, key=lambda pair: pair[0])
        parsed = best[1] if best[0] != -1 else None
    if not parsed:
        return 0.0
    if parsed == truth.lower():
        return 1.0
    return float(parsed.count("yes") + parsed.count("no") == 3 and truth.lower() in parsed)


NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
                "8": "eight", "9": "nine"}


def zebra_puzzle_before_2024_11_25(truth: str, answer: str) -> float:
    bold = re.findall(r"\*\*\*(\w+)\*\*\*", answer)
    if bold:
        last = bold[-1]
    else:
        words = re.findall(r"\b\w+\b", answer)
        last = words[-1] if words else ""
    return float(last.lower() == truth.lower() or (last in NUMBER_WORDS and NUMBER_WORDS[last] == truth.lower())
                 or last.lower() + " movies" == truth.lower())


def _solution_tags(answer: str, flatten: bool) -> list[str]:
    """<solution>...</solution> texts, else a stray "</solution>...</solution>"; connections also tries each with
    newlines removed."""
    variants = (answer, answer.replace("\n", "")) if flatten else (answer,)
    for pattern in (r"<solution>(.*?)</solution>", r"</solution>(.*?)</solution>"):
        for text in variants:
            found = re.findall(pattern, text)
            if found:
                return found
    return []


def _last_items(texts: list[str], count: int) -> list[str]:
    """One text split at commas; several joined, their last `count` items."""
    if len(texts) == 1:
        return texts[0].split(",")
    return [item for text in texts for item in text.split(",")][-count:]


def zebra_puzzle(truth: str, answer: str) -> float:
    expected = truth.split(",")
    solutions = _solution_tags(answer, flatten=False)
    if not solutions:
        answer = answer.replace("\\\\fbox{", "\\\\boxed{")
        boxed = _boxed_content(answer)
        if boxed is not None:
            solutions = [boxed.replace("\\text{", "").replace("}", "").replace("\\", "")]
    if not solutions:
        last_line = answer.strip().split("\n")[-1]
        if last_line.count(",") == len(expected) - 1:
            solutions = [last_line]
    if not solutions:
        return 0.0
    given = _last_items(solutions, len(expected))
    right = 0
    for i, gold in enumerate(expected):
        if i < len(given):
            gold_word = gold.strip().lower().replace("-", " ")
            word = given[i].strip().lower().replace("-", " ").replace("position", "")
            right += gold_word == word or gold_word in word
    return ((right == len(expected)) + right / len(expected)) / 2


SPATIAL_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
}
SPATIAL_SHAPES = ("tetrahedra", "tetrahedron", "triangle", "square")


def spatial(truth: str, answer: str) -> float:
    if answer == truth:
        return 1.0
    gold = truth.strip().lower()
    for word in [w.strip().lower() for w in re.findall(r"\*\*([^\*]+)\*\*", answer)[-3:]]:
        if word == gold or SPATIAL_NUMBER_WORDS.get(word) == gold:
            return 1.0
        # "two tetrahedra" counts for "tetrahedra", "circle square triangle" does not count for "triangle"
        if any(gold == shape and shape in word and len(word) < 2 * len(shape) + 5 for shape in SPATIAL_SHAPES):
            return 1.0
    boxed = _boxed_content(answer.replace("\\\\fbox{", "\\\\boxed{"))
    if boxed is None:
        return 0.0
    return float(boxed.replace("\\textbf{", "").replace("\\mathbf{", "").replace("}", "") == truth)


def house_traversal(truth: str, answer: str) -> float:
    bold = re.findall(r"(\*{2,})(.*?)\1", answer.lower())  # (stars, text) pairs
    if not bold:
        return 0.0
    names = truth.lower().split(" ")
    # `name in bold[-1 - i]` tests the (stars, text) pair as the official code does: equality, not substring
    if len(bold) >= len(names) and all(name in bold[-1 - i] for i, name in enumerate(reversed(names))):
        return 1.0
    last_index = -1
    for name in names:
        index = bold[-1][1].find(name)
        if index == -1 or index <= last_index:
            return 0.0
        last_index = index
    return 1.0


def _groups_of_four(words: Sequence[str]) -> list[set[str]]:
    groups: list[set[str]] = [set()]
    for word in (w.strip().lower() for w in words):
        if len(groups[-1]) == 4:
            groups.append(set())
        groups[-1].add(word)
    return groups


def connections_before_2024_11_25(truth: str, answer: str) -> float:
    bold = re.findall(r"\*\*(.*?)\*\*", answer.replace("\n", ""))
    gold = _groups_of_four(truth.split(","))
    best = 0.0
    for given in (_groups_of_four(text.split(",")) for text in bold):
        right = sum(any(all(word in group for word in expected) for group in given) for expected in gold)
        best = max(best, right / len(gold))
    return best


def connections(truth: str, answer: str) -> float:
    words = truth.split(",")
    solutions = _solution_tags(answer, flatten=True)
    if not solutions and "\\boxed" in answer:
        boxed = last_boxed(answer)
        content = unboxed(boxed) if boxed else None
        # the official code stops with an error on a \boxed it cannot read: no answer
        solutions = [] if content is None else [content.replace("\\text{", "").replace("}", "").replace("\\", "")]
    solutions = [text.replace("\n", "") for text in solutions]
    if not solutions:
        return 0.0
    gold = _groups_of_four(words)
    return sum(group in gold for group in _groups_of_four(_last_items(solutions, len(words)))) / len(gold)


def typos(truth: str, answer: str) -> float:
    joined = " ".join(line for line in answer.split("\n") if line)
    marked = re.search(r".* --- (.*?) --- .*", joined)
    return float(truth in (marked.group(1) if marked else joined))


def plot_unscrambling(truth: str, answer: str) -> float:
    summary = re.search(r"<PLOT_SUMMARY>(.*)", answer, re.DOTALL)
    text = summary.group(1) if summary else answer
    gold = [s.strip() for s in truth.split(".") if s.strip()]
    given = [s.strip() for s in text.split(".")
             if s.strip() not in ("</PLOT_SUMMARY>", "**End of Plot Summary**") and s.strip()]
    order = []
    for sentence in gold:
        match = difflib.get_close_matches(sentence, given, n=1, cutoff=0.0)
        if match:
            order.append(given.index(match[0]))
    return 1 - edit_distance(list(range(len(gold))), order) / len(gold)


Grader = Callable[[str, str], float]
# task -> (grader for questions released before 2024-11-25, grader from then on)
GRADERS: dict[str, tuple[Grader, Grader]] = {
    "web_of_lies_v2": (web_of_lies, web_of_lies),
    "zebra_puzzle": (zebra_puzzle_before_2024_11_25, zebra_puzzle),
    "spatial": (spatial, spatial),
    "house_traversal": (house_traversal, house_traversal),
    "connections": (connections_before_2024_11_25, connections),
    "typos": (typos, typos),
    "plot_unscrambling": (plot_unscrambling, plot_unscrambling),
    "cta": (cta, cta),
    "tablejoin": (tablejoin, tablejoin),
}
TABLE_REFORMAT = "tablereformat"  # graded against the gold table in the format the question names


def grade(task: str, released: str, truth: str, answer: str) -> float:
    if task not in GRADERS:
        raise ValueError(f"LiveBench task {task!r} has no grader in evalkit; graded tasks: {sorted(GRADERS)}")
    older, newer = GRADERS[task]
    return (newer if released >= SECOND_FORMAT_RELEASE else older)(truth, answer)


def instruction_score(prompt: IFEvalPrompt, answer: str) -> float:
    """score_results: half for following every instruction, half for the share followed (strict verdicts)."""
    strict, _ = follow_lists(prompt, answer.strip())
    return (all(strict) + sum(strict) / len(strict)) / 2


def task_mean(scores: Sequence[SampleScore]) -> float:
    """show_livebench_result.py: the mean over tasks of each task's mean question score, in %."""
    by_task: dict[str, list[float]] = defaultdict(list)
    for s in scores:
        by_task[s.categories.get(TASK_KEY, "")].append(s.stats["score"])
    return 100.0 * sum(sum(v) / len(v) for v in by_task.values()) / len(by_task) if by_task else 0.0


@register_scorer("livebench")
@dataclass
class LiveBenchScorer:
    """Reference: {"ground_truth", "released"} (the question's livebench_release_date), plus "table_format" for
    tablereformat; for instruction following {"instructions"} (an IFEvalPrompt); for math {"ground_truth",
    "math_grader", "choice_text"} (livebench_math); for coding {"coding"} (a CodingProblem, run in the sandbox,
    `workers` at a time). The task is the sample's `task` category. A question the model did not answer scores 0,
    as LiveBench scores a missing answer. `antlr_runtime`: the folder holding antlr4-python3-runtime 4.11 for
    AMPS_Hard's LaTeX comparisons (livebench_latex); an AMPS_Hard comparison's parsers are in its detail."""

    workers: int = 2
    antlr_runtime: str = str(DEFAULT_ANTLR_RUNTIME)
    name: str = "livebench"
    metric: str = "score"
    lower_is_better: bool = False
    official_denominator: str = "every question; the category score is the mean of its tasks' mean scores"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        """Coding answers run in parallel threads (each program is its own process); the rest in this thread."""
        coding = [i for i, item in enumerate(items) if item.prediction is not None and "coding" in item.reference]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            executed = dict(zip(coding, pool.map(lambda i: self._score_code(items[i]), coding), strict=True))
        with LatexJudge(Path(self.antlr_runtime)) as judge:
            return [executed[i] if i in executed else self._score(item, judge) for i, item in enumerate(items)]

    @staticmethod
    def _score_code(item: ScoreInput) -> SampleScore:
        result = grade_coding(CodingProblem.of(item.reference["coding"]), item.prediction or "")
        return SampleScore(item.sample_id, {"score": result.score, "total": 1.0}, extracted=result.code,
                           categories=item.categories, detail=result.detail)

    def _score(self, item: ScoreInput, judge: LatexJudge) -> SampleScore:
        if item.prediction is None:
            failed = failed_score(item)
            return SampleScore(failed.sample_id, {"score": 0.0, "total": 1.0}, failed=True, categories=item.categories)
        reference = item.reference
        detail: dict[str, object] = {}
        if "instructions" in reference:
            value = instruction_score(IFEvalPrompt.of(reference["instructions"]), item.prediction)
        elif "table_format" in reference:
            value = tablereformat(reference["table_format"], reference["ground_truth"], item.prediction)
        elif "math_grader" in reference:
            value, comparison = grade_math(reference["math_grader"], reference["ground_truth"], item.prediction,
                                           reference.get("choice_text", ""), judge.compare)
            detail = {"latex_comparison": asdict(comparison)} if comparison else {}
        else:
            value = grade(item.categories[TASK_KEY], reference["released"], reference["ground_truth"], item.prediction)
        return SampleScore(item.sample_id, {"score": float(value), "total": 1.0}, categories=item.categories,
                           detail=detail)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return task_mean(scores)
