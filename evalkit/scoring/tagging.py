"""Music classification and tagging: GTZAN accuracy, MTG-Jamendo / MagnaTagATune micro-F1.

No official script turns a model's free text into labels (PROTOCOLS.md: unknown), so the parse is a named option:
  "mention": every label whose words appear as a whole phrase in the normalized text (single-label: the earliest);
  "split":   the text split on commas, semicolons, slashes and newlines; pieces equal to a label are kept.
Micro-F1 follows scikit-learn's f1_score(average="micro") over the label vocabulary.
"""

from __future__ import annotations

import re
from typing import Literal, Sequence

from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.choice import AccuracyScorer, failed_score, graded
from evalkit.scoring.registry import register_scorer

TagParse = Literal["mention", "split"]


def normalize_tag(text: str) -> str:
    """Lower-case; anything but letters and digits becomes one space ("Hip-Hop" -> "hip hop")."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def parse_tags(text: str, labels: Sequence[str], parse: TagParse) -> list[str]:
    """Labels named in `text`, in order of first appearance, each once."""
    normalized_labels = {normalize_tag(label): label for label in labels}
    if parse == "split":
        pieces = [normalize_tag(p) for p in re.split(r"[,;/\n]", text)]
        return list(dict.fromkeys(normalized_labels[p] for p in pieces if p in normalized_labels))
    if parse != "mention":
        raise ValueError(f"parse must be 'mention' or 'split', got {parse!r}")
    padded = f" {normalize_tag(text)} "
    found = [(padded.find(f" {key} "), label) for key, label in normalized_labels.items() if f" {key} " in padded]
    # Earliest mention first; at one position the longer label wins ("hip hop" over "hip").
    found.sort(key=lambda pair: (pair[0], -len(pair[1])))
    return [label for _, label in found]


def _vocabulary(items: Sequence[ScoreInput], labels: Sequence[str] | None) -> list[str]:
    """Given labels, or every label seen in the references."""
    if labels is not None:
        return list(labels)
    seen = (tag for item in items for tag in ([item.reference] if isinstance(item.reference, str) else item.reference))
    return sorted(set(seen))


@register_scorer("tag_accuracy")
class TagAccuracyScorer(AccuracyScorer):
    """Single-label accuracy (GTZAN): the first label parsed from the text must equal the reference label."""

    name = "tag_accuracy"

    def __init__(self, labels: Sequence[str] | None = None, parse: TagParse = "mention") -> None:
        self.labels = labels
        self.parse = parse

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        vocabulary = _vocabulary(items, self.labels)
        scores = []
        for item in items:
            if item.prediction is None:
                scores.append(failed_score(item))
                continue
            tags = parse_tags(item.prediction, vocabulary, self.parse)
            label = tags[0] if tags else None
            scores.append(graded(item, label == item.reference, label))
        return scores


@register_scorer("tag_micro_f1")
class TagMicroF1Scorer:
    """Multi-label micro-F1 in % (MTG-Jamendo, MagnaTagATune). References are lists of labels. Per-sample stats
    keep tp/fp/fn (additive); `aggregate` hands the tag sets to scikit-learn."""

    name = "tag_micro_f1"
    metric = "micro-F1"
    lower_is_better = False

    def __init__(self, labels: Sequence[str] | None = None, parse: TagParse = "mention") -> None:
        self.labels = labels
        self.parse = parse

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        vocabulary = _vocabulary(items, self.labels)
        scores = []
        for item in items:
            predicted = [] if item.prediction is None else parse_tags(item.prediction, vocabulary, self.parse)
            reference = sorted(set(item.reference))
            hits = len(set(predicted) & set(reference))
            scores.append(SampleScore(
                sample_id=item.sample_id,
                stats={"tp": hits, "fp": len(predicted) - hits, "fn": len(reference) - hits},
                extracted=", ".join(predicted),
                failed=item.prediction is None,
                categories=item.categories,
                detail={"predicted": predicted, "reference": reference},
            ))
        return scores

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        if not scores:
            return 0.0
        binarizer = MultiLabelBinarizer()
        binarizer.fit([s.detail["predicted"] for s in scores] + [s.detail["reference"] for s in scores])
        y_true = binarizer.transform([s.detail["reference"] for s in scores])
        y_pred = binarizer.transform([s.detail["predicted"] for s in scores])
        return 100.0 * float(f1_score(y_true, y_pred, average="micro", zero_division=0.0))
