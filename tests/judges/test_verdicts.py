"""Verdict parsers on texts whose verdicts are known; each fails rather than guesses."""

from __future__ import annotations

import pytest

from evalkit.judges.official import CREATIVE_WRITING_V3
from evalkit.judges.verdicts import Unparsable, parse_verdict


@pytest.mark.parametrize(("parser", "text", "verdict"), [
    ("extracted_answer", "  14 \n", "14"),
    ("rating_1_to_10", "Rating: [[7]] and later [[2]]", 7.0),
    ("score_1_to_5", "4", 4.0),
    ("score_1_to_5", "Score: [[5]]", 5.0),
    ("yes_no", "Yes.", "yes"),
    ("pairwise_label", "first [[A>B]] then my final verdict: [[b>>a]]", "B>>A"),
    ("pairwise_label", "verdict [A=B]", "A=B"),
    ("json_score_1_to_10", '```json\n{"score": 8, "reason": "clear"}\n```', 8.0),
])
def test_known_verdicts(parser: str, text: str, verdict) -> None:
    assert parse_verdict(parser, text, {}) == verdict


@pytest.mark.parametrize(("parser", "text"), [
    ("extracted_answer", "   "),
    ("rating_1_to_10", "Rating: 7"),
    ("score_1_to_5", "6"),
    ("yes_no", "maybe"),
    ("pairwise_label", "[[C>A]]"),
    ("json_score_1_to_10", '{"score": 11, "reason": "x"}'),
    ("json_score_1_to_10", '{"score": 7}'),
    ("rubric_0_to_20", "no scores here"),
])
def test_unparsable(parser: str, text: str) -> None:
    with pytest.raises(Unparsable):
        parse_verdict(parser, text, {})


def test_creative_writing_rubric_inverts_lower_is_better() -> None:
    text = "[Scores]\n\nElegant Prose: 16\n\nPurple Prose: 4\n\nCoherent: [18]\n\nOverwrought: 30\n\nAmateurish: -2\n"
    # Overwrought 30 > 20 is dropped, so is Amateurish (lower is better: 20 - -2 = 22 > 20); Purple Prose is
    # lower-is-better: 20 - 4 = 16; mean(16, 16, 18)
    options = dict(CREATIVE_WRITING_V3.verdict_options)
    assert parse_verdict("rubric_0_to_20", text, options) == pytest.approx(50 / 3)
