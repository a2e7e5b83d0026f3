"""Reading a verdict out of a judge's text, and combining several samples' verdicts into one.

Every parser is a pure function `text -> verdict` that raises `Unparsable` rather than guessing: an unreadable
verdict fails its sample (fail closed), where several official scripts fall back to a default (VoiceBench's sd-qa
counts anything but "yes" as no; MM-MT-Bench retries forever). Each parser names the official code it follows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from statistics import fmean
from typing import Any

Verdict = float | str


class Unparsable(ValueError):
    """The judge's text holds no verdict in the expected form."""


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


def extracted_answer(text: str, **_: Any) -> Verdict:
    """MathVista's extraction: the judge's text, stripped (models/gpt.py returns `prediction.strip()`)."""
    answer = text.strip()
    if not answer:
        raise Unparsable("the judge extracted nothing")
    return answer


_DOUBLE_BRACKET_NUMBER = re.compile(r"\[\[(\d+\.?\d*)\]\]")


def rating_1_to_10(text: str, **_: Any) -> Verdict:
    """MM-MT-Bench: the first "[[n]]" (mistral-evals BRACKET_SCORE_RE), a rating from 1 to 10."""
    match = _DOUBLE_BRACKET_NUMBER.search(text)
    if not match:
        raise Unparsable(f"no [[rating]] in {_excerpt(text)!r}")
    return _in_range(float(match.group(1)), 1, 10)


def score_1_to_5(text: str, **_: Any) -> Verdict:
    """VoiceBench open subsets (src/evaluator/open.py): the whole text as a number, else the first "[[n]]"."""
    try:
        value = float(text.strip())
    except ValueError:
        match = re.search(r"\[\[(\d+)\]\]", text)
        if not match:
            raise Unparsable(f"no 1-5 score in {_excerpt(text)!r}") from None
        value = float(match.group(1))
    return _in_range(value, 1, 5)


def yes_no(text: str, **_: Any) -> Verdict:
    """VoiceBench sd-qa (src/evaluator/qa.py lower-cases and compares with "yes"): "yes" or "no", nothing else."""
    answer = text.strip().lower().rstrip(".")
    if answer not in ("yes", "no"):
        raise Unparsable(f"not a yes/no verdict: {_excerpt(text)!r}")
    return answer


_PAIRWISE_PATTERNS = (re.compile(r"\[\[([AB<>=]+)\]\]"), re.compile(r"\[([AB<>=]+)\]"))
PAIRWISE_LABELS = frozenset({"A>>B", "A>B", "A=B", "A<B", "A<<B", "B>>A", "B>A", "B=A", "B<A", "B<<A"})


def pairwise_label(text: str, **_: Any) -> Verdict:
    """Arena-Hard (gen_judgment.py get_score): the last label of the first pattern that matches the upper-cased
    text; a label show_result.py cannot weigh is unparsable."""
    for pattern in _PAIRWISE_PATTERNS:
        matches = [m for m in pattern.findall(text.upper()) if m]
        if matches:
            label = matches[-1].strip("\n")
            if label not in PAIRWISE_LABELS:
                raise Unparsable(f"unknown pairwise label {label!r}")
            return label
    raise Unparsable(f"no [[A>B]]-style verdict in {_excerpt(text)!r}")


_RUBRIC_LINE = (re.compile(r"(.*?):\s*(?:Score\s+)?(-?\d+(?:\.\d+)?)"), re.compile(r"(.*?):\s*\[(-?\d+(?:\.\d+)?)\]"))


def rubric_0_to_20(text: str, lower_is_better: Sequence[str] = (), **_: Any) -> Verdict:
    """Creative Writing v3 (core/scoring.py): every "Metric: score" with score <= 20 (a later match of a name
    replaces an earlier one), criteria where lower is better inverted (20 - score) and dropped if that exceeds 20
    (a negative score); the piece's score is the mean of the rest on 0..20."""
    scores: dict[str, float] = {}
    for pattern in _RUBRIC_LINE:
        for name, value in pattern.findall(text):
            if float(value) <= 20:
                scores[name.strip()] = float(value)
    kept = [v for v in (20.0 - v if name in lower_is_better else v for name, v in scores.items()) if v <= 20]
    if not kept:
        raise Unparsable(f"no 'Metric: score' lines in {_excerpt(text)!r}")
    return fmean(kept)


def json_score_1_to_10(text: str, **_: Any) -> Verdict:
    """WritingBench (evaluate_benchmark.py success_check_fn_score): JSON with an integer "score" 1..10 and a
    string "reason", after stripping the characters of 'json|```' from both ends as the official code does."""
    try:
        result = json.loads(text.strip("json|```"))  # noqa: B005 - the official character set, stripped as it does
    except json.JSONDecodeError as exc:
        raise Unparsable(f"not JSON ({exc.msg}): {_excerpt(text)!r}") from None
    if not isinstance(result, dict) or not isinstance(result.get("reason"), str):
        raise Unparsable(f"JSON without a string 'reason': {_excerpt(text)!r}")
    if result.get("score") not in range(1, 11) or isinstance(result.get("score"), bool):
        raise Unparsable(f"'score' is not an integer from 1 to 10: {result.get('score')!r}")
    return float(result["score"])


def _in_range(value: float, low: float, high: float) -> float:
    if not low <= value <= high:
        raise Unparsable(f"score {value:g} outside {low:g}..{high:g}")
    return value


PARSERS: Mapping[str, Callable[..., Verdict]] = {
    parser.__name__: parser
    for parser in (extracted_answer, rating_1_to_10, score_1_to_5, yes_no, pairwise_label, rubric_0_to_20,
                   json_score_1_to_10)
}


def parse_verdict(parser: str, text: str, options: Mapping[str, Any]) -> Verdict:
    if parser not in PARSERS:
        raise KeyError(f"unknown verdict parser {parser!r}; valid: {', '.join(PARSERS)}")
    return PARSERS[parser](text, **options)


def aggregate_verdicts(aggregation: str, verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict from a sample's draws: the only one, their mean (numbers), or the most common (labels; a tie
    is unparsable rather than broken arbitrarily)."""
    if aggregation == "single":
        (only,) = verdicts
        return only
    if aggregation == "mean":
        numbers = [v for v in verdicts if isinstance(v, float)]
        if len(numbers) != len(verdicts):
            raise Unparsable(f"cannot average non-numeric verdicts {list(verdicts)}")
        return fmean(numbers)
    counts = Counter(verdicts).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        raise Unparsable(f"no majority among {list(verdicts)}")
    return counts[0][0]
