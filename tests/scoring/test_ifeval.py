"""IFEval's checkers against the official script's verdicts, and hand-checked cases of the rules it encodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.ifeval import IFEvalPrompt, IFEvalScorer, follow_lists, loose_variants

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "ifeval_case.json"


def test_every_verdict_and_the_four_totals_equal_the_official_scripts():
    """1,144 prompts over all 25 instruction kinds; the official evaluation_lib run gave these verdicts."""
    case = json.loads(CASE.read_text(encoding="utf-8"))
    items, mismatches = [], []
    for n, row in enumerate(case["prompts"]):
        prompt = IFEvalPrompt.from_row(row["ids"], row["kwargs"], f"case {n}")
        response = case["responses"][row["response"]]
        if follow_lists(prompt, response) != (row["strict"], row["loose"]):
            mismatches.append((n, row["ids"]))
        items.append(ScoreInput(str(n), response, prompt))
    assert mismatches == []
    totals = IFEvalScorer.breakdown(IFEvalScorer().score(items))
    assert totals == pytest.approx(case["official_totals"], abs=1e-9)


def test_loose_variants_follow_evaluation_lib_order():
    assert loose_variants("*a*\nb\nc") == ["*a*\nb\nc", "a\nb\nc", "b\nc", "*a*\nb", "b", "b\nc", "a\nb", "b"]


def test_a_blank_or_missing_response_follows_nothing_and_a_missing_one_is_failed():
    prompt = IFEvalPrompt(("punctuation:no_comma",), ({},))
    blank, missing = IFEvalScorer().score([ScoreInput("a", "  ", prompt), ScoreInput("b", None, prompt)])
    assert blank.stats["prompt_strict"] == 0.0 and not blank.failed
    assert missing.stats["prompt_loose"] == 0.0 and missing.failed


def test_hub_rows_drop_unused_kwargs_and_bad_rows_name_the_row():
    prompt = IFEvalPrompt.from_row(["keywords:existence"], [{"keywords": ["sun"], "relation": None}], "key 7")
    assert prompt.kwargs == ({"keywords": ["sun"]},)
    with pytest.raises(ValueError, match="key 7: unknown instruction 'format:nope'"):
        IFEvalPrompt.from_row(["format:nope"], [{}], "key 7")
    lacks = r"key 8: instruction 'length_constraints:number_words' lacks kwargs \['num_words'\]"
    with pytest.raises(ValueError, match=lacks):
        IFEvalPrompt.from_row(["length_constraints:number_words"], [{"relation": "at least"}], "key 8")


def test_a_letter_outside_a_to_z_counts_that_character():
    """The official code draws a random letter instead (unseeded): evalkit's documented deviation."""
    prompt = IFEvalPrompt(("keywords:letter_frequency",),
                          ({"letter": "#", "let_frequency": 2, "let_relation": "at least"},))
    assert follow_lists(prompt, "#one #two") == ([True], [True])
    assert follow_lists(prompt, "#one") == ([False], [False])
