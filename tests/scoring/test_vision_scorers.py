"""The vision benchmarks' rule scorers against hand-computed answers from the official rules (VLMEvalKit
matching_util/yorn/vqa_eval, CountBenchQA, MLVU check_ans, LVBench polish_answer, MMMU-Pro's overall mean)."""

from __future__ import annotations

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.hallusionbench import HallusionQuestion, hallusion_accuracies
from evalkit.scoring.long_video_choice import lvbench_letter, mlvu_letter
from evalkit.scoring.registry import build_scorer
from evalkit.scoring.relaxed_accuracy import relaxed_correct
from evalkit.scoring.vlmeval_matching import can_infer, process_punctuation, yes_or_no

OPTIONS = {"A": "cat", "B": "dog", "C": "bird", "D": "fish"}


@pytest.mark.parametrize("answer, letter", [
    ("B", "B"),
    ("(C) bird", "C"),
    ("The answer is **D**, because fish swim.", "D"),  # the verbose-answer pattern
    ("A B", None),  # two letters named: the option rule gives nothing; the text rule finds no option text
    ("B. dog. A is wrong, B is right, no doubt here at all", None),  # B named alone? no: A and B both occur
    ("It is a dog", "B"),  # no letter; the one option text in a short answer
    ("Cannot determine the answer", "Z"),  # a refusal: Z, never right
    ("D is the answer to this question given the picture shown above", None),  # D too early (not in last 5 words)
])
def test_can_infer(answer, letter):
    assert can_infer(answer, OPTIONS) == letter


def test_yes_or_no_and_punctuation():
    assert process_punctuation("yes,no") == "yes no"  # no spaced comma and no 1,000: the mark becomes a space
    assert process_punctuation("1,000, yes") == "1000 yes"  # a digit comma anywhere: marks are deleted
    assert [yes_or_no(t) for t in ("Yes.", "no, it is not", "Yes and no", "It is red")] == \
        ["Yes", "No", "Unknown", "Unknown"]


def test_hallusionbench_three_accuracies():
    # one set: figures 0 and 1, questions 0 and 1 on each; wrong only on figure 1 question 0
    refs = {(f, q): HallusionQuestion("Yes", f"s_0_{f}", f"s_0_{q}") for f in (0, 1) for q in (0, 1)}
    answers = {(0, 0): "yes", (0, 1): "yes", (1, 0): "no", (1, 1): "yes"}
    items = [ScoreInput(f"{f}{q}", answers[f, q], refs[f, q]) for f, q in refs]
    scores = build_scorer("hallusionbench").score(items)
    # aAcc 3/4; fAcc: figure 0 all right, figure 1 not: 1/2; qAcc: question 1 right on both figures: 1/2
    assert hallusion_accuracies(scores) == {"mean": pytest.approx(175 / 3), "aAcc": 75.0, "fAcc": 50.0, "qAcc": 50.0}
    assert build_scorer("hallusionbench", metric="qAcc").aggregate(scores) == 50.0
    failed = build_scorer("hallusionbench").score([ScoreInput("x", None, refs[0, 0])])[0]
    assert failed.failed and failed.detail["figure_group"] == "s_0_0"


@pytest.mark.parametrize("target, prediction, right", [
    ("12", "12.5", True), ("12", "12.7", False), ("45%", "0.46", True), ("Yes", "yes", True),
    ("0", "0.0", False),  # a gold 0 has no relative change: compared as text
    ("1,000", "1000", False),  # "1,000" is no float: text comparison
])
def test_relaxed_correct(target, prediction, right):
    assert relaxed_correct(target, prediction) is right


def test_relaxed_accuracy_takes_any_gold_and_strips():
    scorer = build_scorer("relaxed_accuracy")
    scores = scorer.score([ScoreInput("a", " 7 \n", ["3", "7"]), ScoreInput("b", "three", "3")])
    assert scorer.aggregate(scores) == 50.0


def test_countbench_substring_rule():
    scorer = build_scorer("countbench")
    scores = scorer.score([ScoreInput("a", "There are 3.", "3"), ScoreInput("b", "12", "2"), ScoreInput("c", "4", "5")])
    assert [s.stats["correct"] for s in scores] == [1.0, 1.0, 0.0]  # "2" in "12": the official rule


def test_mlvu_letter_and_m_avg():
    assert [mlvu_letter(a) for a in ("(B) dog", "B", "B)", ") B", "The answer is (C)")] == ["B", "B", "B", "", "C"]
    scorer = build_scorer("mlvu")
    items = [ScoreInput(str(i), p, "A", {"task_type": t})
             for i, (p, t) in enumerate([("A", "count"), ("B", "count"), ("(A)", "order"), ("A", "count")])]
    # count 2/3, order 1/1: M-Avg (66.67 + 100) / 2, not the pooled 75
    assert scorer.aggregate(scorer.score(items)) == pytest.approx((200 / 3 + 100) / 2)


def test_lvbench_letter():
    assert [lvbench_letter(a) for a in ("(C) cat", "C. cat", " D", "", "(A)")] == ["C", "C", "D", "", "A"]


def test_mmmu_pro_overall_averages_the_settings():
    options = {chr(65 + i): str(i) for i in range(10)}
    items = [ScoreInput(str(i), f"Answer: {p}", ChoiceQuestion("A", options), {"setting": s})
             for i, (p, s) in enumerate([("A", "standard (10 options)"), ("A", "standard (10 options)"),
                                         ("B", "standard (10 options)"), ("A", "vision")])]
    scorer = build_scorer("mmmu_pro_overall")
    assert scorer.aggregate(scorer.score(items)) == pytest.approx((200 / 3 + 100) / 2)
