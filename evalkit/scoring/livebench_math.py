"""LiveBench's math graders (LiveBench/LiveBench @ f3501c7, livebench/process_results/math/*/utils.py), dispatched by
the question's subtask as gen_ground_truth_judgment.py does (`math_grader`):

- AMC / SMC (math_competitions `mathcontest_process_results`): right when the answer holds the letter four times in
  a row, or its last box reads the letter, or its last 20 + n characters hold the text of the right choice (n: that
  text's length; read from the question's `\\textbf{(X) } ... \\qquad` list, "FAILURE" where it is missing);
- AIME (`aime_process_results`): right when the last 50 characters hold the gold number;
- IMO / USAMO proof rearrangement (olympiad `proof_rearrangement_process_results`, edit_distance=True as the dispatch
  calls it): the answer's list of expression numbers (an "Answer:" line, else the last box, else the last line, else
  the numbers after the last "answer:") against the gold order: 1 - edit distance / the longer length;
- AMPS_Hard (`amps_hard_process_results`): the last box, normalized as Minerva's `normalize_final_answer`, equal to
  the gold when SymPy reads both (its lark LaTeX parser, every reading of an ambiguous parse, else its ANTLR parser)
  and `simplify(a - b) == 0` or `|simplify(a - b)| < 0.001`, the comparison run in a child process killed after 8 s
  (evalkit.scoring.livebench_latex, which runs it under ANTLR 4.11); without a box, right when the answer ends with
  the gold text.

Where the official code stops the whole run with an error, evalkit goes on: a `\\boxedX{` that is no box is no box
for AMC and olympiad answers and scores 0 for AMPS_Hard; an empty AMPS_Hard answer scores 0; a digit int() cannot
read (a superscript) in the olympiad's last fallback is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from evalkit.scoring.livebench_boxes import last_boxed, unboxed
from evalkit.scoring.livebench_latex import Comparison

AMC_CHOICE = re.compile(r"\\textbf{\(([A-E])\)\s?}(.*?)(?:\\qquad|\$)")


def amc_choice_text(question: str, letter: str) -> str:
    """extract_answer: the text of choice `letter` in the question, "FAILURE" where it has none."""
    choices = {found: text.strip() for found, text in AMC_CHOICE.findall(question)}
    return (choices.get(letter) or "FAILURE").strip().strip("$").strip("~")


def amc(truth: str, answer: str, choice_text: str) -> float:
    if truth * 4 in answer:
        return 1.0
    answer = answer.replace("\\\\fbox{", "\\\\boxed{")  # the choice text below is looked for in this text
    boxed = last_boxed(answer)
    content = unboxed(boxed) if boxed else None
    if content is not None:
        if content.replace("\\text{", "").replace("}", "").replace("\\", "").lower() == truth.lower():
            return 1.0
    return float(choice_text in answer[-(20 + len(choice_text)):])


def aime(truth: str, answer: str) -> float:
    return float(truth in answer[-50:])


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Levenshtein distance between two sequences, element by element."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] if x == y else 1 + min(previous[j], current[j - 1], previous[j - 1]))
        previous = current
    return previous[-1]


NO_ANSWER = "NO ANSWER"
Numbers = list[int | str]  # an unreadable item is NO_ANSWER, as the official lists hold it


def _digits(text: str) -> tuple[str, int]:
    """remove_nonnumeric_chars_at_ends: the first run of digits, and how many characters are not in it."""
    start = 0
    while start < len(text) and not text[start].isdigit():
        start += 1
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[start:end], len(text) - (end - start)


def _as_int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return NO_ANSWER


def _read(numbers: Numbers) -> Numbers | None:
    return None if not numbers or set(numbers) == {NO_ANSWER} else numbers


def _answer_line(generation: str) -> Numbers | None:
    lines = generation.lower().strip().split("\n")
    index = max(i for i, line in enumerate(lines) if "answer:" in line)

    def clean(text: str) -> str:
        return text.replace("answer:", "").replace("**", "").replace(".", "").strip()

    text = clean(lines[index].split("answer:")[1])
    if text == "" and index < len(lines) - 1:
        text = clean(lines[index + 1])
    items = [item.strip().split(" ")[-1] for item in text.split(",")]
    for junk in ("$", "{", "}", "\\", "boxed", "<", ">"):
        items = [item.replace(junk, "") for item in items]
    return _read([_as_int(item) for item in items])


def _boxed_list(generation: str) -> Numbers | None:
    boxed = last_boxed(generation)
    content = unboxed(boxed) if boxed else None
    text = (generation if content is None else content).replace("\\text{", "").replace("}", "").replace("\\", "")
    return _read([_as_int(item.strip()) for item in text.strip().split(",")])


def _last_line(generation: str) -> Numbers | None:
    last = generation.strip().lower().split("\n")[-1]
    digits = [_digits(item)[0].strip() for item in last.strip().split(",")]
    return _read([_as_int(d) for d in digits if d])


def _after_last_answer(generation: str) -> Numbers:
    numbers: Numbers = []
    for i, item in enumerate(k.strip() for k in generation.lower().split("answer:")[-1].split(",")):
        digits, removed = _digits(item)
        if digits not in ("", "₂"):
            value = _as_int(digits)  # the official int() stops the run on a digit int() cannot read
            if value != NO_ANSWER:
                numbers.append(value)
        if i > 0 and removed > 0:
            break
    return numbers


def expression_order(generation: str) -> Numbers:
    """extract_expression_completions_from_generation: the expression numbers the answer gives, in order."""
    numbers = _answer_line(generation) if "answer:" in generation.lower() else None
    if numbers is None and "\\boxed" in generation:
        numbers = _boxed_list(generation)
    if numbers is None:
        numbers = _last_line(generation)
    return _after_last_answer(generation) if numbers is None else numbers


def proof_rearrangement(truth: str, answer: str) -> float:
    gold = [int(n) for n in truth.split(",")]
    given = expression_order(answer)
    return 1 - edit_distance(given, gold) / max(len(given), len(gold))


AMPS_ANSWER_EDITS = (("+C", ""), ("+ C", ""), ("+ c", ""), ("+c", ""), ("\\\\fbox{", "\\\\boxed{"),
                     ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\left", ""), ("\\right", ""), ("\\bigl", ""),
                     ("\\bigr", ""), ("\\Bigl", ""), ("\\Bigr", ""), ("\\,", ""), ("\\;", ""), ("\n", ""),
                     ("\\cdot", "*"))
AMPS_TRUTH_EDITS = (("\\left", ""), ("\\right", ""), (" ^", "^"), ("\\ ", "*"))


def _edited(text: str, edits: Sequence[tuple[str, str]]) -> str:
    for old, new in edits:
        text = text.replace(old, new)
    return text


def normalize_final_answer(answer: str) -> str:
    """Minerva's normalize_final_answer (Lewkowycz et al. 2022, appendix D), as amps_hard uses it."""
    answer = answer.split("=")[-1]
    answer = re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", answer)
    for command in ("text", "textbf", "overline"):
        answer = re.sub(rf"(\\{command}\{{)(.*?)(\}})", "\\2", answer)
    answer = re.sub(r"(\\boxed\{)(.*)(\})", "\\2", answer)
    answer = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", answer)
    answer = re.sub(r"(sqrt)([^{\[])", "sqrt{\\2}", answer)
    answer = answer.replace("$", "")
    return answer.replace(",", "") if answer.replace(",", "").isdigit() else answer


Compare = Callable[[str, str], Comparison]  # is_equiv within its time limit (livebench_latex.LatexJudge.compare)


def amps_hard(truth: str, answer: str, compare: Compare) -> tuple[float, Comparison | None]:
    """The score, and the LaTeX comparison where the answer's last box was compared with the gold."""
    answer = _edited(answer, AMPS_ANSWER_EDITS)
    truth = _edited(truth, AMPS_TRUTH_EDITS)
    boxed = last_boxed(answer)
    if boxed:
        content = unboxed(boxed)
        if content is None:
            return 0.0, None
        comparison = compare(truth, normalize_final_answer(content))
        return float(comparison.equal), comparison
    answer = answer[:-1] if answer.endswith(".") else answer
    return float(answer != "" and truth == answer[-len(truth):]), None


MATH_GRADERS = ("amc", "aime", "proof_rearrangement", "amps_hard")


def math_grader(subtask: str) -> str | None:
    """gen_ground_truth_judgment.py's dispatch on the subtask name; None for a subtask it has no grader for."""
    parts = subtask.split("_")
    if parts[0] in ("amc", "smc") or (len(parts) > 1 and parts[1] == "amc"):
        return "amc"
    if parts[0] == "aime":
        return "aime"
    if parts[0] in ("imo", "usamo"):
        return "proof_rearrangement"
    return "amps_hard" if "amps_hard" in subtask else None


def grade_math(grader: str, truth: str, answer: str, choice_text: str,
               compare: Compare) -> tuple[float, Comparison | None]:
    """The score, and for AMPS_Hard the LaTeX comparison made (None where none was)."""
    if grader == "amc":
        return amc(truth, answer, choice_text), None
    if grader == "aime":
        return aime(truth, answer), None
    if grader == "proof_rearrangement":
        return proof_rearrangement(truth, answer), None
    if grader == "amps_hard":
        return amps_hard(truth, answer, compare)
    raise ValueError(f"unknown LiveBench math grader {grader!r}; known: {', '.join(MATH_GRADERS)}")
