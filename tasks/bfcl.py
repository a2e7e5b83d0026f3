"""BFCL-v3, the Berkeley Function Calling Leaderboard v3: all seventeen categories (4,441 items). The thirteen
single-turn ones, Python (simple, multiple, parallel, parallel_multiple, irrelevance and their six live
counterparts) and the Java and JavaScript simple ones, are answered in one request each and scored by the official
AST checker (evalkit.scoring.bfcl). The four multi-turn ones (multi_turn_base, miss_func, miss_param,
long_context) are agent loops (tasks/bfcl_multi_turn.py): the model calls the item's simulated APIs step by step,
turn by turn, and the official multi-turn checker scores the gathered answer (evalkit.scoring.bfcl_multi_turn;
bfcl-eval 2025.8.6.2 must be installed, as `make` does). With every category the reported number is the
leaderboard's overall: the mean of the non-live, live and multi-turn overalls.

Data: ShishirPatil/gorilla @ cd9429ccf3d4d04156affe883c495b3b047e6b64, the last commit before the v4 release moved the
files to BFCL_v4; set dataset.local_path to its `berkeley-function-call-leaderboard/bfcl_eval/data` folder
(`BFCL_v3_<category>.json` and `possible_answer/BFCL_v3_<category>.json`, JSON lines; the relevance categories have
no answers). PyPI's bfcl-eval 2025.8.6.2 (which `make` installs for multi-turn scoring) ships that folder file for file
as bfcl_eval/data. dataset.subsets chooses categories.

Prompt (evalkit's choice, recorded with every run): Qwen's own function-calling format, as Qwen3 chat templates
render tools and as the leaderboard's QwenFCHandler (model_handler/local_inference/qwen_fc.py) builds it: one system
turn holding the item's system text (if any), then "# Tools ..." with each function doc as JSON inside <tools>, and
the instruction to answer with <tool_call>{"name": ..., "arguments": ...}</tool_call> blocks; each description gets
the leaderboard's " Note that the provided function is in Python 3 syntax." Then the item's own turns. An item
offering no function gets no tools turn, as in the handler. On all 3,491 Python items the prompt the tiny
Qwen3-Omni's chat template renders equals QwenFCHandler._format_prompt's character for character (checked in a
scratch folder). Java and JavaScript items get their own note and every parameter as a string whose description
names its declared type (utils.func_doc_language_specific_pre_processing; `documented` equals it on all 150 items
and 1,453 Python ones, checked in a scratch folder).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import TEXT_TABLES, OfficialFormat, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer
from evalkit.scoring.bfcl import CATEGORY, MULTI_TURN, SINGLE_TURN, BFCLItem, BFCLScorer, MultiTurnItem
from evalkit.scoring.bfcl_multi_turn import official_modules
from evalkit.task import LoadedTask, format_prompt
from evalkit.types import Message, Sample, TextPart
from tasks.bfcl_multi_turn import FUNCTION_DOCS, data_folder, multi_turn_loop, offered_functions

GORILLA_COMMIT = "cd9429ccf3d4d04156affe883c495b3b047e6b64"
HINTS = {"java": " Note that the provided function is in Java 8 SDK syntax.",
         "javascript": " Note that the provided function is in JavaScript syntax."}
PYTHON_HINT = " Note that the provided function is in Python 3 syntax."
LANGUAGE_NAMES = {"java": "Java", "javascript": "JavaScript"}
TOOLS_PROMPT = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function "
    "signatures within <tools></tools> XML tags:\n<tools>{tools}\n</tools>\n\nFor each function call, return a json "
    "object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{{"name": <function-name>, "arguments": <args-json-object>}}\n</tool_call>'
)
RELEVANCE = ("irrelevance", "live_irrelevance", "live_relevance")  # no possible-answer file


def _data_files(folder: Path, category: str) -> tuple[Path, Path | None]:
    answers = None if category in RELEVANCE else folder / "possible_answer" / f"BFCL_v3_{category}.json"
    return folder / f"BFCL_v3_{category}.json", answers


def _files(config: TaskConfig, category: str) -> tuple[Path, Path | None]:
    return _data_files(data_folder(config), category)


def check(config: TaskConfig) -> None:
    if config.dataset.local_path is None:
        raise ConfigError(
            f"task {config.name!r}: BFCL-v3 is read from a gorilla checkout: clone ShishirPatil/gorilla at "
            f"{GORILLA_COMMIT} and set dataset.local_path to its berkeley-function-call-leaderboard/bfcl_eval/data"
        )
    unknown = sorted(set(config.dataset.subsets) - set(SINGLE_TURN + MULTI_TURN))
    if unknown:
        raise ConfigError(f"task {config.name!r}: {unknown} are not BFCL-v3 categories: {[*SINGLE_TURN, *MULTI_TURN]}")
    multi_turn = set(config.dataset.subsets) & set(MULTI_TURN)
    if multi_turn:
        try:
            official_modules()
        except RuntimeError as exc:
            raise ConfigError(f"task {config.name!r}: categories {sorted(multi_turn)}: {exc}") from exc
    docs = [data_folder(config) / "multi_turn_func_doc" / name for name in FUNCTION_DOCS.values()] if multi_turn else []
    for path in [*(p for category in config.dataset.subsets for p in _files(config, category)), *docs]:
        if path is not None and not path.is_file():
            raise ConfigError(
                f"task {config.name!r}: {path} does not exist; dataset.local_path must be gorilla's bfcl_eval/data "
                f"at {GORILLA_COMMIT} (BFCL_v3_*.json; later commits hold BFCL_v4)"
            )


def _lines(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON lines ({exc}); is this gorilla's BFCL data?") from exc


def _as_string(category: str, param: dict[str, Any]) -> None:
    """utils.func_doc_language_specific_pre_processing for one Java or JavaScript parameter: its type, items and
    properties said in its description, its type made "string" (the model writes every argument as a literal)."""
    language = LANGUAGE_NAMES[category]
    if param["type"] == "any":
        param["description"] += f" This parameter can be of any type of {language} object in string representation."
    else:
        param["description"] += f" This is {language} {param['type']} type parameter in string representation."
    if param["type"] in (("ArrayList", "Array") if category == "java" else ("array",)):
        param["description"] += (f" The list elements are of type {param['items']['type']}; they are not in string "
                                 "representation.")
        del param["items"]
    if category == "javascript" and param["type"] == "dict" and "properties" in param:
        param["description"] += (" The dictionary entries have the following schema; they are not in string "
                                 f"representation. {json.dumps(param['properties'])}")
        del param["properties"]
    param["type"] = "string"


def documented(category: str, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The function docs as the handler sends them (func_doc_language_specific_pre_processing): each description
    with its language's note; Java and JavaScript parameters as strings. The item's own docs stay as they are (the
    checker reads the declared types)."""
    docs = copy.deepcopy(functions)
    for doc in docs:
        doc["description"] += HINTS.get(category, PYTHON_HINT)
        if category in LANGUAGE_NAMES:
            for param in doc["parameters"]["properties"].values():
                _as_string(category, param)
    return docs


def _tools_text(config: TaskConfig, category: str, functions: list[dict[str, Any]], system: str | None) -> str:
    """The system turn: the item's own system text, then the tools (json.dumps as the handler writes them)."""
    docs = documented(category, functions)
    tools = format_prompt(config, config.prompt, tools="".join(f"\n{json.dumps(f)}" for f in docs))
    return tools if system is None else f"{system}\n\n{tools}"


def _sample(config: TaskConfig, category: str, row: dict[str, Any], truth: Any) -> Sample:
    """An item's request; a multi-turn item's opening request (the tools turn and its first turn's messages), its
    later requests coming from its loop (tasks/bfcl_multi_turn.py)."""
    functions = offered_functions(data_folder(config), row)[0] if category in MULTI_TURN else row["function"]
    turns = row["question"][0]
    if functions:  # an item offering no function (a few live_irrelevance ones) gets no tools turn
        system = turns[0]["content"] if turns and turns[0]["role"] == "system" else None
        turns = [{"role": "system", "content": _tools_text(config, category, functions, system)},
                 *turns[system is not None:]]
    messages = tuple(Message(role=t["role"], parts=(TextPart(t["content"]),)) for t in turns)
    return Sample(task=config.name, sample_id=row["id"], messages=messages, reference=_reference(category, row, truth),
                  categories={CATEGORY: category})


def _rows(questions: Path, answers: Path | None) -> list[tuple[dict[str, Any], Any]]:
    """Each question row with its possible answer / ground truth (None for the relevance categories)."""
    truths = {a["id"]: a["ground_truth"] for a in _lines(answers)} if answers is not None else {}
    rows = _lines(questions)
    missing = next((row["id"] for row in rows if row["id"] not in truths), None)
    if answers is not None and missing is not None:
        raise ConfigError(f"{answers}: no possible answer for item {missing!r}")
    return [(row, truths.get(row["id"])) for row in rows]


def load_samples(config: TaskConfig) -> LoadedTask:
    check(config)
    samples, digests = [], {}
    for category in config.dataset.subsets:
        questions, answers = _files(config, category)
        samples += [_sample(config, category, row, truth) for row, truth in _rows(questions, answers)]
        for path in (questions, answers):
            if path is not None:
                digests[path.name if path == questions else f"possible_answer/{path.name}"] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
    if set(config.dataset.subsets) & set(MULTI_TURN):
        for name in FUNCTION_DOCS.values():
            path = data_folder(config) / "multi_turn_func_doc" / name
            digests[f"multi_turn_func_doc/{name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return LoadedTask(samples, {"local_path": str(config.dataset.local_path), "expected_commit": GORILLA_COMMIT,
                                "sha256": digests})


def _reference(category: str, row: dict[str, Any], truth: Any) -> BFCLItem | MultiTurnItem:
    if category in MULTI_TURN:
        return MultiTurnItem(category, row, tuple(tuple(turn) for turn in truth))
    return BFCLItem(category, tuple(row["function"]), None if truth is None else tuple(truth))


def read_gorilla_results(files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """gorilla's result files of a Qwen FC model (a folder of BFCL_v3_<category>_result.json, JSON lines with "id"
    and "result": the answer text, or for multi-turn the list of turns of step responses) against the data folder
    given as references; every item of each category present is scored, one without a result as failed."""
    if files.references is None:
        raise ValueError("--references must be gorilla's bfcl_eval/data folder at cd9429c (the questions and answers)")
    paths = [files.predictions] if files.predictions.is_file() else sorted(files.predictions.rglob("BFCL_v3_*.json"))
    if not paths:
        raise ValueError(f"{files.predictions} holds no BFCL_v3_<category>_result.json file")
    items = []
    for path in paths:
        category = path.name.removeprefix("BFCL_v3_").removesuffix("_result.json")
        if category not in SINGLE_TURN + MULTI_TURN:
            raise ValueError(f"{path}: {category!r} is not a BFCL-v3 category (the name must be "
                             "BFCL_v3_<category>_result.json)")
        results = {row["id"]: row["result"] for row in _lines(path)}
        for row, truth in _rows(*_data_files(files.references, category)):
            result = results.get(row["id"])
            if result is not None and category in SINGLE_TURN and not isinstance(result, str):
                raise ValueError(f"{path}: item {row['id']!r}: a Qwen FC result is text, not {type(result).__name__}")
            prediction = None if result is None else result if isinstance(result, str) else json.dumps(result)
            items.append(ScoreInput(row["id"], prediction, _reference(category, row, truth), {CATEGORY: category}))
    return BFCLScorer(), items


def make_smoke_fixture(folder: Path) -> None:
    def function(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return {"name": name, "description": f"Made-up smoke function {name}.",
                "parameters": {"type": "dict", "properties": properties, "required": required}}

    weather = function("get_weather", {"city": {"type": "string", "description": "The city."},
                                       "days": {"type": "integer", "description": "Days ahead."}}, ["city"])
    items: dict[str, list[tuple[dict[str, Any], list[dict[str, Any]] | None]]] = {
        "simple": [({"id": "simple_0", "question": [[{"role": "user", "content": "What's the weather in Oslo?"}]],
                     "function": [weather]}, [{"get_weather": {"city": ["Oslo"], "days": [""]}}])],
        "parallel": [({"id": "parallel_0", "question": [[{"role": "user", "content": "Weather in Lima and Quito?"}]],
                       "function": [weather]}, [{"get_weather": {"city": ["Lima"], "days": [""]}},
                                                {"get_weather": {"city": ["Quito"], "days": [""]}}])],
        "live_irrelevance": [({"id": "live_irrelevance_0-0-0", "question": [[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Write a haiku about autumn."}]], "function": [weather]}, None)],
    }  # fmt: skip
    (folder / "possible_answer").mkdir(exist_ok=True)
    for category, rows in items.items():
        (folder / f"BFCL_v3_{category}.json").write_text("".join(json.dumps(q) + "\n" for q, _ in rows))
        if category not in RELEVANCE:
            (folder / "possible_answer" / f"BFCL_v3_{category}.json").write_text(
                "".join(json.dumps({"id": q["id"], "ground_truth": truth}) + "\n" for q, truth in rows))


register(TaskSpec(
    name="bfcl_v3",
    title="BFCL-v3, all 17 categories (4,441 items): single-turn by the official AST checker, multi-turn as agent "
          "loops on the simulated APIs by the official multi-turn checker",
    modalities=("text",),
    dataset=DatasetConfig(hub_id=f"github:ShishirPatil/gorilla@{GORILLA_COMMIT}",
                          subsets=[*SINGLE_TURN, *MULTI_TURN], split="test", revision=GORILLA_COMMIT),
    scorer=ScorerConfig("bfcl"),
    prompt=TOOLS_PROMPT,
    prompt_fields=("tools",),
    load=load_samples,
    check=check,
    official_format=OfficialFormat(
        read_gorilla_results,
        "gorilla's result folder of a Qwen FC model: BFCL_v3_<category>_result.json, JSON lines {id, result} (the "
        "answer text; for multi-turn a list of turns of step responses); --references gorilla's bfcl_eval/data",
        takes=("references",),
    ),
    reported=reported_in(TEXT_TABLES, "BFCL-v3", "", "score"),
    max_new_tokens=4096,
    agent=multi_turn_loop,
    smoke=SmokeVariant(fixture="bfcl_v3", make_fixture=make_smoke_fixture,
                       subsets=("simple", "parallel", "live_irrelevance")),
))
