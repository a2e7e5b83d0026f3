"""The audio and audio-visual benchmarks' scorers against their official scripts.

Each case under tests/fixtures/official_cases/ is evalkit's own: made-up responses (letters, sentences, tagged
answers, option text, blanks) over the benchmark's real question set where a public repository ships it (Daily-Omni
qa.json, RUL-MuchoMusic.json: their first 300 questions), or over synthetic questions where the questions live
only on the hub (Video-Holmes, MMSU). `official_accuracy` is what the official script printed for the case, run
in a scratch folder outside this repository (its source named in the case's `source`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.music_tags import TagReference
from evalkit.scoring.registry import build_scorer

CASES = Path(__file__).parents[1] / "fixtures" / "official_cases"


def _case(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text())


def _letter_items(case: dict) -> list[ScoreInput]:
    return [ScoreInput(i["id"], i["response"], i["answer"]) for i in case["items"]]


def _option_items(case: dict) -> list[ScoreInput]:
    return [ScoreInput(i["id"], i["response"], ChoiceQuestion(i["answer"], i["options"])) for i in case["items"]]


@pytest.mark.parametrize(("scorer", "items"), [("dailyomni", _letter_items), ("videoholmes", _letter_items),
                                               ("rul_muchomusic", _option_items), ("mmsu", _option_items)])
def test_official_script_accuracy(scorer, items):
    case = _case(scorer)
    result = aggregate_with_categories(build_scorer(scorer), build_scorer(scorer).score(items(case)))
    assert result.value == pytest.approx(case["official_accuracy"], abs=1e-9)
    if "official_total" in case:  # MMSU skips responses in the wrong format
        assert result.denominator == case["official_total"]


def test_dailyomni_leading_letter_quirks_and_failed_items():
    scorer = build_scorer("dailyomni")
    items = [ScoreInput("a", "Based on the video, C", "B"), ScoreInput("b", "assistant\n c) the dog", "C"),
             ScoreInput("c", "The answer is C", "C"), ScoreInput("d", None, "A")]
    scores = scorer.score(items)
    assert [s.stats["correct"] for s in scores] == [1.0, 1.0, 0.0, 0.0]  # "Based" reads as B
    assert scores[3].failed and scores[3].excluded  # the script skips an item whose inference failed


def test_videoholmes_letter_order_not_position():
    scorer = build_scorer("videoholmes")
    items = [ScoreInput("a", "<think>B is tempting</think><answer>C: the butler</answer>", "C"),
             ScoreInput("b", "I pick D. Anna lied", "D"), ScoreInput("c", "none", "A")]
    assert [s.extracted for s in scorer.score(items)] == ["C", "A", None]


def test_worldsense_removes_answer_prefix_and_counts_every_question():
    scorer = build_scorer("worldsense")
    items = [ScoreInput("a", "Answer: B", "B"), ScoreInput("b", "It is the dog.", "A"), ScoreInput("c", None, "C")]
    result = aggregate_with_categories(scorer, scorer.score(items))
    # Video-MME's prefixes keep "Answer:", whose "A" would win; WorldSense's remove it. No letter: wrong, counted.
    assert [s.extracted for s in scorer.score(items)][:2] == ["B", None]
    assert (result.value, result.denominator) == (pytest.approx(100 / 3), 3)


def test_music_tags_micro_f1_by_hand():
    vocabulary = ("rock", "pop", "pop rock", "piano", "electronic")
    items = [ScoreInput("a", "A pop rock song with piano.", TagReference(("pop rock", "piano"), vocabulary)),
             ScoreInput("b", "electronic, rock", TagReference(("electronic",), vocabulary)),
             ScoreInput("c", None, TagReference(("pop",), vocabulary))]
    scorer = build_scorer("music_tags")
    # tp = 2 + 1, fp = 1 (rock), fn = 1 (the failed clip's pop): F1 = 6 / (6 + 1 + 1)
    assert scorer.aggregate(scorer.score(items)) == pytest.approx(75.0)
    strict = build_scorer("music_tags", parsing="list")
    # "A pop rock song with piano." is one list piece naming no tag exactly: tp 1, fp 1, fn 2 + 1
    assert strict.aggregate(strict.score(items)) == pytest.approx(100 * 2 / (2 + 1 + 3))


def test_music_genre_takes_the_earliest_mention():
    vocabulary = ("blues", "rock", "hiphop", "jazz")
    scorer = build_scorer("music_genre")
    items = [ScoreInput("a", "Jazz, with some rock influence", TagReference(("jazz",), vocabulary)),
             ScoreInput("b", "It sounds like hip-hop", TagReference(("hiphop",), vocabulary))]
    assert [s.extracted for s in scorer.score(items)] == ["jazz", None]  # "hip hop" is not the label "hiphop"
    assert scorer.aggregate(scorer.score(items)) == 50.0


def test_unknown_parsing_is_refused():
    with pytest.raises(ValueError, match="parsing='guess'"):
        build_scorer("music_tags", parsing="guess")
