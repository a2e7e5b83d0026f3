import math
import random

import pytest
import sacrebleu

from evalkit.scoring.base import ScoreInput
from evalkit.scoring.bleu import BleuScorer, tokenizer_for
from evalkit.scoring.registry import build_scorer

SAMPLES = {
    "13a": [("The cat sat on the mat.", "The cat is sitting on the mat."),
            ("I don't know, Tom.", "I do not know, Tom."),
            ("He left at 6 pm.", "He left at 6 pm."),
            ("Where is it?", "")],
    "zh": [("我坚信他在商业界会有所作为。", "我相信他在商界会大有作为。"),
           ("为什么汤姆叫我玛丽？", "为什么汤姆叫我玛丽?"),
           ("我在学西班牙语。", "我在西牙语。")],
    "ja-mecab": [("私は学生です。", "私は学生だ。"),
                 ("トムは東京に住んでいます。", "トムは東京に住んでる。"),
                 ("これは何ですか？", "これは何ですか？")],
}
LANGUAGE_OF = {"13a": "en", "zh": "zh", "ja-mecab": "ja"}


@pytest.mark.parametrize(("language", "tokenizer"), [("zh", "zh"), ("ja", "ja-mecab"), ("de", "13a"), ("en", "13a")])
def test_tokenizer_for(language, tokenizer):
    assert tokenizer_for(language) == tokenizer


def test_hand_computed_brevity_penalty():
    # every n-gram matches; 4 hypothesis words against 5 reference words: BP = exp(1 - 5/4)
    scorer = BleuScorer(target_language="en")
    [s] = scorer.score([ScoreInput("0", "a b c d", "a b c d e")])
    assert dict(s.stats) == {"sys_len": 4, "ref_len": 5, "correct_1": 4, "total_1": 4, "correct_2": 3,
                             "total_2": 3, "correct_3": 2, "total_3": 2, "correct_4": 1, "total_4": 1}
    assert scorer.aggregate([s]) == pytest.approx(100 * math.exp(-0.25), abs=1e-12)


def test_hand_computed_exp_smoothing_of_a_zero_count():
    # 3/4, 2/3, 1/2 match; no 4-gram matches: exp smoothing reads it as 1 / (2 * 1) -> geometric mean 2^(-3/4)
    scorer = BleuScorer(target_language="en")
    assert scorer.aggregate(scorer.score([ScoreInput("0", "a b c x", "a b c d")])) == pytest.approx(
        100 * 2 ** -0.75, abs=1e-12)


@pytest.mark.parametrize("tokenizer", sorted(SAMPLES))
def test_summed_stats_equal_corpus_bleu_on_every_subset(tokenizer):
    pairs = SAMPLES[tokenizer]
    scorer = BleuScorer(target_language=LANGUAGE_OF[tokenizer])
    scores = scorer.score([ScoreInput(str(i), hyp, ref) for i, (ref, hyp) in enumerate(pairs)])
    rng = random.Random(0)
    subsets = [list(range(len(pairs)))] + [rng.sample(range(len(pairs)), k) for k in (1, 2, 2, 3)]
    for subset in subsets:
        expected = sacrebleu.corpus_bleu([pairs[i][1] for i in subset], [[pairs[i][0] for i in subset]],
                                         tokenize=tokenizer).score
        assert scorer.aggregate([scores[i] for i in subset]) == expected


def test_target_language_from_item_category():
    ref, hyp = SAMPLES["zh"][0]
    per_item = BleuScorer().score([ScoreInput("0", hyp, ref, {"target_language": "zh"})])
    fixed = BleuScorer(target_language="zh").score([ScoreInput("0", hyp, ref)])
    english = BleuScorer(target_language="en").score([ScoreInput("0", hyp, ref)])
    assert per_item[0].stats == fixed[0].stats != english[0].stats


def test_no_target_language_is_an_error():
    with pytest.raises(ValueError, match="target_language"):
        BleuScorer().score([ScoreInput("0", "a", "a")])


def test_failed_prediction_is_an_empty_hypothesis():
    [s] = BleuScorer(target_language="en").score([ScoreInput("0", None, "a b c")])
    assert s.failed and s.stats["ref_len"] == 3 and s.stats["sys_len"] == 0


def test_registered():
    scorer = build_scorer("bleu", target_language="ja")
    assert (scorer.metric, scorer.lower_is_better, scorer.target_language) == ("BLEU", False, "ja")
