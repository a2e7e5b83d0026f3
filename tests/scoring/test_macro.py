"""The plain mean over groups (Fleurs avg19, S2TT en2xx ...): hand-computed answers, the per-group breakdown, and
the bootstrap's fast path (the value recomputed from summed stats equals the value from the samples)."""

import math

import numpy as np
import pytest

from evalkit.scoring.base import ScoreInput, aggregate_with_categories
from evalkit.scoring.bleu import BleuScorer
from evalkit.scoring.macro import MacroAverage
from evalkit.scoring.registry import build_scorer
from evalkit.stats import _aggregates_summed_stats

ASR_GROUPS = {"en": {"language": "en", "unit": "wer"}, "zh": {"language": "zh", "unit": "cer"}}
ITEMS = [
    ScoreInput("en/1", "a b x d", "a b c d", {"language": "en"}),  # 1 of 4 words wrong
    ScoreInput("zh/1", "猫坐垫", "猫坐在垫", {"language": "zh"}),  # 1 of 4 characters deleted
    ScoreInput("zh/2", "今天下雨", "今天下雨了", {"language": "zh"}),  # 1 of 5 deleted
    ScoreInput("en/2", None, "e f", {"language": "en"}),  # failed: 2 deletions
]


def asr_macro():
    return build_scorer("macro", group_key="language", scorer="asr", groups=ASR_GROUPS)


def test_hand_computed_mean_of_per_language_corpus_rates():
    scorer = asr_macro()
    scores = scorer.score(ITEMS)
    # en: (1 + 2) / (4 + 2) = 50 %; zh: (1 + 1) / (4 + 5) = 22.2 %; mean 36.1 %, not the pooled 5 / 15 = 33.3 %
    assert scorer.group_values(scores) == pytest.approx({"en": 50.0, "zh": 200 / 9})
    assert scorer.aggregate(scores) == pytest.approx((50.0 + 200 / 9) / 2)
    assert scorer.metric == "mean CER/WER" and scorer.lower_is_better
    assert dict(scores[1].stats) == {"errors@zh": 1, "ref_tokens@zh": 4, "samples@zh": 1}
    breakdown = aggregate_with_categories(scorer, scores).by_category
    assert breakdown == pytest.approx({"en": 50.0, "zh": 200 / 9})


def test_a_subset_without_a_group_averages_the_groups_it_has():
    scorer = asr_macro()
    scores = scorer.score(ITEMS)
    assert scorer.aggregate([scores[1], scores[2]]) == pytest.approx(200 / 9)
    assert math.isnan(scorer.aggregate([]))


def test_summed_stats_reproduce_the_value_so_the_bootstrap_takes_its_fast_path():
    scorer = asr_macro()
    scores = scorer.score(ITEMS * 5)
    keys = sorted({k for s in scores for k in s.stats})
    stats = np.array([[float(s.stats.get(k, 0.0)) for k in keys] for s in scores])
    assert _aggregates_summed_stats(scorer, scores, keys, stats, seed=7)


def test_bleu_pairs_each_with_their_target_tokenizer():
    cat = "Die Katze saß auf der Matte."
    items = [ScoreInput("en_de/1", cat, cat, {"pair": "en_de", "target_language": "de"}),
             ScoreInput("en_zh/1", "猫坐在垫子上。", "猫坐在毯子上。", {"pair": "en_zh", "target_language": "zh"})]
    scorer = build_scorer("macro", group_key="pair", scorer="bleu",
                          groups={"en_de": {"target_language": "de"}, "en_zh": {"target_language": "zh"}})
    scores = scorer.score(items)
    zh_alone = BleuScorer("zh").aggregate(BleuScorer("zh").score(items[1:]))
    assert scorer.group_values(scores) == pytest.approx({"en_de": 100.0, "en_zh": zh_alone})
    assert scorer.aggregate(scores) == pytest.approx((100.0 + zh_alone) / 2)
    assert not scorer.lower_is_better and scorer.metric == "mean BLEU"


def test_bad_groups_are_named():
    with pytest.raises(ValueError, match=r"sample x/1: language='fr' is not one of the averaged groups \['en', 'zh'\]"):
        asr_macro().score([ScoreInput("x/1", "a", "a", {"language": "fr"})])
    with pytest.raises(ValueError, match="cannot mix metrics"):
        MacroAverage(group_key="g", scorers={"a": build_scorer("asr", language="en"), "b": BleuScorer("de")})


def test_pair_average_equals_the_mean_of_what_qwens_st_script_prints_per_source():
    """evaluate_st.py prints sacrebleu.corpus_bleu per source with tokenizer ja-mecab / zh / 13a by the target;
    the paper's group number is their mean."""
    import sacrebleu

    pairs = {
        "en_de": [("Die Katze saß auf der Matte.", "Die Katze sitzt auf der Matte."),
                  ("Es regnet heute.", "Heute regnet es.")],
        "en_zh": [("猫坐在垫子上。", "猫坐在毯子上。"), ("今天下雨了。", "今天在下雨。")],
        "en_ja": [("猫がマットの上に座った。", "猫はマットに座った。"), ("今日は雨です。", "今日は雨が降っている。")],
    }
    items = [ScoreInput(f"{pair}/{i}", hyp, ref, {"pair": pair, "target_language": pair[3:]})
             for pair, rows in pairs.items() for i, (ref, hyp) in enumerate(rows)]
    scorer = build_scorer("macro", group_key="pair", scorer="bleu",
                          groups={pair: {"target_language": pair[3:]} for pair in pairs})
    tokenizer = {"de": "13a", "zh": "zh", "ja": "ja-mecab"}
    printed = {pair: sacrebleu.corpus_bleu([h for _, h in rows], [[r for r, _ in rows]], tokenize=tokenizer[pair[3:]])
               .score for pair, rows in pairs.items()}
    scores = scorer.score(items)
    assert scorer.group_values(scores) == pytest.approx(printed, abs=1e-9)
    assert scorer.aggregate(scores) == pytest.approx(sum(printed.values()) / 3, abs=1e-9)
