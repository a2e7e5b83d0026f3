"""Music tagging from free text: GTZAN genre accuracy, MTG-Jamendo and MagnaTagATune micro-F1.

No official script turns a chat model's free text into tags (the paper does not say how Qwen did it), so the
parsing is evalkit's, an explicit scorer option recorded with every run:
- `parsing: mention` (default): a tag is predicted when its name occurs in the response as whole words, after
  normalising both (lower case; punctuation and "_" read as spaces, so "hip-hop" is "hip hop"; runs of spaces
  collapsed); longer tag names
  are matched first and their words are not matched again ("pop rock" predicts "pop rock", not also "rock");
- `parsing: list`: the response is split at commas, semicolons, newlines and " and ", and each piece that
  normalises to exactly a tag name is predicted (stricter: prose around the tags predicts nothing).
Names outside the clip's vocabulary (the tag names its prompt lists, carried by its reference) are ignored.
Micro-F1 sums true positives, false positives and false negatives over every clip (scikit-learn's
`f1_score(average="micro")` on the multi-hot matrices), so a clip with no prediction adds its labels as false
negatives. GTZAN's single genre is the vocabulary name mentioned earliest in the response.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, failed_score
from evalkit.scoring.registry import register_scorer

PARSINGS = ("mention", "list")
_NON_WORD = re.compile(r"[^\w\s]|_")
_LIST_SPLIT = re.compile(r"[,;\n]| and ")


def normalise(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class TagParser:
    vocabulary: tuple[str, ...]  # tag names as the labels spell them
    parsing: str = "mention"

    def mentions(self, response: str) -> list[tuple[int, str]]:
        """(position, tag) for each vocabulary tag the response names, in the order of `parsing`."""
        if self.parsing == "list":
            by_name = {normalise(tag): tag for tag in self.vocabulary}
            pieces = [normalise(piece) for piece in _LIST_SPLIT.split(response)]
            return [(i, by_name[p]) for i, p in enumerate(pieces) if p in by_name]
        text = f" {normalise(response)} "
        found: list[tuple[int, str]] = []
        for tag in sorted(self.vocabulary, key=lambda t: -len(normalise(t))):
            needle = f" {normalise(tag)} "
            position = text.find(needle)
            if position >= 0:
                found.append((position, tag))
                text = text.replace(needle, " " + "\x00" * (len(needle) - 2) + " ")  # not matched again
        return sorted(found)

    def tags(self, response: str) -> set[str]:
        return {tag for _, tag in self.mentions(response)}


@dataclass(frozen=True)
class TagReference:
    """A clip's true tags and the vocabulary its prompt offered (GTZAN: one genre of ten)."""

    labels: tuple[str, ...]
    vocabulary: tuple[str, ...]

    @classmethod
    def of(cls, reference: TagReference | Mapping[str, Any]) -> TagReference:
        """The reference itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, TagReference):
            return reference
        return cls(tuple(reference["labels"]), tuple(reference["vocabulary"]))


@register_scorer("music_tags")
class MusicTagScorer:
    """Reference: a TagReference. Option: `parsing`."""

    name = "music_tags"
    metric = "micro_f1"
    lower_is_better = False
    official_denominator = "every clip (no prediction: its labels are false negatives)"

    def __init__(self, parsing: str = "mention") -> None:
        if parsing not in PARSINGS:
            raise ValueError(f"{self.name} scorer: parsing={parsing!r}; valid: {', '.join(PARSINGS)}")
        self.parsing = parsing

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreInput) -> SampleScore:
        reference = TagReference.of(item.reference)
        labels = set(reference.labels)
        parser = TagParser(reference.vocabulary, self.parsing)
        predicted = set() if item.prediction is None else parser.tags(item.prediction)
        stats: Mapping[str, float] = {"tp": len(predicted & labels), "fp": len(predicted - labels),
                                      "fn": len(labels - predicted)}
        return SampleScore(item.sample_id, stats, extracted=", ".join(sorted(predicted)),
                           failed=item.prediction is None, categories=item.categories)

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        tp, fp, fn = (sum(s.stats[k] for s in scores) for k in ("tp", "fp", "fn"))
        return 100.0 * 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


@register_scorer("music_genre")
class MusicGenreScorer(AccuracyScorer):
    """Single-label genre accuracy: the genre named earliest in the response against the clip's genre."""

    name = "music_genre"
    parsing: str
    __init__ = MusicTagScorer.__init__

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [failed_score(item) if item.prediction is None else self._score_one(item, item.prediction)
                for item in items]

    def _score_one(self, item: ScoreInput, answer: str) -> SampleScore:
        reference = TagReference.of(item.reference)
        mentions = TagParser(reference.vocabulary, self.parsing).mentions(answer)
        genre = mentions[0][1] if mentions else None
        return SampleScore(item.sample_id, {"correct": float((genre,) == reference.labels), "total": 1.0},
                           extracted=genre, categories=item.categories)
