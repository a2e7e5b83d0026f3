"""MathVision (MATH-V) scoring: the official rule extraction and equivalence, no LLM.

Follows mathllm/MATH-V @ a1f5cc3 (evaluation/ last changed 1d36118): evaluation/evaluate.py's answer extraction
(option letters at the start or end, "... is <number>", "the answer is ..." phrases, the last \\boxed{}), then
utils.py's find_math_answer (LaTeX clean-up) and is_equal (case-insensitive text, tuples evaluated element-wise,
else both sides parsed as LaTeX and compared rounded to 2 decimals). An item is right when the extraction equals
the gold answer or, for multiple choice, the gold option's text.

The LaTeX parser is the official one, latex2sympy2 1.9.1 (installed without its dependencies: it pins the ANTLR
runtime 4.7.2, hydra pins 4.9.*, and its generated parser runs on 4.9.3; its fork latex2sympy2_extended parses
differently: "{4}" as a set, "$...$" and trailing text refused). Parsed expressions are evaluated with Python's math
names, as the official module's `from math import *` namespace does.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import ItemAccuracyScorer, graded
from evalkit.scoring.registry import register_scorer

OPTION_LETTERS = "ABCDE"
ANSWER_PHRASES = ("the final answer is", "the answer is", "the correct answer is", "the answer should be")
_BOXED = re.compile("oxed{(.*)}", flags=re.S)  # greedy, over lines: the official pattern
# What eval() of a parsed expression can name: the official module's globals hold `from math import *`
_MATH_NAMES = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}


@dataclass(frozen=True)
class MathVisionProblem:
    answer: str  # an option letter, or the free-form answer (LaTeX allowed)
    options: tuple[str, ...] = ()  # five option texts, or none for free-form problems

    @classmethod
    def of(cls, reference: MathVisionProblem | Mapping[str, Any]) -> MathVisionProblem:
        """The problem itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, MathVisionProblem):
            return reference
        return cls(reference["answer"], tuple(reference["options"]))

    @property
    def answer_text(self) -> str:
        """The gold option's text ("" for free-form), which the official script also accepts."""
        return self.options[ord(self.answer) - ord("A")] if self.options else ""


def mathvision_categories(subject: str, level: int) -> dict[str, str]:
    """The official breakdown keys (math_level_subject_acc): subject, and level as "level<n>"."""
    return {"subject": subject, "level": f"level{level}"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cut_at_phrase(answer: str, phrase: str) -> str:
    """The text after the last `phrase`, stripped; where the phrase occurs, only up to the first line break and
    the first ". "."""
    cut = answer.split(phrase)[-1].strip()
    return cut.split("\n")[0].split(". ")[0] if phrase in answer else cut


def extract_answer(response: str) -> str:
    """evaluate.py's extraction (regen_answer=True), then find_math_answer and its trailing clean-up."""
    answer = response.strip()
    for letter in OPTION_LETTERS:
        if (answer.endswith((f" {letter}.", f" ({letter}).")) or answer.startswith(
                (f"{letter}\n", f"({letter})\n", f"({letter}) {letter}\n"))):
            answer = letter
    after_is = answer.split("is ")[-1].rstrip(".")
    if _is_number(after_is):
        answer = after_is
    if "oxed{" not in answer:
        for phrase in ANSWER_PHRASES:
            answer = _cut_at_phrase(answer, phrase)
            answer = _cut_at_phrase(answer, phrase.replace("the", "The"))
    elif answer.count("oxed{") > 1:
        answer = "\\boxed{" + answer.split("oxed{")[-1]
    answer = find_math_answer(answer)
    for letter in "abcde":
        answer = answer.replace(f"({letter})", letter)
    for letter in "abcde":
        answer = answer.replace(f"{{{letter}}}", letter)
    return answer.rstrip(".").lstrip(":").strip()


def find_math_answer(text: str) -> str:
    """utils.py find_math_answer: the last \\boxed{} (else the whole text), lower-cased, what follows "=" or
    \\approx, LaTeX spacing, text and unit markers removed, then _strip_string."""
    text = text.lower().replace("{}", "")
    boxed = _BOXED.findall(text)
    answer = boxed[-1] if boxed else text
    close, open_ = answer.find("}"), answer.find("{")
    if close != -1 and (open_ == -1 or close < open_):
        answer = answer.split("}")[0]
    answer = answer.split("=")[-1].split("\\approx")[-1]
    for old, new in ((" ", ""), ("\\,", ""), ("∞", "\\infty"), ("+\\infty", "\\infty"), ("\\\\", "\\"), ("\n", ""),
                     ("\\text", ""), ("\\mbox", ""), ("bmatrix", "pmatrix"), ("\\left", ""), ("\\right", ""),
                     ("^{\\circ}", ""), ("^\\circ", ""), ("{m}^3", ""), ("m^3", ""), ("{units}", ""), ("units", ""),
                     ("{km}", ""), ("km", "")):
        answer = answer.replace(old, new)
    return _strip_string(answer)


def _strip_string(text: str) -> str:
    """utils.py _strip_string (MATH's normaliser), its quirks kept: fractions are repaired only when the text
    holds "sqrt", and "0.5" becomes \\frac{1}{2}."""
    for old, new in (("\n", ""), ("\\!", ""), ("\\\\", "\\"), ("tfrac", "frac"), ("dfrac", "frac"), ("\\left", ""),
                     ("\\right", ""), ("^{\\circ}", ""), ("^\\circ", ""), ("\\$", ""), ("$", "")):
        text = text.replace(old, new)
    text = text.split("\\text{ ")[0]  # units on the right
    text = text.replace("\\%", "").replace(" .", " 0.").replace("{.", "{0.")
    if not text:
        return text
    if text[0] == ".":
        text = "0" + text
    if len(text.split("=")) == 2:
        text = text.split("=")[-1]
    if len(text.split("\\approx")) == 2:
        text = text.split("\\approx")[-1]
    if "sqrt" in text:
        text = _fix_sqrt(text)
    text = text.replace(" ", "")
    if "sqrt" in text:
        text = _fix_fracs(text)
    if text == "0.5":
        text = "\\frac{1}{2}"
    return _fix_a_slash_b(text)


def _fix_sqrt(text: str) -> str:
    """\\sqrt3 -> \\sqrt{3}: a bare first character gets braces."""
    head, *parts = text.split("\\sqrt")
    return head + "".join("\\sqrt{" + part[0] + "}" + part[1:] if part and part[0] != "{" else "\\sqrt" + part
                          for part in parts)


def _fix_fracs(text: str) -> str:
    """\\frac12 -> \\frac{1}{2}, \\frac1{2} -> \\frac{1}{2}; the text unchanged when a \\frac has under 2
    characters after it."""
    head, *parts = text.split("\\frac")
    fixed = head
    for part in parts:
        fixed += "\\frac"
        if part and part[0] == "{":
            fixed += part
        elif len(part) < 2:
            return text
        elif part[1] != "{":
            fixed += "{" + part[0] + "}{" + part[1] + "}" + part[2:]
        else:
            fixed += "{" + part[0] + "}" + part[1:]
    return fixed


def _fix_a_slash_b(text: str) -> str:
    """"3/4" -> \\frac{3}{4} when both sides are integers written plainly."""
    parts = text.split("/")
    if len(parts) != 2:
        return text
    try:
        numerator, denominator = int(parts[0]), int(parts[1])
    except ValueError:
        return text
    if text != f"{numerator}/{denominator}":
        return text
    return "\\frac{" + str(numerator) + "}{" + str(denominator) + "}"


def _load_latex_parser() -> Callable[[str], object]:
    with contextlib.redirect_stdout(io.StringIO()):  # it prints the ANTLR version mismatch as it loads
        try:
            from latex2sympy2 import latex2sympy
        except ImportError:
            raise RuntimeError("the mathvision scorer needs MATH-V's LaTeX parser: pip install --no-deps "
                               "latex2sympy2==1.9.1 (its ANTLR pin conflicts with hydra's; it runs on 4.9.3)") from None
    return latex2sympy


@lru_cache(maxsize=65536)
def _latex_value(text: str) -> object:
    """The official `eval(str(latex2sympy(text)))`; raises where it raises."""
    with contextlib.redirect_stdout(io.StringIO()):  # and on every parse
        expression = _load_latex_parser()(text)
    return eval(str(expression), {"__builtins__": {}}, dict(_MATH_NAMES))  # noqa: S307 - a sympy expression's text


def _rounded(text: str) -> object:
    return round(_latex_value(text), 2)  # type: ignore[call-overload]  # whatever eval gave: a non-number raises


def _eval_tuple(text: str) -> str:
    """"(a,b)" / "[a,b]" with each element parsed and rounded to 2 decimals (infinities, a and -a kept as text);
    the text unchanged when it is not such a tuple or an element fails to parse."""
    elements = text[1:-1].split(",")
    try:
        if (text[0], text[-1]) in (("(", ")"), ("[", "]")) and len(elements) > 1:
            joined = ",".join(element if "infty" in element or element in ("a", "-a") else str(_rounded(element))
                              for element in elements)
            return f"{text[0]}{joined}{text[-1]}"
    except Exception:  # noqa: BLE001 - the official code returns the text on any error
        return text
    return text


def is_equal(first: str, second: str) -> bool:
    """utils.py is_equal (symmetric): never equal when either side is blank; equal as lower-cased stripped text,
    as evaluated tuples, or as LaTeX values rounded to 2 decimals (any parse or evaluation error: not equal)."""
    first, second = first.lower(), second.lower()
    if not first.replace(" ", "") or not second.replace(" ", ""):
        return False
    if first.strip() == second.strip():
        return True
    first, second = _eval_tuple(first), _eval_tuple(second)
    if first == second:
        return True
    try:
        return bool(_rounded(first) == _rounded(second))
    except Exception:  # noqa: BLE001 - the official code counts any error as not equal
        return False


@register_scorer("mathvision")
class MathVisionScorer(ItemAccuracyScorer):
    name = "mathvision"

    def __init__(self) -> None:
        _load_latex_parser()  # a missing parser would make every LaTeX comparison "not equal": refuse instead

    def grade(self, item: ScoreInput, answer: str, rng: random.Random) -> SampleScore:
        del rng  # MATH-V's rules draw nothing
        problem = MathVisionProblem.of(item.reference)
        extracted = extract_answer(answer)
        correct = is_equal(problem.answer, extracted) or is_equal(problem.answer_text, extracted)
        return graded(item, correct, extracted)
