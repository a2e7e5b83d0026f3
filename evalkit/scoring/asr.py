"""Corpus WER / CER: total edit distance over total reference tokens, so any subset re-aggregates exactly.

Follows QwenLM/Qwen2-Audio eval_audio/evaluate_asr.py compute_wer @ 10cb8d83aabc36ad06f2d3381290989bc5a9c46f
(edit distance per utterance summed, divided by summed reference length), with jiwer for the edit distance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import jiwer

from evalkit.scoring.asr_normalize import qwen_asr_tokens
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

# Scored per character by default (PROTOCOLS.md). Qwen's script itself splits only zh and yue into characters;
# ja/ko/th as CER is the common practice the protocol adopts, so a config may override `unit` per language.
CER_LANGUAGES = frozenset({"zh", "yue", "ja", "ko", "th"})
NORMALIZERS = ("qwen", "none")
UNITS = ("wer", "cer", "mixed")
METRIC_OF_UNIT = {"wer": "WER", "cer": "CER", "mixed": "MER"}
# Han ideographs (unified, extension A, compatibility): one token each in mixed text, as AudioBench's
# separate_and_space_chinese splits [\u4e00-\u9fff] runs for its code-switched sets (SEAME, AISHELL).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_OR_WORD = re.compile(f"[{_HAN}]|[^\\s{_HAN}]+")


def default_unit(language: str) -> str:
    return "cer" if language in CER_LANGUAGES else "wer"


def mixed_tokens(words: Sequence[str]) -> list[str]:
    """Code-switched Mandarin-English: each Han character is a token, each run of other non-space characters
    (a Latin word, a number) is one token, so "我想要coffee" is 我 想 要 coffee, never c o f f e e. Unlike
    AudioBench's splitter, a Latin word written against a Han character is not glued to it."""
    return [token for word in words for token in _HAN_OR_WORD.findall(word)]


@dataclass(frozen=True)
class AsrScorer:
    """`normalizer="qwen"`: Qwen's pipeline (asr_normalize); `"none"`: the strings split on whitespace as given.
    `unit="cer"` scores the characters of the tokens (whitespace never counts), `"wer"` the tokens, `"mixed"`
    Han characters one by one and other words whole (mixed error rate, for code-switched transcripts; the
    Chinese normalizer then keeps the spaces between words, which it otherwise removes)."""

    language: str
    unit: str
    normalizer: str = "qwen"
    name: str = "asr"
    lower_is_better: bool = True
    official_denominator: ClassVar[str] = "every utterance (a failed one counts as an empty hypothesis)"

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        if self.normalizer not in NORMALIZERS:
            raise ValueError(f"normalizer must be one of {NORMALIZERS}, got {self.normalizer!r}")

    @property
    def metric(self) -> str:
        return METRIC_OF_UNIT[self.unit]

    def tokens(self, text: str) -> list[str]:
        if self.normalizer == "qwen":
            words = qwen_asr_tokens(text, self.language, keep_word_spaces=self.unit == "mixed")
        else:
            words = text.split()
        if self.unit == "cer":
            return list("".join(words))
        return mixed_tokens(words) if self.unit == "mixed" else words

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        # A failed sample is scored as an empty hypothesis: its reference words all count as deletions.
        ref = self.tokens(item.reference)
        hyp = self.tokens(item.prediction) if item.prediction is not None else []
        # Tokens hold no whitespace, so joining on spaces hands jiwer exactly these tokens.
        out = jiwer.process_words(" ".join(ref), " ".join(hyp))
        return SampleScore(
            sample_id=item.sample_id,
            stats={"errors": out.substitutions + out.deletions + out.insertions, "ref_tokens": len(ref)},
            extracted=" ".join(hyp),
            failed=item.prediction is None,
            categories=item.categories,
            detail={"reference": " ".join(ref), "substitutions": out.substitutions, "deletions": out.deletions,
                    "insertions": out.insertions},
        )

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """Error rate in %; NaN when the scores hold no reference token (the official script would divide by 0)."""
        ref_tokens = sum(s.stats["ref_tokens"] for s in scores)
        errors = sum(s.stats["errors"] for s in scores)
        return 100.0 * errors / ref_tokens if ref_tokens else math.nan


@register_scorer("asr")
def build_asr_scorer(language: str, unit: str | None = None, normalizer: str = "qwen") -> AsrScorer:
    """`unit` None: CER for CER_LANGUAGES, WER otherwise; "mixed" for code-switched Mandarin-English."""
    return AsrScorer(language=language, unit=unit or default_unit(language), normalizer=normalizer)
