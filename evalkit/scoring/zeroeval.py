"""ZeroEval's answer parsing and grading (WildEval/ZeroEval @ 8c1485e, src/evaluation/eval_utils.py,
mcqa_eval.py, zebra_grid_eval.py), for MMLU-Redux and ZebraLogic; the model answers in a JSON object.

MMLU-Redux (mcqa_eval.py): the FIRST complete {...} of the output (newlines deleted before json.loads; if it does
not parse there is none); without an "answer" key, regexes pull "reasoning"/"answer" values out of the text
(quoted, then unquoted). An empty or missing answer is wrong. Right iff the answer equals the correct letter or
contains "<letter>)". The denominator is every question.

ZebraLogic (zebra_grid_eval.py, single-output mode): the LAST complete {...} of the output, parsed as above; its
"solution" must be present and not null. Each cell of the gold grid (every house x every non-House column) is
right iff the prediction has that house and column and its value (a string, or a list's first element),
lower-cased and stripped, equals the gold's. Puzzle accuracy (the headline) counts puzzles with every cell right;
cell accuracy divides all right cells by all cells. The denominator is every puzzle.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, ItemAccuracyScorer, failed_score, graded
from evalkit.scoring.registry import register_scorer

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _complete_objects(text: str) -> list[str]:
    """Every outermost brace-balanced {...} span, in order (unmatched "}" ignored), as eval_utils scans them."""
    spans, depth, start = [], 0, None
    for i, char in enumerate(text):
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                spans.append(text[start:i + 1])
                start = None
    return spans


def _loads(span: str | None) -> Any:
    if span is None:
        return None
    try:
        return json.loads(span.replace("\n", ""))
    except json.JSONDecodeError:
        return None


def first_complete_json(text: str) -> Any:
    spans = _complete_objects(text)
    return _loads(spans[0] if spans else None)


def last_complete_json(text: str) -> Any:
    spans = _complete_objects(text)
    return _loads(spans[-1] if spans else None)


def values_from_text(text: str, keys: Sequence[str] = ("reasoning", "answer")) -> dict[str, str]:
    """eval_utils.extract_values_from_json with allow_no_quotes=True: "key": "value", then a value with broken
    quotes across lines, then an unquoted value, then an unquoted key."""
    found: dict[str, str] = {}
    for key in keys:
        match = re.search(f'"{key}"\\s*:\\s*"([^"]*?)"', text) or re.search(f'"{key}"\\s*:\\s*"(.*?)"', text, re.DOTALL)
        if not match:
            match = re.search(f'"{key}"\\s*:\\s*([^,\\s]*)', text) or re.search(f'{key}\\s*:\\s*([^,\\s]*)', text)
        if match:
            found[key] = match.group(1)
    return found


def mcqa_answer(output: str) -> Any:
    """The answer field ZeroEval reads, or None when it counts the question as unanswered."""
    parsed = first_complete_json(output)
    if parsed is None or "answer" not in parsed:
        parsed = values_from_text(output)
    answer = parsed.get("answer")
    return None if answer is None or answer == "" else answer


def mcqa_correct(answer: Any, letter: str) -> bool:
    """`answer == letter or f"{letter})" in answer`; an answer that is neither text nor a list (a number) cannot
    contain the letter (the official script would stop with a TypeError there)."""
    if answer == letter:
        return True
    return isinstance(answer, str | list) and f"{letter})" in answer


@register_scorer("zeroeval_mcqa")
class ZeroEvalMCQAScorer(ItemAccuracyScorer):
    """Reference: the correct option letter."""

    name = "zeroeval_mcqa"

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng
        chosen = mcqa_answer(answer)
        return graded(item, chosen is not None and mcqa_correct(chosen, item.reference),
                      None if chosen is None else str(chosen))


@dataclass(frozen=True)
class ZebraGrid:
    """A puzzle's solution as ZebraLogicBench stores it: header ("House", attributes...) and one row per house."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, reference: ZebraGrid | Mapping[str, Any]) -> ZebraGrid:
        if isinstance(reference, ZebraGrid):
            return reference
        return cls(tuple(reference["header"]), tuple(tuple(row) for row in reference["rows"]))

    def cells(self) -> dict[tuple[str, str], str]:
        """(f"House {n}", attribute) -> gold value."""
        return {(f"House {n}", column): row[j]
                for n, row in enumerate(self.rows, 1) for j, column in enumerate(self.header) if j > 0}


def _cell_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.lower().strip() if isinstance(value, str) and value else None


def correct_cells(solution: Any, grid: ZebraGrid) -> int:
    if not isinstance(solution, Mapping):
        return 0
    right = 0
    for (house, column), gold in grid.cells().items():
        row = solution.get(house)
        if isinstance(row, Mapping) and column in row and _cell_text(row[column]) == gold.lower().strip():
            right += 1
    return right


def zebra_solution(output: str) -> Any:
    """The "solution" of the last JSON object, or None when ZeroEval counts the puzzle as unanswered."""
    parsed = last_complete_json(output)
    return parsed.get("solution") if isinstance(parsed, dict) else None


@register_scorer("zebralogic")
class ZebraLogicScorer(AccuracyScorer):
    """Puzzle accuracy (`metric="puzzle"`, the headline) or cell accuracy (`metric="cell"`); both are in every
    sample's stats. Reference: a ZebraGrid."""

    name = "zebralogic"

    def __init__(self, metric: str = "puzzle") -> None:
        if metric not in ("puzzle", "cell"):
            raise ValueError(f"zebralogic: metric={metric!r}; use 'puzzle' or 'cell'")
        self.metric = f"{metric} accuracy"
        self._keys = ("correct", "total") if metric == "puzzle" else ("correct_cells", "total_cells")

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score(item) for item in items]

    def _score(self, item: ScoreInput) -> SampleScore:
        grid = ZebraGrid.of(item.reference)
        total = len(grid.cells())
        if item.prediction is None:
            failed = failed_score(item)
            return SampleScore(failed.sample_id, {**failed.stats, "correct_cells": 0.0, "total_cells": float(total)},
                               failed=True, categories=item.categories)
        solution = zebra_solution(item.prediction)
        right = 0 if solution is None else correct_cells(solution, grid)
        return SampleScore(
            sample_id=item.sample_id,
            stats={"correct": float(right == total), "total": 1.0, "correct_cells": float(right),
                   "total_cells": float(total)},
            extracted=None if solution is None else json.dumps(solution, ensure_ascii=False),
            categories=item.categories,
            detail={"parsed": solution is not None},
        )

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        right, total = self._keys
        denominator = sum(s.stats[total] for s in scores)
        return 100.0 * sum(s.stats[right] for s in scores) / denominator if denominator else 0.0
