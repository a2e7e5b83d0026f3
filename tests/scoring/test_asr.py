import math

import pytest

from evalkit.scoring.asr import AsrScorer, build_asr_scorer, default_unit
from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.registry import build_scorer


def _items(*pairs, source=None):
    cats = {"source": source} if source else {}
    return [ScoreInput(str(i), hyp, ref, cats) for i, (ref, hyp) in enumerate(pairs)]


def test_one_insertion_in_three_words():
    scorer = AsrScorer(language="en", unit="wer")
    [s] = scorer.score(_items(("The cat sat.", "the cat sat down")))
    assert s.stats == {"errors": 1, "ref_tokens": 3}
    assert s.detail["insertions"] == 1
    assert scorer.aggregate([s]) == pytest.approx(100 / 3)


def test_corpus_rate_is_not_a_mean_of_utterance_rates():
    scorer = AsrScorer(language="fr", unit="wer")
    scores = scorer.score(_items(("un", "deux"), ("a b c d e f g h i", "a b c d e f g h i")))
    assert scorer.aggregate(scores) == pytest.approx(10.0)  # 1 error / 10 words, not mean(100%, 0%) = 50%


def test_cer_counts_characters_without_spaces():
    scorer = AsrScorer(language="zh", unit="cer")
    [s] = scorer.score(_items(("我有三个苹果", "我有 3 个苹果。")))
    assert s.stats == {"errors": 0, "ref_tokens": 6}
    [s] = scorer.score(_items(("我有三个苹果", "我有两个苹果")))
    assert s.stats == {"errors": 1, "ref_tokens": 6}


@pytest.mark.parametrize(("language", "unit"), [("zh", "cer"), ("yue", "cer"), ("ja", "cer"), ("ko", "cer"),
                                                ("th", "cer"), ("en", "wer"), ("fr", "wer")])
def test_default_unit(language, unit):
    assert default_unit(language) == unit
    assert build_asr_scorer(language).unit == unit


def test_unit_is_configurable():
    scorer = build_scorer("asr", language="ja", unit="wer")
    assert (scorer.unit, scorer.metric) == ("wer", "WER")
    assert build_scorer("asr", language="ja").metric == "CER"


def test_normalizer_none_scores_strings_as_given():
    pair = ("hello world", "Hello, world")
    assert AsrScorer(language="en", unit="wer").score(_items(pair))[0].stats["errors"] == 0
    none = AsrScorer(language="en", unit="wer", normalizer="none")
    assert none.score(_items(pair))[0].stats == {"errors": 1, "ref_tokens": 2}  # "Hello," != "hello"
    cer = AsrScorer(language="en", unit="cer", normalizer="none")
    assert cer.score(_items(("ab cd", "ab  cx")))[0].stats == {"errors": 1, "ref_tokens": 4}


def test_failed_prediction_counts_all_reference_words_as_deleted():
    [s] = AsrScorer(language="en", unit="wer").score([ScoreInput("x", None, "cat dog")])
    assert s.failed and s.stats == {"errors": 2, "ref_tokens": 2} and s.detail["deletions"] == 2


def test_empty_reference_counts_insertions_and_nan_alone():
    scorer = AsrScorer(language="en", unit="wer")
    [s] = scorer.score(_items(("", "Thank you.")))
    assert s.stats == {"errors": 2, "ref_tokens": 0}
    assert math.isnan(scorer.aggregate([s]))
    assert math.isnan(scorer.aggregate([]))


def test_subsets_reaggregate_by_source():
    scorer = AsrScorer(language="en", unit="wer")
    scores = scorer.score(_items(("a b", "a c"), source="s1") + _items(("a b c d", "a b c d"), source="s2"))
    agg = aggregate_with_categories(scorer, scores)
    assert agg.value == pytest.approx(100 / 6)
    assert agg.by_category == {"s1": pytest.approx(50.0), "s2": 0.0}


@pytest.mark.parametrize("options", [{"unit": "ser"}, {"normalizer": "whisper"}])
def test_invalid_options(options):
    with pytest.raises(ValueError):
        build_asr_scorer("en", **options)


def test_mixed_unit_keeps_latin_words_whole_and_splits_han_characters():
    # ref 我 想 要 a large coffee (6 tokens); hyp 我 要 a big coffee: 想 deleted, large -> big: 2 errors
    scorer = AsrScorer(language="zh", unit="mixed", normalizer="none")
    [s] = scorer.score(_items(("我想要 a large coffee", "我要 a big coffee")))
    assert s.detail["reference"] == "我 想 要 a large coffee"
    assert (s.stats, s.detail["deletions"], s.detail["substitutions"]) == ({"errors": 2, "ref_tokens": 6}, 1, 1)
    assert scorer.metric == "MER" and scorer.aggregate([s]) == pytest.approx(100 * 2 / 6)
    # per character the same pair is 15 reference characters and 5 edits (想; large -> big is 4)
    per_character = AsrScorer(language="zh", unit="cer", normalizer="none")
    [c] = per_character.score(_items(("我想要 a large coffee", "我要 a big coffee")))
    assert c.stats == {"errors": 5, "ref_tokens": 15}


def test_mixed_unit_with_qwen_normalizer_keeps_word_boundaries():
    # the Chinese normalizer drops punctuation and case; in mixed mode it keeps the spaces between words
    scorer = build_scorer("asr", language="zh", unit="mixed")
    [s] = scorer.score(_items(("我想要 A large coffee，不要糖。", "我想要alarge coffee不要糖")))
    assert s.detail["reference"] == "我 想 要 a large coffee 不 要 糖"
    assert s.extracted == "我 想 要 alarge coffee 不 要 糖"
    assert s.stats == {"errors": 2, "ref_tokens": 9}  # "a large" -> "alarge": one substitution, one deletion
