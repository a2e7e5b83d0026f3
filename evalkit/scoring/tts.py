"""Scoring spoken answers (SEED-TTS eval, BytedanceSpeech/seed-tts-eval @ 95003fe, run_wer.py, average_wer.py,
UniSpeech speaker_verification/average.py): what was heard (evalkit.listening) against what was to be said.

WER, per utterance, then the plain mean over utterances (not the corpus ratio):
- punctuation removed: every character of zhon.hanzi.punctuation and string.punctuation except the apostrophe;
- one pass of "  " -> " ";
- zh: every remaining character is a token (CER; spaces fall away in the split); en: lower-cased words;
- jiwer's measures on the two strings; an utterance's WER is (S + D + I) / reference tokens.
Languages the official script does not handle follow the same rules: ja and ko by character like zh (they write
no spaces between words), de (and any other) by lower-cased word like en; that choice is evalkit's.
Speaker similarity: the cosine of the two speaker embeddings per utterance, averaged.

Denominator: the official scripts skip an utterance without a generated WAV (get_wav_res_ref_text.py and run_wer.py
test `os.path.exists`), so a failed sample is excluded from the official number; the strict number counts it as
WER 1 (100 %) / similarity 0. In `proxy` mode the metric is named `proxy_*`, which no published column carries.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import jiwer

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

CHARACTER_LANGUAGES = frozenset({"zh", "ja", "ko"})
MODES = ("official", "proxy")
PROXY_PREFIX = "proxy_"
_OFFICIAL_DENOMINATOR = "utterances with generated audio (the official scripts skip a missing WAV)"


def _punctuation() -> str:
    from zhon.hanzi import punctuation

    return "".join(c for c in punctuation + string.punctuation if c != "'")


def seedtts_tokens(text: str, language: str) -> list[str]:
    """SEED-TTS eval's normalisation, as tokens."""
    for mark in _punctuation():
        text = text.replace(mark, "")
    text = text.replace("  ", " ")
    if language in CHARACTER_LANGUAGES:
        return [c for c in text if not c.isspace()]
    return text.lower().split()


def utterance_wer(reference: str, hypothesis: str, language: str) -> float:
    ref, hyp = seedtts_tokens(reference, language), seedtts_tokens(hypothesis, language)
    if not ref:  # jiwer refuses an empty reference; nothing to say is said right only by silence
        return 0.0 if not hyp else 1.0
    out = jiwer.process_words(" ".join(ref), " ".join(hyp) if hyp else "")
    return (out.substitutions + out.deletions + out.insertions) / len(ref)


def is_proxy_metric(metric: str) -> bool:
    """A number measured with proxy listeners: another instrument than the paper's, never in its column."""
    return metric.startswith(PROXY_PREFIX)


def _reference_text(reference: object) -> str:
    return reference["text"] if isinstance(reference, dict) else str(reference)


@dataclass(frozen=True)
class _SpokenAnswerScorer:
    """What the two scorers share: the listening mode names the metric, and the number is a mean per utterance of
    `stat` (times `scale`)."""

    mode: str
    base_metric: ClassVar[str]
    stat: ClassVar[str]
    scale: ClassVar[float]
    official_denominator: ClassVar[str] = _OFFICIAL_DENOMINATOR

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r} (speech_eval.mode)")

    @property
    def metric(self) -> str:
        return self.base_metric if self.mode == "official" else PROXY_PREFIX + self.base_metric

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        """The mean over utterances in the paper's units; NaN for no utterance."""
        n = sum(s.stats["utterances"] for s in scores)
        return self.scale * sum(s.stats[self.stat] for s in scores) / n if n else math.nan


@dataclass(frozen=True)
class TtsWerScorer(_SpokenAnswerScorer):
    language: str = "en"
    name: ClassVar[str] = "tts_wer"
    lower_is_better: ClassVar[bool] = True
    base_metric: ClassVar[str] = "wer"
    stat: ClassVar[str] = "wer"
    scale: ClassVar[float] = 100.0  # %

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        reference = _reference_text(item.reference)
        if item.prediction is None:  # no audio (failed), or audio no recogniser of this mode could hear
            unheard = bool(item.measurements.get("unheard"))
            detail = {"reference": reference, **({"not_heard": "no recogniser for this language"} if unheard else {})}
            return SampleScore(item.sample_id, {"wer": 1.0, "utterances": 1}, failed=not unheard, excluded=True,
                               categories=item.categories, detail=detail)  # fmt: skip
        wer = utterance_wer(reference, item.prediction, self.language)
        return SampleScore(item.sample_id, {"wer": wer, "utterances": 1}, extracted=item.prediction,
                           categories=item.categories, detail={"reference": reference})  # fmt: skip


@dataclass(frozen=True)
class SpeakerSimilarityScorer(_SpokenAnswerScorer):
    name: ClassVar[str] = "speaker_similarity"
    lower_is_better: ClassVar[bool] = False
    base_metric: ClassVar[str] = "speaker_similarity"
    stat: ClassVar[str] = "similarity"
    scale: ClassVar[float] = 1.0  # cosine, -1..1, as the paper prints it

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        scores = []
        for item in items:
            similarity = item.measurements.get("similarity")
            if similarity is None:
                scores.append(SampleScore(item.sample_id, {"similarity": 0.0, "utterances": 1}, failed=True,
                                          excluded=True, categories=item.categories))  # fmt: skip
            else:
                scores.append(SampleScore(item.sample_id, {"similarity": similarity, "utterances": 1},
                                          extracted=f"{similarity:.4f}", categories=item.categories))  # fmt: skip
        return scores


@register_scorer("tts_wer")
def build_tts_wer(language: str, mode: str = "proxy") -> TtsWerScorer:
    return TtsWerScorer(mode=mode, language=language)


@register_scorer("speaker_similarity")
def build_speaker_similarity(mode: str = "proxy", language: str | None = None) -> SpeakerSimilarityScorer:
    """`language` is accepted (a multilingual task names it for both of its scorers) and does not matter here."""
    return SpeakerSimilarityScorer(mode=mode)
