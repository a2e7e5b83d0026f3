"""Multi-IF: IFEval's checkers made multilingual, scored per turn of three-turn conversations.

Follows facebookresearch/Multi-IF @ 1cdb53e: `ifeval.py` is Google's instruction library with three checkers
changed, which this module swaps into evalkit.scoring.ifeval's table:
- length_constraints:number_sentences counts by the response's langdetect language: Thai with pythainlp's
  sent_tokenize on each line, Hindi by splitting after "।", "!" or "?", Chinese and Japanese (zh-cn, zh-tw, ja) by
  the sentence pattern of `split_chinese_japanese`, anything else with Punkt; a text langdetect cannot read counts
  as English;
- length_constraints:number_words: Thai with pythainlp's word_tokenize, Chinese and Japanese with
  `count_words_chinese_japanese` (punctuation removed, each emoji one word, each CJK or Hangul character one word,
  the rest split on spaces), anything else as IFEval;
- startend:quotation also takes “...” and 「...」;
and keywords:frequency counts as not followed where the keyword is not a valid regular expression.

`metrics.py` scores each turn apart (`metrics_gen`): over the conversations that have that turn, prompt- and
instruction-level accuracy, strict and loose (`gen_acc_strict`, `gen_acc_loose`: a response must be non-empty),
and prints their plain mean as `turn_<k>_all_languages_overall`. The headline here is the mean of the turns'
overall numbers (the official script prints one per turn; the model card's single number is read as their
average); per-turn and per-language numbers are in `MultiIFScorer.breakdown` and the task's categories. langdetect
is seeded here, where the official code leaves it unseeded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.ifeval import (
    INSTRUCTIONS,
    Instruction,
    accuracies,
    compare_count,
    count_sentences,
    count_words,
    detected_language,
    keyword_frequency,
    score_prompt,
)
from evalkit.scoring.registry import register_scorer

TURN = "turn"  # the category naming a record's turn: "1", "2", "3"
LANGUAGE = "language"  # the row's language as Multi-IF names it ("English", "Chinese", ...)
CHINESE_JAPANESE = ("zh", "zh-cn", "zh-tw", "ja")
_CJK = r"[\u4E00-\u9FFF\u3400-\u4DBF]|[\u3040-\u309f\u30a0-\u30ff]|[\uAC00-\uD7AF]"  # Han, kana, Hangul syllables
_NOT_WORDS = r"[\\.\!\?\．\/_,\{\}<>:;$%^&*(+\"\'+——！，。？、`~@#￥……（）：；《）《》“”()\[\]»〔〕\-「」]+"
_CJK_SENTENCE = r"[^!?。\.\!\?\！\？\．\n]+[!?。\.\!\?\！\？\．\n]?"


def _language(value: str) -> str:
    return detected_language(value) or "en"  # the official code counts an unreadable text as English


def count_sentences_multilingual(value: str) -> int:
    language = _language(value)
    if language == "th":
        from pythainlp.tokenize import sent_tokenize

        return sum(len(sent_tokenize(line)) for line in value.splitlines())
    if language == "hi":
        return len([s for s in re.split(r"(?<=[।!?])\s*", value) if s.strip()])
    if language in CHINESE_JAPANESE:
        return sum(len(re.findall(_CJK_SENTENCE, line.strip())) for line in value.splitlines())
    return count_sentences(value)


def count_words_cjk(text: str) -> int:
    """`count_words_chinese_japanese`: each Han, kana or Hangul character and each emoji is a word."""
    import emoji

    text = re.sub(_NOT_WORDS, "", text)
    emojis = emoji.emoji_count(text)
    text = emoji.replace_emoji(text, "")
    return len(re.findall(_CJK, text)) + len(re.sub(_CJK, " ", text).split()) + emojis


def count_words_multilingual(value: str) -> int:
    language = _language(value)
    if language == "th":
        from pythainlp.tokenize import word_tokenize

        return len(word_tokenize(value))
    if language in CHINESE_JAPANESE:
        return count_words_cjk(value)
    return count_words(value)


def _sentences(value: str, kw: Mapping[str, Any]) -> bool:
    return compare_count(count_sentences_multilingual(value), kw["relation"], kw["num_sentences"])


def _words(value: str, kw: Mapping[str, Any]) -> bool:
    return compare_count(count_words_multilingual(value), kw["relation"], kw["num_words"])


def _quotation(value: str, kw: Mapping[str, Any]) -> bool:
    value = value.strip()
    return len(value) > 1 and (value[0], value[-1]) in {('"', '"'), ("“", "”"), ("「", "」")}


def _keyword_frequency(value: str, kw: Mapping[str, Any]) -> bool:
    try:
        return keyword_frequency(value, kw)
    except re.error:
        return False


MULTI_IF_INSTRUCTIONS: dict[str, Instruction] = {
    **INSTRUCTIONS,
    "length_constraints:number_sentences": Instruction(_sentences, INSTRUCTIONS[
        "length_constraints:number_sentences"].kwargs),
    "length_constraints:number_words": Instruction(_words, INSTRUCTIONS["length_constraints:number_words"].kwargs),
    "startend:quotation": Instruction(_quotation, ()),
    "keywords:frequency": Instruction(_keyword_frequency, INSTRUCTIONS["keywords:frequency"].kwargs),
}


def turn_overall(scores: Sequence[SampleScore]) -> float:
    """`turn_<k>_<language>_overall`: the mean of prompt/instruction-level strict/loose accuracy, in %."""
    return sum(accuracies(scores).values()) / 4


@register_scorer("multi_if")
class MultiIFScorer:
    name = "multi_if"
    metric = "mean over turns of the mean of prompt/instruction-level strict/loose accuracy"
    lower_is_better = False
    official_denominator = "every turn of every conversation (an unanswered turn follows no instruction)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [score_prompt(item, MULTI_IF_INSTRUCTIONS, strict_blank_checked=True) for item in items]

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        by_turn = self.breakdown(scores)
        return sum(by_turn.values()) / len(by_turn) if by_turn else 0.0

    @staticmethod
    def breakdown(scores: Sequence[SampleScore]) -> dict[str, float]:
        """Each turn's official overall number, keyed `turn_<k>`."""
        turns: dict[str, list[SampleScore]] = {}
        for score in scores:
            turns.setdefault(score.categories[TURN], []).append(score)
        return {f"turn_{k}": turn_overall(group) for k, group in sorted(turns.items())}
