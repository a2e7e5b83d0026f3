"""Math answers given in `\\boxed{...}` (AIME25, PolyMATH): the boxed text is read as the benchmark's official code
reads it, and compared with the gold answer by math-verify (HuggingFace's maintained LaTeX/SymPy equivalence
checker, PyPI `math-verify`), not by a home-made normalizer.

Reading the box, as QwenLM/PolyMath @ fbf4e41 eval/run_eval.py extract_boxed_content does: every space removed
from the response, then each `boxed{` with its brace-balanced content; PolyMATH takes the FIRST one
(`box="first"`), Qwen2.5-Math's extract_answer (the usual reading for AIME) the LAST (`box="last"`). No box: wrong.
Equivalence: PolyMATH's own `math_equal` (a latex2sympy-based port of Qwen2.5-Math's grader) is replaced by
math-verify's `verify(parse(gold), parse(boxed))`; AIME answers are integers, where both agree.

PolyMATH's headline is difficulty-weighted accuracy (`PolyMathScorer`): per language, each level's accuracy
rounded to 0.1 as the official script rounds it, weighted 1, 2, 4, 8 for low, medium, high, top and divided by 15;
the benchmark number is the plain mean over languages (the PolyMath paper's overall score).
"""

from __future__ import annotations

import random
import re
import threading
from collections import defaultdict
from collections.abc import Sequence

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, accuracy_percent, graded
from evalkit.scoring.registry import register_scorer

BOX_OPEN = re.compile(r"boxed{")
POLYMATH_LEVELS = ("low", "medium", "high", "top")  # weights 2**index
LANGUAGE_KEY = "language"
LEVEL_KEY = "level"
PARSE_TIMEOUT_S = 5  # math-verify's default; its timer uses signals, which work in the main thread only


def boxed_contents(response: str) -> list[str]:
    """The brace-balanced content of every `boxed{` in the response with all spaces removed; unclosed ones dropped."""
    text = response.replace(" ", "")
    found = []
    for match in BOX_OPEN.finditer(text):
        depth, end = 1, match.end()
        while end < len(text) and depth > 0:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if depth == 0:
            found.append(text[match.end():end - 1])
    return found


def equivalent(gold: str, answer: str) -> bool:
    """math-verify's judgement that the boxed `answer` equals `gold` (LaTeX, `$` delimiters optional)."""
    from math_verify import parse, verify

    timeout = PARSE_TIMEOUT_S if threading.current_thread() is threading.main_thread() else None
    gold_parsed = parse(gold if "$" in gold or "\\boxed" in gold else f"${gold}$", parsing_timeout=timeout)
    answer_parsed = parse(f"\\boxed{{{answer}}}", parsing_timeout=timeout)
    return bool(verify(gold_parsed, answer_parsed, timeout_seconds=timeout))


@register_scorer("boxed_math")
class BoxedMathScorer(ItemAccuracyScorer):
    """Accuracy of the first or last boxed answer against the reference (the gold answer as a string)."""

    name = "boxed_math"

    def __init__(self, box: str = "last") -> None:
        if box not in ("first", "last"):
            raise ValueError(f"boxed_math: box={box!r}; use 'first' (PolyMATH) or 'last' (Qwen2.5-Math's reading)")
        self.box = box

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        boxes = boxed_contents(answer)
        if not boxes:
            return graded(item, False, None)
        extracted = boxes[0] if self.box == "first" else boxes[-1]
        return graded(item, equivalent(str(item.reference), extracted), extracted)


def difficulty_weighted(scores: Sequence[SampleScore]) -> float:
    """Per language: sum over levels of 2**i x round(level accuracy, 1), over 15; then the mean over languages.
    A language missing a level scores as if that level were 0 (the official script leaves it unscored). Scores of
    one level only (a per-level breakdown) give that level's plain accuracy."""
    cells: dict[str, dict[str, list[SampleScore]]] = defaultdict(lambda: defaultdict(list))
    for s in scores:
        cells[s.categories.get(LANGUAGE_KEY, "")][s.categories.get(LEVEL_KEY, "")].append(s)
    if not cells:
        return 0.0
    if len({level for levels in cells.values() for level in levels}) == 1:
        return accuracy_percent(scores)
    per_language = [sum(2**i * round(accuracy_percent(levels[level]), 1)
                        for i, level in enumerate(POLYMATH_LEVELS) if level in levels) / 15
                    for levels in cells.values()]
    return sum(per_language) / len(per_language)


@register_scorer("polymath")
class PolyMathScorer(BoxedMathScorer):
    name = "polymath"
    metric = "difficulty-weighted accuracy"
    official_denominator = "every problem of each language and level (an unanswered one is wrong)"

    def __init__(self) -> None:
        super().__init__(box="first")

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return difficulty_weighted(scores)
