"""Tag parsing options, GTZAN-style accuracy and micro-F1 against scikit-learn's definition worked by hand."""

from __future__ import annotations

import pytest

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.tagging import TagAccuracyScorer, TagMicroF1Scorer, normalize_tag, parse_tags

LABELS = ["rock", "hip-hop", "hip", "jazz", "classical"]


def test_normalize_tag() -> None:
    assert normalize_tag("  Hip-Hop!! ") == "hip hop"


def test_parse_mention_order_and_longest() -> None:
    assert parse_tags("Mostly Hip-Hop, some jazz and rock", LABELS, "mention") == ["hip-hop", "hip", "jazz", "rock"]
    assert parse_tags("jazzy rockabilly", LABELS, "mention") == []  # whole words only


def test_parse_split() -> None:
    assert parse_tags("jazz; Rock / unknown\nrock", LABELS, "split") == ["jazz", "rock"]
    assert parse_tags("I think jazz", LABELS, "split") == []  # a piece must be exactly a label
    with pytest.raises(ValueError):
        parse_tags("jazz", LABELS, "other")  # type: ignore[arg-type]


def test_tag_accuracy() -> None:
    items = [
        ScoreInput("1", "This is jazz.", "jazz"),
        ScoreInput("2", "Sounds like rock, maybe jazz", "jazz"),  # first mention wins: rock
        ScoreInput("3", "no idea", "rock"),
        ScoreInput("4", None, "classical"),
    ]
    scorer = TagAccuracyScorer()  # vocabulary from the references
    scores = scorer.score(items)
    assert [s.extracted for s in scores] == ["jazz", "rock", None, None]
    assert scorer.aggregate(scores) == 25.0 and scores[3].failed


def test_tag_micro_f1_by_hand() -> None:
    items = [
        ScoreInput("1", "rock, jazz", ["rock"]),  # tp 1, fp 1
        ScoreInput("2", "classical", ["classical", "jazz"]),  # tp 1, fn 1
        ScoreInput("3", None, ["rock"]),  # fn 1
    ]
    scorer = TagMicroF1Scorer(labels=LABELS, parse="split")
    scores = scorer.score(items)
    assert [dict(s.stats) for s in scores] == [{"tp": 1, "fp": 1, "fn": 0}, {"tp": 1, "fp": 0, "fn": 1},
                                                {"tp": 0, "fp": 0, "fn": 1}]
    # micro-F1 = 2 tp / (2 tp + fp + fn) = 4 / (4 + 1 + 2)
    assert scorer.aggregate(scores) == pytest.approx(100 * 4 / 7)
    assert scorer.aggregate([]) == 0.0
