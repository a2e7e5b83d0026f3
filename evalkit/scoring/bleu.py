"""Corpus BLEU from summed per-sample sacrebleu statistics (n-gram matches and totals, hypothesis and reference
lengths), so any subset re-aggregates to exactly what sacrebleu.corpus_bleu gives on it.

Follows QwenLM/Qwen2-Audio eval_audio/evaluate_st.py @ 10cb8d83aabc36ad06f2d3381290989bc5a9c46f (sacrebleu
corpus_bleu, default settings, raw outputs, tokenizer by target language; Qwen pinned sacrebleu 1.5.1, whose
numbers sacrebleu 2.x reproduces for these tokenizers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from sacrebleu.metrics import BLEU

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

MAX_NGRAM = 4
# Items of a scorer without a fixed target language carry theirs in this category.
TARGET_LANGUAGE_KEY = "target_language"


def tokenizer_for(target_language: str) -> str:
    """evaluate_st.py: ja -> ja-mecab, zh -> zh, anything else -> 13a."""
    return {"ja": "ja-mecab", "zh": "zh"}.get(target_language, "13a")


@cache
def _bleu(tokenizer: str) -> BLEU:
    return BLEU(tokenize=tokenizer)  # built once: ja-mecab loads MeCab's dictionary


@dataclass(frozen=True)
class BleuScorer:
    """`target_language` None: each item's categories["target_language"] picks its tokenizer (mixed-pair files)."""

    target_language: str | None = None
    name: str = "bleu"
    metric: str = "BLEU"
    lower_is_better: bool = False
    official_denominator: ClassVar[str] = "every utterance (a failed one counts as an empty hypothesis)"

    def _target_language(self, item: ScoreInput) -> str:
        language = self.target_language or item.categories.get(TARGET_LANGUAGE_KEY)
        if not language:
            raise ValueError(f"sample {item.sample_id}: no target_language option and no "
                             f"{TARGET_LANGUAGE_KEY!r} category to choose the BLEU tokenizer")
        return language

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        # A failed sample is scored as an empty hypothesis: it adds reference length and no matches.
        hypothesis = item.prediction if item.prediction is not None else ""
        references = [item.reference] if isinstance(item.reference, str) else list(item.reference)
        bleu = _bleu(tokenizer_for(self._target_language(item)))
        one = bleu.corpus_score([hypothesis], [[r] for r in references])
        stats = {"sys_len": one.sys_len, "ref_len": one.ref_len}
        for n in range(MAX_NGRAM):
            stats[f"correct_{n + 1}"] = one.counts[n]
            stats[f"total_{n + 1}"] = one.totals[n]
        return SampleScore(sample_id=item.sample_id, stats=stats, failed=item.prediction is None,
                           categories=item.categories)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """sacrebleu's corpus formula (exp smoothing, as corpus_bleu's default) on the summed statistics."""
        def total(key: str) -> int:
            return int(sum(s.stats[key] for s in scores))

        return BLEU.compute_bleu(
            correct=[total(f"correct_{n + 1}") for n in range(MAX_NGRAM)],
            total=[total(f"total_{n + 1}") for n in range(MAX_NGRAM)],
            sys_len=total("sys_len"),
            ref_len=total("ref_len"),
            smooth_method="exp",
        ).score


@register_scorer("bleu")
def build_bleu_scorer(target_language: str | None = None) -> BleuScorer:
    return BleuScorer(target_language=target_language)
