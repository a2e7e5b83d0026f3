"""Qwen's ASR text normalization: the steps Qwen2-Audio's evaluate_asr.py applies before counting edits.

Follows QwenLM/Qwen2-Audio eval_audio/evaluate_asr.py (remove_sp, compute_wer), whisper_normalizer/, cn_tn.py and
evaluate_tokenizer.py as of commit 10cb8d83aabc36ad06f2d3381290989bc5a9c46f (unchanged at snapshot 595360e).
- English and basic normalizers: transformers' Whisper normalizers (the same algorithm as Qwen's vendored copy of
  openai/whisper's); the British->American spelling map is the english.json that PyPI `whisper-normalizer` ships,
  byte-identical to Qwen's (md5 33bb184e238f06bb228a05f6dd41c47c; tests check it).
- Cantonese traditional->simplified: zhconv, as the official code uses.
- Chinese: our own port of cn_tn.py (speechio/chinese_text_normalization) as Qwen configures it (every option off:
  non-standard-word rewriting, then punctuation to spaces), because no maintained PyPI package implements it.
The pipeline produces word tokens; per-character scoring (zh, yue) is the metric's unit, chosen in asr.py.
"""

from __future__ import annotations

import functools
import json
import re
import string
import unicodedata
from collections.abc import Callable
from importlib import resources

import zhconv
from transformers.models.whisper.english_normalizer import BasicTextNormalizer, EnglishTextNormalizer

# remove_sp: punctuation that loses the space before it.
_SPACE_BEFORE_PUNCT = re.compile(r" ?([!,.?;:])")
_SPECIAL_TAG = re.compile(r"<\|.*?\|>")


def remove_special_tags(text: str, language: str, keep_word_spaces: bool = False) -> str:
    """Step 1 (remove_sp): `<|...|>` tags to spaces, collapse whitespace, no space before `!,.?;:`, strip the
    left side only; Chinese loses all whitespace unless `keep_word_spaces` (code-switched text, whose Latin
    words the spaces separate)."""
    text = re.sub(r"\s+", " ", _SPECIAL_TAG.sub(" ", text))
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text).lstrip(" ")
    return re.sub(r"\s+", "", text) if language == "zh" and not keep_word_spaces else text


@functools.cache
def _english() -> EnglishTextNormalizer:
    spelling = resources.files("whisper_normalizer").joinpath("normalizers/english.json")
    return EnglishTextNormalizer(json.loads(spelling.read_text(encoding="utf-8")))


@functools.cache
def _basic() -> BasicTextNormalizer:
    return BasicTextNormalizer()


def english_normalize(text: str) -> str:
    return _english()(text)


def basic_normalize(text: str) -> str:
    return _basic()(text)


def evaluation_tokens(text: str) -> list[str]:
    """EvaluationTokenizer("none", lowercase, punctuation_removal): drop the space-separated pieces made only of
    Unicode punctuation (empty pieces included), lowercase, split on whitespace."""
    kept = (t for t in text.split(" ") if not all(unicodedata.category(c)[0] == "P" for c in t))
    return " ".join(kept).lower().split()


def qwen_asr_tokens(text: str, language: str, keep_word_spaces: bool = False) -> list[str]:
    """Steps 1-3 of compute_wer for one string. Only en, zh and yue have their own path; every other language
    (and English too, after the English normalizer, as the official code is written) gets the basic normalizer."""
    text = remove_special_tags(text, language, keep_word_spaces)
    if language == "yue":
        text = zhconv.convert(text, "zh-cn")
    if language == "en":
        text = english_normalize(text)
    text = chinese_normalize(text) if language == "zh" else basic_normalize(text)
    return evaluation_tokens(text)


# ---------------------------------------------------------------------------------------------------------------
# Chinese text normalization (cn_tn.py TextNorm with all options off = normalize_nsw + punctuation to spaces).

_DIGITS = "零一二三四五六七八九"
_UNITS = {1: "十", 2: "百", 3: "千", 4: "万", **{4 * (i + 2): c for i, c in enumerate("亿兆京垓秭穰沟涧正载")}}
_LIANG = "两"
_POINT = "点"

_CN_PUNCTS = (
    "！？｡。＂＃＄％＆＇（）＊＋，－／：；＜＝＞＠［＼］＾＿｀｛｜｝～｟｠｢｣､、〃《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟〰〾〿"
    "–—‘’‛“”„‟…‧﹏·〈〉-"
)
_PUNCT_TO_SPACE = str.maketrans({c: " " for c in _CN_PUNCTS + string.punctuation})

# Regex alternations kept in cn_tn's order: the order decides how far a match reaches.
_MAGNITUDE = "(亿|千万|百万|万|千|百)"
_MAGNITUDE_OR_NONE = "(亿|千万|百万|万|千|百|)"
_CURRENCY_UNITS = f"({_MAGNITUDE}|{_MAGNITUDE_OR_NONE}元|{_MAGNITUDE_OR_NONE}块|角|毛|分)"
_QUANTIFIERS = "(" + "|".join(
    list("匹张座回场尾条个首阙阵网炮顶丘棵只支袭辆挑担颗壳窠曲墙群腔砣座客贯扎捆刀令打手罗坡山岭江溪钟队单双对出口头脚板跳枝件贴")
    + list("针线管名位身堂课本页家户层丝毫厘分钱两斤担铢石钧锱忽")
    + ["(千|毫|微)克"]
    + list("毫厘分寸尺丈里寻常铺程")
    + ["(千|分|厘|毫|微)米"]
    + list("撮勺合升斗石盘碗碟叠桶笼盆盒杯钟斛锅簋篮盘桶罐瓶壶卮盏箩箱煲啖袋钵")
    + list("年月日季刻时周天秒分旬纪岁世更夜春夏秋冬代伏辈丸泡粒颗幢堆条根支道面片张颗块")
) + ")"

_DATE = re.compile(r"\D+((([089]\d|(19|20)\d{2})年)?(\d{1,2}月(\d{1,2}[日号])?)?)")
_MONEY = re.compile(r"\D+((\d+(\.\d+)?)[多余几]?" + _CURRENCY_UNITS + r"(\d" + _CURRENCY_UNITS + r"?)?)")
_MOBILE = re.compile(r"\D((\+?86 ?)?1([38]\d|5[0-35-9]|7[678]|9[89])\d{8})\D")
_LANDLINE = re.compile(r"\D((0(10|2[1-3]|[3-9]\d{2})-?)?[1-9]\d{6,7})\D")
_FRACTION = re.compile(r"(\d+/\d+)")
_PERCENT = re.compile(r"(\d+(\.\d+)?%)")
_COUNTED = re.compile(r"(\d+(\.\d+)?)[多余几]?" + _QUANTIFIERS)
_DIGIT_RUN = re.compile(r"(\d{4,32})")
_NUMBER = re.compile(r"(\d+(\.\d+)?)")
_LATIN_TWO_LATIN = re.compile(r"(([a-zA-Z]+)二([a-zA-Z]+))")


# A spelled number is a list of items: a digit character, an int (the power of ten of a unit), or "." (点).
_Item = str | int


def _spell_with_units(digits: str) -> list[_Item]:
    """cn_tn get_value: the largest unit shorter than the number splits it; a skipped place reads as 零."""
    stripped = digits.lstrip("0")  # ASCII zeros only, like the original (full-width ０ stays a digit)
    if not stripped:
        return []
    if len(stripped) == 1:
        return [*(["0"] if len(digits) != len(stripped) else []), stripped]
    power = max(p for p in _UNITS if p < len(stripped))
    return _spell_with_units(digits[:-power]) + [power] + _spell_with_units(stripped[-power:])


def _reads_liang(items: list[_Item], i: int) -> bool:
    """cn_tn alt_two: 2 reads 两 before a unit above ten, at the start or after a unit above ten (两百, 两千万)."""
    nxt = items[i + 1] if i + 1 < len(items) else None
    prev = items[i - 1] if i > 0 else None
    before_unit = isinstance(nxt, int) and nxt != 1
    return before_unit and (prev is None or (isinstance(prev, int) and prev != 1))


def spell_number(number: str, use_units: bool = True, liang: bool = True) -> str:
    """cn_tn num2chn (simplified script): "105" -> 一百零五, "2.5" -> 二点五; without units digit by digit."""
    integer, _, decimals = number.partition(".")
    items: list[_Item] = _spell_with_units(integer) if use_units and len(integer) > 1 else list(integer)
    if decimals:
        items += ["."] + list(decimals)
    out = []
    for i, item in enumerate(items):
        if isinstance(item, int):
            out.append(_UNITS[item])
        elif item == ".":
            out.append(_POINT)
        else:
            out.append(_LIANG if liang and int(item) == 2 and _reads_liang(items, i) else _DIGITS[int(item)])
    result = "".join(out)
    if result.startswith(_POINT):
        return _DIGITS[0] + result
    if result[:2] == "一十":
        return result[1:]  # 一十五 reads 十五
    return result


def _spell_digits(number: str) -> str:
    return spell_number(number, use_units=False, liang=False)


def _spell_date(date: str) -> str:
    year, sep, rest = date.strip().partition("年")
    if not sep:
        year, rest = "", date
    else:
        year = _spell_digits(year) + "年"
    if not rest:
        return year
    month, _, day = rest.strip().partition("月")  # the date pattern puts 月 in any non-empty rest
    return year + spell_number(month) + "月" + (spell_number(day[:-1]) + day[-1] if day else "")


def _spell_money(money: str) -> str:
    for number, _ in _NUMBER.findall(money):
        money = money.replace(number, spell_number(number))  # every occurrence, as cn_tn does
    return money


def _spell_phone(phone: str, landline: bool) -> str:
    parts = phone.split("-") if landline else phone.strip("+").split()
    return "".join(_spell_digits(p) for p in parts)


def _spell_fraction(fraction: str) -> str:
    numerator, denominator = fraction.split("/")
    return spell_number(denominator) + "分之" + spell_number(numerator)


def _rewrite(text: str, pattern: re.Pattern[str], spell: Callable[[str], str]) -> str:
    """Replace each match's first group, at its FIRST occurrence in the text (cn_tn's str.replace(x, y, 1))."""
    for match in pattern.findall(text):
        found = match[0] if isinstance(match, tuple) else match
        text = text.replace(found, spell(found), 1)
    return text


def normalize_nsw(text: str) -> str:
    """cn_tn normalize_nsw: dates, money, phone numbers, fractions, percentages, counted amounts, digit runs of 4+
    (read digit by digit) and remaining numbers to Chinese characters; P2P/O2O/B2C keep their 2."""
    text = "^" + text + "$"  # sentinels so that the \D-anchored patterns match at the edges
    text = _rewrite(text, _DATE, _spell_date)
    text = _rewrite(text, _MONEY, _spell_money)
    text = _rewrite(text, _MOBILE, lambda p: _spell_phone(p, landline=False))
    text = _rewrite(text, _LANDLINE, lambda p: _spell_phone(p, landline=True))
    text = _rewrite(text, _FRACTION, _spell_fraction)
    text = _rewrite(text.replace("％", "%"), _PERCENT, lambda p: "百分之" + spell_number(p.strip().strip("%")))
    text = _rewrite(text, _COUNTED, spell_number)
    text = _rewrite(text, _DIGIT_RUN, _spell_digits)
    text = _rewrite(text, _NUMBER, spell_number)
    for whole, left, right in _LATIN_TWO_LATIN.findall(text):
        text = text.replace(whole, left + "2" + right, 1)
    return text.lstrip("^").rstrip("$")


def chinese_normalize(text: str) -> str:
    return normalize_nsw(text).translate(_PUNCT_TO_SPACE)
