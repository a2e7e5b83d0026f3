"""Corpus WER / CER: total edit distance over total reference tokens, so any subset re-aggregates exactly.

Follows QwenLM/Qwen2-Audio eval_audio/evaluate_asr.py compute_wer @ 10cb8d83aabc36ad06f2d3381290989bc5a9c46f
(edit distance per utterance summed, divided by summed reference length), with jiwer for the edit distance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer

from evalkit.scoring.asr_normalize import qwen_asr_tokens
from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

# Scored per character by default (PROTOCOLS.md). Qwen's script itself splits only zh and yue into characters;
# ja/ko/th as CER is the common practice the protocol adopts, so a config may override `unit` per language.
CER_LANGUAGES = frozenset({"zh", "yue", "ja", "ko", "th"})
NORMALIZERS = ("qwen", "none")
UNITS = ("wer", "cer")


def default_unit(language: str) -> str:
    return "cer" if language in CER_LANGUAGES else "wer"


@dataclass(frozen=True)
class AsrScorer:
    """`normalizer="qwen"`: Qwen's pipeline (asr_normalize); `"none"`: the strings split on whitespace as given.
    `unit="cer"` scores the characters of the tokens (whitespace never counts), `"wer"` the tokens."""

    language: str
    unit: str
    normalizer: str = "qwen"
    name: str = "asr"
    lower_is_better: bool = True

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        if self.normalizer not in NORMALIZERS:
            raise ValueError(f"normalizer must be one of {NORMALIZERS}, got {self.normalizer!r}")

    @property
    def metric(self) -> str:
        return self.unit.upper()

    def tokens(self, text: str) -> list[str]:
        words = qwen_asr_tokens(text, self.language) if self.normalizer == "qwen" else text.split()
        return list("".join(words)) if self.unit == "cer" else words

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
    """`unit` None: CER for CER_LANGUAGES, WER otherwise."""
    return AsrScorer(language=language, unit=unit or default_unit(language), normalizer=normalizer)
