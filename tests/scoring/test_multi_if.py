"""Multi-IF's multilingual checkers and per-turn aggregation against the official metrics.py, and hand-checked
counts of the rules it changes from IFEval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.ifeval import IFEvalPrompt, follow_lists
from evalkit.scoring.multi_if import (
    MULTI_IF_INSTRUCTIONS,
    MultiIFScorer,
    count_sentences_multilingual,
    count_words_cjk,
    turn_overall,
)

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "multi_if_case.json"


def test_every_verdict_and_each_turns_overall_equal_the_official_metrics_gen():
    """1,080 turns of 360 conversations in 11 languages; facebookresearch/Multi-IF's metrics_gen gave these."""
    case = json.loads(CASE.read_text(encoding="utf-8"))
    items, mismatches = [], []
    for conversation in case["conversations"]:
        for number, turn in enumerate(conversation["turns"], start=1):
            where = f"{conversation['key']}/{number}"
            prompt = IFEvalPrompt.from_row(turn["ids"], turn["kwargs"], where, MULTI_IF_INSTRUCTIONS)
            response = case["responses"][turn["response"]]
            verdicts = follow_lists(prompt, response, MULTI_IF_INSTRUCTIONS, strict_blank_checked=True)
            if verdicts != (turn["strict"], turn["loose"]):
                mismatches.append((where, turn["ids"], response[:30]))
            items.append(ScoreInput(where, response, prompt,
                                    {"turn": str(number), "language": conversation["language"]}))
    assert mismatches == []
    scores = MultiIFScorer().score(items)
    ours = MultiIFScorer.breakdown(scores)
    official = case["official"]
    assert ours == pytest.approx({f"turn_{k}": 100 * official[f"turn_{k}_all_languages_overall"] for k in (1, 2, 3)})
    chinese_turn_2 = [s for s in scores if s.categories == {"turn": "2", "language": "Chinese"}]
    assert turn_overall(chinese_turn_2) == pytest.approx(100 * official["turn_2_Chinese_overall"])
    assert MultiIFScorer().aggregate(scores) == pytest.approx(sum(ours.values()) / 3)


def test_sentences_and_words_are_counted_per_language():
    assert count_sentences_multilingual("这是第一句。这是第二句！第三句") == 3
    assert count_sentences_multilingual("भारत एक विशाल देश है। यहाँ अनेक भाषाएँ बोली जाती हैं! क्या आप भारत गए हैं?") == 3
    # Han characters one word each, Latin words by spaces, each emoji one word, punctuation dropped
    assert count_words_cjk("我喜欢apple pie，你呢？😊") == 5 + 2 + 1


def test_quotation_takes_chinese_and_japanese_marks():
    quotation = MULTI_IF_INSTRUCTIONS["startend:quotation"].check
    assert quotation("“春眠不觉晓”", {}) and quotation("「こんにちは」", {}) and quotation('"hi"', {})
    assert not quotation("“mixed\"", {})
