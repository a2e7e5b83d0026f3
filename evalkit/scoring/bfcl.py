"""BFCL-v3 (Berkeley Function Calling Leaderboard v3): the AST and relevance categories, Python, Java and JavaScript.

Follows ShishirPatil/gorilla @ cd9429c (the last commit with the v3 data, before the v4 release),
berkeley-function-call-leaderboard/bfcl_eval:
- decoding a Qwen answer as QwenFCHandler.decode_ast does (evalkit.scoring.bfcl_tool_calls);
- the AST checker (eval_checker/ast_eval/ast_checker.py): per call the function name, required parameters, each
  parameter's type against the function doc (Python: an int is taken for a float; a value whose type is that of a
  "variable" in the possible answer passes the type check), its value among the possible answers (strings
  compared after `standardize_string`, lists element-wise so, dicts and lists of dicts key by key), and every
  possible-answer parameter not marked optional ("" among its values) present; parallel categories match calls to
  answers in any order (greedily, answer by answer), multiple ones check the one expected call. Java and
  JavaScript (the java and javascript categories): every argument must be a string, read as a literal of its
  declared type by the official type converters (evalkit.scoring.bfcl_literals) before the same checks;
- eval_runner.py: a decoding failure or an output not in function-call form is wrong; relevance categories
  (irrelevance, live_irrelevance: no call expected; live_relevance: a call expected) only ask whether a non-empty
  call list was decoded;
- eval_runner_helper.py (generate_leaderboard_csv): non-live overall = unweighted mean of simple, multiple,
  parallel, parallel_multiple and irrelevance accuracy, where simple is the unweighted mean of Python, Java and
  JavaScript simple; live overall = accuracy pooled over the six live categories; multi-turn overall = unweighted
  mean of the four multi-turn categories (evalkit.scoring.bfcl_multi_turn scores them); the leaderboard's overall =
  unweighted mean of the non-live, live and multi-turn overalls.

`BFCLScorer.breakdown` gives every category and each overall over the categories present (the official table
counts a missing category as 0, so an overall over fewer categories is not the leaderboard's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.scoring.base import SampleScore, ScoreInput
from evalkit.scoring.bfcl_literals import COLLECTIONS, JAVA_TYPES, JS_TYPES, read_java, read_js
from evalkit.scoring.bfcl_tool_calls import Call, decode_tool_calls, has_call, is_call_list
from evalkit.scoring.registry import register_scorer

CATEGORY = "category"  # the sample category naming its BFCL test category
SIMPLE = ("simple", "java", "javascript")  # the non-live "simple" group: Python, Java, JavaScript
NON_LIVE = (*SIMPLE, "multiple", "parallel", "parallel_multiple", "irrelevance")
LIVE = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance",
        "live_relevance")
MULTI_TURN = ("multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context")
SINGLE_TURN = NON_LIVE + LIVE
OVERALLS = ("non_live_overall", "live_overall", "multi_turn_overall")  # the leaderboard's overall: their mean
NO_CALL_EXPECTED = ("irrelevance", "live_irrelevance")
CALL_EXPECTED = ("live_relevance",)

PYTHON_TYPES: dict[str, type] = {"string": str, "integer": int, "float": float, "boolean": bool, "array": list,
                                 "tuple": list, "dict": dict, "any": str}
NESTED_TYPES = ("array", "tuple")  # whose items' type is checked, one level deep


@dataclass(frozen=True)
class Language:
    """How the AST checker reads one language's arguments: its type table and, for Java and JavaScript, the reader
    of the string literal every argument must be."""

    name: str
    types: Mapping[str, type]
    nested: tuple[str, ...]
    read: Callable[[str, str, str | None], Any] | None = None  # None: the JSON value is taken as it is


PYTHON = Language("Python", PYTHON_TYPES, NESTED_TYPES)
LANGUAGES = {"java": Language("java", JAVA_TYPES, COLLECTIONS, read_java),
             "javascript": Language("js", JS_TYPES, COLLECTIONS, read_js)}


@dataclass(frozen=True)
class Verdict:
    valid: bool
    error_type: str = ""
    error: str = ""
    is_variable: bool = False


OK = Verdict(True)


@dataclass(frozen=True)
class BFCLItem:
    """A reference: the test category, the function docs offered, and the possible answers (None for the
    relevance categories, which have none)."""

    category: str
    functions: tuple[Mapping[str, Any], ...]
    ground_truth: tuple[Mapping[str, Any], ...] | None

    @classmethod
    def of(cls, reference: BFCLItem | Mapping[str, Any]) -> BFCLItem:
        """The item itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, BFCLItem):
            return reference
        truth = reference["ground_truth"]
        return cls(reference["category"], tuple(reference["functions"]), None if truth is None else tuple(truth))


@dataclass(frozen=True)
class MultiTurnItem:
    """A multi-turn reference: the test category, its question row (the checker reads id, initial_config and
    involved_classes) and, per turn, the ground-truth calls (an empty turn expects none). Its answer is the JSON
    list of turns, each the list of the model's step responses (evalkit.scoring.bfcl_multi_turn)."""

    category: str
    entry: Mapping[str, Any]
    ground_truth: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, reference: MultiTurnItem | Mapping[str, Any]) -> MultiTurnItem:
        """The item itself, or its JSON form as a run's samples.jsonl stores it."""
        if isinstance(reference, MultiTurnItem):
            return reference
        return cls(reference["category"], reference["entry"], tuple(tuple(t) for t in reference["ground_truth"]))


def standardize_string(text: str) -> str:
    return re.sub(r"[ \,\.\/\-\_\*\^]", "", text).lower().replace("'", '"')


def _standardized(values: Sequence[Any]) -> list[Any]:
    return [standardize_string(v) if type(v) is str else v for v in values]


def _answer_type(possible: Sequence[Any]) -> type | None:
    return next((type(answer) for answer in possible if answer != ""), None)


def check_type(param: str, value: Any, possible: Any, expected: str, expected_type: type,
               nested_type: type | None) -> Verdict:
    """type_checker: the value's type, or a "variable" (the possible answer's own type), one level of nesting."""
    answer_type = _answer_type(possible)
    is_variable = answer_type is not None and answer_type != expected_type
    if type(value) is expected_type:
        if nested_type is None:
            return Verdict(True, is_variable=is_variable)
        elements: Any = value  # a list or tuple: its type is the expected one
        for possible_item in possible:
            if type(possible_item) is not list or all(
                check_type(param, item, possible_item, str(nested_type), nested_type, None).valid for item in elements
            ):
                return Verdict(True, is_variable=is_variable)
        # the official code then falls through with its result already invalid: a nested failure stays one
        return Verdict(False, "type_error:simple", f"Nested type checking failed for parameter {param!r}.")
    if answer_type is not None and type(value) is answer_type:
        return Verdict(True, is_variable=True)
    return Verdict(False, "type_error:simple", f"Incorrect type for parameter {param!r}. Expected type {expected}, "
                                               f"got {type(value).__name__}. Parameter value: {value!r}.")


def check_string(param: str, value: str, possible: Sequence[Any]) -> Verdict:
    if standardize_string(value) not in [standardize_string(p) for p in possible if type(p) is str]:
        return Verdict(False, "value_error:string", f"Invalid value for parameter {param!r}: {value!r}.")
    return OK


def check_list(param: str, value: list, possible: Sequence[Any]) -> Verdict:
    if _standardized(value) not in [_standardized(p) for p in possible]:
        return Verdict(False, "value_error:list/tuple", f"Invalid value for parameter {param!r}: {value!r}.")
    return OK


def check_dict(param: str, value: Mapping[str, Any], possible: Sequence[Any]) -> Verdict:
    """dict_checker: every key of the value allowed with a possible value, every non-optional key present."""
    verdict = Verdict(False, "dict_checker:unclear")
    for answer in possible:
        if answer == "":
            continue
        verdict = OK
        for key, item in value.items():
            if key not in answer:
                verdict = Verdict(False, "value_error:dict_key", f"Unexpected dict key parameter: {key!r}.")
                break
            if (standardize_string(item) if type(item) is str else item) not in _standardized(answer[key]):
                verdict = Verdict(False, "value_error:dict_value", f"Invalid value for parameter {key!r}: {item!r}.")
                break
        if verdict.valid:
            missing = next((k for k, v in answer.items() if k not in value and "" not in v), None)
            if missing is not None:
                verdict = Verdict(False, "value_error:dict_key", f"Missing dict key parameter: {missing!r}.")
        if verdict.valid:
            return OK
    return verdict


def check_list_of_dicts(param: str, value: list, possible: Sequence[Any]) -> Verdict:
    verdict = Verdict(False, "list_dict_checker:unclear")
    for answer in possible:
        if len(value) != len(answer):
            verdict = Verdict(False, "value_error:list_dict_count", "Wrong number of dictionaries in the list.")
            continue
        verdict = OK
        for item, expected in zip(value, answer, strict=True):
            verdict = check_dict(param, item, [expected])
            if not verdict.valid:
                break
        if verdict.valid:
            return OK
    return verdict


def _declared(language: Language, param: str, details: Mapping[str, Any]) -> tuple[str, type, str | None]:
    """The parameter's declared type, its Python type, and its items' declared type (an array's)."""
    expected = details[param]["type"]
    nested = details[param]["items"]["type"] if expected in language.nested else None
    for name in (expected, nested):
        if name is not None and name not in language.types:
            raise ValueError(f"BFCL: parameter {param!r} declares type {name!r}, not in the official "
                             f"{language.name} type table {sorted(language.types)}")
    return expected, language.types[expected], nested


def check_call(function: Mapping[str, Any], call: Call, answer: Mapping[str, Mapping[str, Sequence[Any]]],
               language: Language = PYTHON) -> Verdict:
    """simple_function_checker for one call against one possible answer {name: {param: [possible values]}}."""
    possible = next(iter(answer.values()))
    name, details = function["name"], function["parameters"]["properties"]
    if name not in call:
        return Verdict(False, "simple_function_checker:wrong_func_name", f"Function name {name!r} not found.")
    arguments = call[name]
    missing = next((p for p in function["parameters"]["required"] if p not in arguments), None)
    if missing is not None:
        return Verdict(False, "simple_function_checker:missing_required", f"Missing required parameter: {missing!r}.")
    for param, value in arguments.items():
        if param not in details or param not in possible:
            return Verdict(False, "simple_function_checker:unexpected_param", f"Unexpected parameter: {param!r}.")
        expected, expected_type, nested = _declared(language, param, details)
        nested_type = None if nested is None else language.types[nested]
        if language.read is not None:
            if type(value) is not str:
                return Verdict(False, f"type_error:{language.name}", f"Incorrect type for parameter {param!r}. "
                               f"Expected type String, got {type(value).__name__}. Parameter value: {value!r}.")
            value = language.read(value, expected, nested)
        if expected == "tuple" and type(value) is tuple:
            value = list(value)
        if language is PYTHON and expected == "float" and type(value) is int:
            value = float(value)
        typed = check_type(param, value, possible[param], expected, expected_type, nested_type)
        if not typed.valid:
            return typed
        if not typed.is_variable:
            if expected_type is dict:
                verdict = check_dict(param, value, possible[param])
            elif expected_type is list and nested_type is dict:
                verdict = check_list_of_dicts(param, value, possible[param])
            elif expected_type is str:
                verdict = check_string(param, value, possible[param])
            elif expected_type is list:
                verdict = check_list(param, value, possible[param])
            else:
                verdict = None
            if verdict is not None:
                if not verdict.valid:
                    return verdict
                continue
        if value not in possible[param]:
            return Verdict(False, "value_error:others", f"Invalid value for parameter {param!r}: {value!r}.")
    unprovided = next((p for p in possible if p not in arguments and "" not in possible[p]), None)
    if unprovided is not None:
        return Verdict(False, "simple_function_checker:missing_optional",
                       f"Optional parameter {unprovided!r} not provided and not marked as optional.")
    return OK


def _function(functions: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any]:
    return next(f for f in functions if f["name"] == name)


def check_calls(category: str, functions: Sequence[Mapping[str, Any]], calls: list[Call],
                truth: Sequence[Mapping[str, Any]]) -> Verdict:
    """ast_checker: parallel categories in any order, multiple ones the one expected call, simple ones one call."""
    language = LANGUAGES.get(category, PYTHON)
    if len(calls) != len(truth):
        return Verdict(False, "wrong_count", "Wrong number of functions.")
    if "parallel" in category:
        matched: set[int] = set()
        for answer in truth:
            function = _function(functions, next(iter(answer)))
            verdict = Verdict(False, "parallel_function_checker_no_order:cannot_find_match")
            for index, call in enumerate(calls):
                if index in matched:
                    continue
                verdict = check_call(function, call, answer, language)
                if verdict.valid:
                    matched.add(index)
                    break
            if not verdict.valid:
                return Verdict(False, "parallel_function_checker_no_order:cannot_find_match", verdict.error)
        return OK
    if "multiple" in category:
        return check_call(_function(functions, next(iter(truth[0]))), calls[0], truth[0], language)
    return check_call(functions[0], calls[0], truth[0], language)


def judge(item: BFCLItem, answer: str) -> Verdict:
    """One answer's verdict, as eval_runner.py's relevance or AST runner gives it."""
    decoded = decode_tool_calls(answer)
    if item.category in NO_CALL_EXPECTED + CALL_EXPECTED:
        called = has_call(decoded)
        if called == (item.category in CALL_EXPECTED):
            return OK
        return Verdict(False, "irrelevance_error:decoder_success" if called else "relevance_error:decoder_failed")
    if decoded is None:
        return Verdict(False, "ast_decoder:decoder_failed")
    if not is_call_list(decoded):
        return Verdict(False, "ast_decoder:decoder_wrong_output_format")
    if item.ground_truth is None:
        raise ValueError(f"BFCL category {item.category!r} needs possible answers; the item has none")
    return check_calls(item.category, item.functions, decoded, item.ground_truth)


def _accuracy(scores: Sequence[SampleScore]) -> float:
    return 100.0 * sum(s.stats["correct"] for s in scores) / len(scores)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _verdict(reference: BFCLItem | MultiTurnItem | Mapping[str, Any], prediction: str) -> Verdict:
    if isinstance(reference, MultiTurnItem) or (isinstance(reference, Mapping) and "entry" in reference):
        # imported here: that module builds on this one
        from evalkit.scoring.bfcl_multi_turn import judge_recorded

        return judge_recorded(MultiTurnItem.of(reference), prediction)
    return judge(BFCLItem.of(reference), prediction)


@register_scorer("bfcl")
class BFCLScorer:
    name = "bfcl"
    metric = ("accuracy: the leaderboard's overall, the unweighted mean of the non-live, live and multi-turn "
              "overalls present")
    lower_is_better = False
    official_denominator = "every item (an unanswered one is wrong)"

    def score(self, items: Sequence[ScoreInput]) -> list[SampleScore]:
        scores = []
        for item in items:
            verdict = Verdict(False, "failed") if item.prediction is None else _verdict(item.reference, item.prediction)
            scores.append(SampleScore(item.sample_id, {"correct": float(verdict.valid)}, failed=item.prediction is None,
                                      categories=item.categories,
                                      detail={"error_type": verdict.error_type, "error": verdict.error}))
        return scores

    def aggregate(self, scores: Sequence[SampleScore]) -> float:
        groups = self.breakdown(scores)
        overalls = [groups[g] for g in OVERALLS if g in groups]
        return _mean(overalls) if overalls else 0.0

    @staticmethod
    def breakdown(scores: Sequence[SampleScore]) -> dict[str, float]:
        """Each category's accuracy and, over the categories present, generate_leaderboard_csv's groups: the
        non-live simple AST (unweighted over Python, Java, JavaScript simple), the non-live overall (unweighted
        over simple, multiple, parallel, parallel_multiple, irrelevance), the live overall (pooled over its six
        categories) and the multi-turn overall (unweighted over its four), in %."""
        by_category: dict[str, list[SampleScore]] = {}
        for score in scores:
            by_category.setdefault(score.categories[CATEGORY], []).append(score)
        numbers = {name: _accuracy(group) for name, group in sorted(by_category.items())}
        simple = [numbers[c] for c in SIMPLE if c in numbers]
        if simple:
            numbers["non_live_simple"] = _mean(simple)
        non_live = [numbers[c] for c in ("non_live_simple", *NON_LIVE[len(SIMPLE):]) if c in numbers]
        live = [s for c in LIVE for s in by_category.get(c, [])]
        multi_turn = [numbers[c] for c in MULTI_TURN if c in numbers]
        if non_live:
            numbers["non_live_overall"] = _mean(non_live)
        if live:
            numbers["live_overall"] = _accuracy(live)
        if multi_turn:
            numbers["multi_turn_overall"] = _mean(multi_turn)
        return numbers
