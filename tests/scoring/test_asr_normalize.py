"""Every step of Qwen's ASR normalization. Expected strings were checked against Qwen2-Audio's own eval_audio code
(evaluate_asr.py remove_sp / compute_wer pieces, cn_tn.py TextNorm as Qwen configures it) run outside the repo."""

import hashlib
from importlib import resources

import pytest

from evalkit.scoring.asr_normalize import (
    basic_normalize,
    chinese_normalize,
    english_normalize,
    evaluation_tokens,
    qwen_asr_tokens,
    remove_special_tags,
    spell_number,
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("<|en|> Hello ,  Mr. Smith !", "en", "Hello, Mr. Smith!"),  # tag -> space, collapse, no space before punct
        ("a<|x|>b . c", "en", "a b. c"),
        ("  <|zh|>你 好 ， 世界 。 ", "fr", "你 好 ， 世界 。 "),  # only the left side is stripped
        ("  <|zh|>你 好 ， 世界 。 ", "zh", "你好，世界。"),  # Chinese loses every space
    ],
)
def test_remove_special_tags(text, language, expected):
    assert remove_special_tags(text, language) == expected


def test_english_spelling_map_is_qwens_file():
    # md5 of Qwen2-Audio eval_audio/whisper_normalizer/english.json @ 10cb8d8
    data = resources.files("whisper_normalizer").joinpath("normalizers/english.json").read_bytes()
    assert hashlib.md5(data).hexdigest() == "33bb184e238f06bb228a05f6dd41c47c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith's colour", "mister smith is color"),  # titles, 's -> is, British -> American spelling
        ("I can't go, uh, twenty five dollars", "i can not go $25"),  # contractions, fillers, spelled numbers
        ("[MUSIC] (laughs) It's 6.15 a.m.", "it is 6.15 a m"),  # bracketed spans dropped, decimals kept
        ("one hundred and first", "101st"),
        ("Hmm, the theatre's 20%", "the theater is 20%"),
    ],
)
def test_english_normalizer(text, expected):
    assert english_normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour, l'été! [bruit] (rire)", "bonjour l été "),  # diacritics kept, bracketed spans dropped
        ("Straße — „Hallo“", "straße hallo "),
        ("ÉCOLE", "école"),
    ],
)
def test_basic_normalizer(text, expected):
    assert basic_normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a - b", ["a", "b"]),  # a piece made only of punctuation goes
        ("a-b , c", ["a-b", "c"]),  # punctuation inside a word stays
        ("A  B", ["a", "b"]),
        ("«» … ok", ["ok"]),
    ],
)
def test_evaluation_tokens(text, expected):
    assert evaluation_tokens(text) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("22", "二十二"),
        ("20", "二十"),  # 2 before 十 stays 二
        ("200", "两百"),  # 2 before a larger unit reads 两
        ("220", "两百二十"),
        ("105", "一百零五"),  # skipped place reads 零
        ("12", "十二"),  # leading 一十 reads 十
        ("100000", "十万"),
        ("0.5", "零点五"),
        ("00.5", "零点五"),  # empty integer part gets 零 before 点
        ("２００", "两百零十零"),  # full-width zeros are not stripped (cn_tn's lstrip('0') quirk, kept)
    ],
)
def test_spell_number(number, expected):
    assert spell_number(number) == expected


def test_spell_number_digit_by_digit():
    assert spell_number("2022", use_units=False, liang=False) == "二零二二"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年12月23日", "二零一九年十二月二十三日"),  # date: year digit by digit, month/day as numbers
        ("08年3月", "零八年三月"),
        ("12.5元", "十二点五元"),  # money
        ("100000元", "十万元"),
        ("电话13812345678", "电话一三八一二三四五六七八"),  # mobile
        ("+86 13812345678", "八六一三八一二三四五六七八"),
        ("010-12345678", "零一零一二三四五六七八"),  # landline
        ("3/4", "四分之三"),  # fraction
        ("50%", "百分之五十"),  # percentage, ASCII or full-width
        ("50％", "百分之五十"),
        ("3个", "三个"),  # number + quantifier
        ("一共12天", "一共十二天"),
        ("1234", "一二三四"),  # 4+ digits read digit by digit
        ("2000", "二零零零"),
        ("22", "二十二"),  # any other number
        ("O2O", "O2O"),  # Latin-2-Latin keeps its 2
        ("12个和12345", "十二个和一二三四五"),  # a rewrite replaces one occurrence only...
        ("1234和12个", "十二三十四和十二个"),  # ...the first in the text, even inside another number (kept quirk)
        ("我有3个苹果。", "我有三个苹果 "),  # punctuation to spaces
        ("他说:“好!”", "他说  好  "),
    ],
)
def test_chinese_normalizer(text, expected):
    assert chinese_normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("<|en|>Hello, Mr. Smith's colour!", "en", ["hello", "mister", "smith", "is", "color"]),
        ("It's 20%", "en", ["it", "is", "20"]),  # basic normalizer after English: % becomes a space
        ("Bonjour, l'été!", "fr", ["bonjour", "l", "été"]),  # any other language: basic normalizer only
        ("I can't", "fr", ["i", "can", "t"]),
        ("佢講咗三個鐘。", "yue", ["佢讲咗三个钟"]),  # traditional -> simplified, then basic
        ("我有 3 个苹果。", "zh", ["我有三个苹果"]),  # spaces removed before the Chinese normalizer
        ("我有 3 个苹果。", "yue", ["我有", "3", "个苹果"]),  # Cantonese keeps digits and spaces
    ],
)
def test_qwen_asr_tokens(text, language, expected):
    assert qwen_asr_tokens(text, language) == expected
