"""Agent loops (evalkit.agents) on BFCL-v3 multi-turn items: a scripted engine's <tool_call> answers drive real items
of gorilla's data through the loop (the simulated APIs of bfcl-eval 2025.8.6.2 run the calls), the gathered answer
is gorilla's result shape and scores as the official checker scores it, the step limit and a held-out function's
turn are the handler's, and a run killed mid-loop resumes losing and repeating nothing."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

import evalkit.generation as generation
from evalkit.agents import AgentFailure
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.registry import task_spec
from evalkit.runners.base import EngineInfo
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.bfcl import BFCLScorer, MultiTurnItem
from evalkit.scoring.bfcl_multi_turn import judge_recorded
from evalkit.types import Response
from tasks.bfcl import load_samples
from tasks.bfcl_multi_turn import MAXIMUM_STEP_LIMIT, MultiTurnLoop, assistant_text, multi_turn_loop

from .run_helpers import read_lines, stable_records

bfcl_eval = pytest.importorskip("bfcl_eval", reason="needs bfcl-eval==2025.8.6.2 (gorilla @ cd9429c's data and "
                                                    "simulated APIs); `make` installs it")
DATA = Path(bfcl_eval.__file__).parent / "data"
ITEMS = {"multi_turn_base": ["multi_turn_base_3", "multi_turn_base_4"],
         "multi_turn_miss_func": ["multi_turn_miss_func_0"]}


def block(call: str) -> str:
    """A ground-truth call string (keyword arguments) as the model's <tool_call> block."""
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    arguments = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    return f"<tool_call>\n{json.dumps({'name': node.func.id, 'arguments': arguments})}\n</tool_call>"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """gorilla's data folder holding only the items of ITEMS (a copy, from the installed bfcl-eval)."""
    folder = tmp_path / "data"
    (folder / "possible_answer").mkdir(parents=True)
    shutil.copytree(DATA / "multi_turn_func_doc", folder / "multi_turn_func_doc")
    for category, ids in ITEMS.items():
        for sub in ("", "possible_answer/"):
            lines = (DATA / f"{sub}BFCL_v3_{category}.json").read_text(encoding="utf-8").splitlines()
            (folder / f"{sub}BFCL_v3_{category}.json").write_text(
                "".join(line + "\n" for line in lines if json.loads(line)["id"] in ids), encoding="utf-8")
    return folder


def loaded(data: Path, category: str) -> dict:
    config = task_spec("bfcl_v3").task_config()
    config.dataset.local_path, config.dataset.subsets = str(data), [category]
    return {s.sample_id: (config, s) for s in load_samples(config).samples}


def drive(loop: MultiTurnLoop, answers: list[list[str]]) -> list:
    """Each scripted answer to the step the loop asks for; the steps asked for, (turn, step, conversation)."""
    asked = []
    for turn in answers:
        for answer in turn:
            step = loop.next_step()
            assert step is not None
            asked.append(step)
            loop.take(answer)
    assert loop.next_step() is None
    return asked


def test_a_scripted_item_gathers_gorillas_result_and_scores_as_the_checker(data):
    config, sample = loaded(data, "multi_turn_base")["multi_turn_base_3"]
    item = sample.reference
    assert isinstance(item, MultiTurnItem)
    # turn 0: the calls in two steps, then text; turn 1: all four calls in one step, then text
    first, rest = block(item.ground_truth[0][0]), "\n".join(block(c) for c in item.ground_truth[1])
    answers = [[first, "Found ./projects/photography/test_image1.jpg."], [rest, "Done."]]
    loop = multi_turn_loop(config, sample)
    assert loop is not None
    asked = drive(loop, answers)
    assert [(s.turn, s.step) for s in asked] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert json.loads(loop.answer()) == answers  # gorilla's result: the turns of step answers
    assert judge_recorded(item, loop.answer()).valid
    wrong = [[first, "ok"], [block("cd(folder='projects')"), "ok"]]
    assert not judge_recorded(item, json.dumps(wrong)).valid
    # the conversation of the last step, as QwenFCHandler._format_prompt renders it
    roles = [m.role for m in asked[-1].messages]
    texts = [m.parts[0].text for m in asked[-1].messages]  # type: ignore[union-attr]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "assistant", "user"]
    assert texts[0] == sample.messages[0].parts[0].text and texts[1] == item.entry["question"][0][0]["content"]
    assert texts[2] == first and texts[3].startswith('<tool_response>\n{"matches": ["./projects/photography/test_')
    assert texts[5] == item.entry["question"][1][0]["content"]
    assert texts[6] == rest and texts[7].count("<tool_response>") == 4
    loop.close()


def test_answers_come_back_as_the_handler_writes_them():
    call = '<tool_call>\n{"name":"cd","arguments":{"folder":"d\\u00e9"}}\n</tool_call>'
    assert assistant_text("thinking aloud " + call + " " + call) == (
        '<tool_call>\n{"name": "cd", "arguments": {"folder": "d\\u00e9"}}\n</tool_call>' * 2)  # no newline: equal
    assert assistant_text("No call needed.") == "No call needed."


def test_a_call_to_no_api_method_is_refused_and_an_unwritable_call_fails_the_item(data, tmp_path):
    config, sample = loaded(data, "multi_turn_base")["multi_turn_base_3"]
    loop = multi_turn_loop(config, sample)
    assert loop is not None
    target = tmp_path / "written.txt"
    loop.take(f'<tool_call>\n{{"name": "open", "arguments": {{"file": "{target}", "mode": "w"}}}}\n</tool_call>')
    step = loop.next_step()
    assert step is not None and not target.exists()
    assert step.messages[-1].parts[0].text == (  # type: ignore[union-attr]
        "<tool_response>\nError during execution: name 'evalkit_refused_call' is not defined\n</tool_response>")
    loop.take("<tool_call>\nnot json\n</tool_call>")  # no call: the turn ends; the handler cannot write it back
    with pytest.raises(AgentFailure, match="cannot write back"):
        loop.next_step()
    loop.close()


def test_the_step_limit_force_terminates_the_item(data):
    config, sample = loaded(data, "multi_turn_base")["multi_turn_base_3"]
    loop = multi_turn_loop(config, sample)
    assert loop is not None
    asked = drive(loop, [[block("pwd()")] * (MAXIMUM_STEP_LIMIT + 1)])  # 21 executed steps: then no turn 1
    assert asked[-1].step == MAXIMUM_STEP_LIMIT
    verdict = judge_recorded(sample.reference, loop.answer())
    assert (verdict.valid, verdict.error_type) == (False, "multi_turn:force_terminated")
    loop.close()


def test_a_held_out_function_arrives_at_its_turn(data):
    config, sample = loaded(data, "multi_turn_miss_func")["multi_turn_miss_func_0"]
    item = sample.reference
    assert item.entry["missed_function"] == {"3": ["sort"]}
    loop = multi_turn_loop(config, sample)
    assert loop is not None
    asked = drive(loop, [["ok"]] * 5)
    tools = sample.messages[0].parts[0].text
    assert '"name": "sort"' not in tools and '"name": "mv"' in tools
    assert all("'name': 'sort'" not in m.parts[0].text for s in asked[:3] for m in s.messages)
    held = asked[3].messages[-1].parts[0].text
    assert held.startswith("[{'name': 'sort', 'description': 'This tool belongs to the Gorilla file system.")
    assert held.endswith("}]\nI have updated some more functions you can choose from. What about now?")
    assert "Python 3 syntax" not in held  # popped before the docs get their note, as in gorilla
    loop.close()


class ScriptedRunner:
    """An engine answering each step by its id from a script ("Done." otherwise); it counts what it was asked."""

    name = "scripted"

    def __init__(self, script: dict[str, str], asked: list[str], budgets: dict[str, tuple[int, int]] | None = None):
        self.script, self.asked, self.budgets = script, asked, {} if budgets is None else budgets

    def generate(self, batch):
        self.asked.extend(p.sample.sample_id for p in batch)
        self.budgets.update({p.sample.sample_id: (len(p.prompt_token_ids), p.request.decoding.max_new_tokens)
                             for p in batch})
        return [Response(text=self.script.get(p.sample.sample_id, "Done."), prompt_tokens=10, output_tokens=5)
                for p in batch]

    def info(self):
        return EngineInfo("scripted", "", None, None, "none", "cpu", {})

    def close(self):
        pass


def script(data: Path) -> dict[str, str]:
    """Item 3 answers with the ground truth (valid); item 4 calls twice in turn 0, then ends every turn at once."""
    truth = {json.loads(line)["id"]: json.loads(line)["ground_truth"]
             for line in (data / "possible_answer" / "BFCL_v3_multi_turn_base.json").read_text().splitlines()}
    steps = {f"multi_turn_base_3@{turn}.0": "\n".join(block(c) for c in calls)
             for turn, calls in enumerate(truth["multi_turn_base_3"])}
    return {**steps, "multi_turn_base_4@0.0": block("ls(a=True)"), "multi_turn_base_4@0.1": block("pwd()")}


def overrides(model: Path, data: Path, run: Path, cache: Path) -> list[str]:
    return ["model=tiny_random", f"model.path={model}", "tasks=[bfcl_v3]", f"output_dir={run}", f"cache_dir={cache}",
            f"tasks.bfcl_v3.dataset.local_path={data}", "tasks.bfcl_v3.dataset.subsets=[multi_turn_base]",
            "use_response_cache=false"]


def test_a_run_generates_every_step_and_scores_the_items(tmp_path, data, tiny_model_dir, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(generation, "build_runner", lambda *a: ScriptedRunner(script(data), asked))
    summary = run_evaluation(load_run_config(overrides(tiny_model_dir, data, tmp_path / "run", tmp_path / "cache")))
    assert asked == ["multi_turn_base_3@0.0", "multi_turn_base_4@0.0", "multi_turn_base_3@0.1",
                     "multi_turn_base_4@0.1", "multi_turn_base_3@1.0", "multi_turn_base_4@0.2",
                     "multi_turn_base_3@1.1", "multi_turn_base_4@1.0", "multi_turn_base_4@2.0"]  # a round per step
    records = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl")}
    assert sorted(records) == ["multi_turn_base_3", "multi_turn_base_4"]  # the steps leave when the run finalizes
    assert json.loads(records["multi_turn_base_4"]["response"]["text"]) == [
        [block("ls(a=True)"), block("pwd()"), "Done."], ["Done."], ["Done."]]
    assert records["multi_turn_base_4"]["response"]["output_tokens"] == 25
    assert [records[f"multi_turn_base_{n}"]["stats"]["correct"] for n in (3, 4)] == [1, 0]
    assert summary.scores["bfcl_v3"].value == 50.0
    # `evalkit rescore` reads the items back from samples.jsonl: the reference as its JSON form
    rescored = BFCLScorer().score([ScoreInput(r["sample_id"], r["response"]["text"], r["reference"])
                                   for r in records.values()])
    assert [s.stats["correct"] for s in rescored] == [1.0, 0.0]


def test_a_step_gets_what_the_context_leaves_as_gorillas_handler_asks(tmp_path, data, tiny_model_dir, monkeypatch):
    budgets: dict[str, tuple[int, int]] = {}
    monkeypatch.setattr(generation, "build_runner", lambda *a: ScriptedRunner(script(data), [], budgets))
    config = [*overrides(tiny_model_dir, data, tmp_path / "run", tmp_path / "cache"),
              "tasks.bfcl_v3.max_new_tokens=4000"]
    run_evaluation(load_run_config(config))
    assert {budget for _, budget in budgets.values()} == {4000}
    context = budgets["multi_turn_base_4@0.0"][0] + 4000 + 2  # item 4's first step fits; its later ones are longer
    budgets.clear()
    run_evaluation(load_run_config([*config, f"runner.max_model_len={context}", "resume=false"]))
    assert budgets["multi_turn_base_4@0.0"][1] == 4000 and 0 < budgets["multi_turn_base_4@2.0"][1] < 4000
    assert all(budget == min(4000, context - prompt - 2) for prompt, budget in budgets.values())


class KilledRunner(ScriptedRunner):
    """Killed (as by Ctrl-C) when asked for one step: the steps answered before it are journaled, it is not."""

    def generate(self, batch):
        if any(p.sample.sample_id == "multi_turn_base_4@0.2" for p in batch):
            raise KeyboardInterrupt
        return super().generate(batch)


def test_a_run_killed_mid_round_resumes_losing_and_repeating_nothing(tmp_path, data, tiny_model_dir, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(generation, "build_runner", lambda *a: KilledRunner(script(data), asked))
    config = [*overrides(tiny_model_dir, data, tmp_path / "run", tmp_path / "cache"), "runner.batch_size=1"]
    with pytest.raises(KeyboardInterrupt):
        run_evaluation(load_run_config(config))
    journaled = [r["sample_id"] for r in read_lines(tmp_path / "run" / "samples.jsonl")]
    assert journaled == asked == ["multi_turn_base_3@0.0", "multi_turn_base_4@0.0", "multi_turn_base_3@0.1",
                                  "multi_turn_base_4@0.1", "multi_turn_base_3@1.0"]  # round 3 half answered
    monkeypatch.setattr(generation, "build_runner", lambda *a: ScriptedRunner(script(data), asked))
    resumed = run_evaluation(load_run_config(config))
    assert asked[5:] == ["multi_turn_base_3@1.1", "multi_turn_base_4@0.2", "multi_turn_base_4@1.0",
                         "multi_turn_base_4@2.0"]  # each step asked once over both invocations
    assert resumed.n_generated == 4
    run_evaluation(load_run_config(overrides(tiny_model_dir, data, tmp_path / "whole", tmp_path / "cache")))
    assert stable_records(tmp_path / "run" / "samples.jsonl") == stable_records(tmp_path / "whole" / "samples.jsonl")


class FailingRunner(ScriptedRunner):
    def generate(self, batch):
        if any(p.sample.sample_id == "multi_turn_base_4@0.1" for p in batch):
            raise RuntimeError("injected engine failure")
        return super().generate(batch)


def test_a_failed_step_fails_its_item_and_a_resumed_run_retries_it(tmp_path, data, tiny_model_dir, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(generation, "build_runner", lambda *a: FailingRunner(script(data), asked))
    config = [*overrides(tiny_model_dir, data, tmp_path / "run", tmp_path / "cache"), "failures.max_failures=5"]
    first = run_evaluation(load_run_config(config))
    record = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl")}["multi_turn_base_4"]
    assert first.n_failed == 1 and record["error_stage"] == "runner"
    assert record["error"] == "step multi_turn_base_4@0.1: RuntimeError: injected engine failure"
    monkeypatch.setattr(generation, "build_runner", lambda *a: ScriptedRunner(script(data), asked))
    second = run_evaluation(load_run_config(config))
    assert second.n_failed == 0 and second.scores["bfcl_v3"].value == 50.0


def test_an_answer_the_loop_cannot_go_on_from_fails_its_item_as_the_models(tmp_path, data, tiny_model_dir,
                                                                           monkeypatch):
    asked: list[str] = []
    broken = {**script(data), "multi_turn_base_4@0.0": "<tool_call>\nnot json\n</tool_call>"}
    monkeypatch.setattr(generation, "build_runner", lambda *a: ScriptedRunner(broken, asked))
    config = [*overrides(tiny_model_dir, data, tmp_path / "run", tmp_path / "cache"), "failures.max_failures=5"]
    summary = run_evaluation(load_run_config(config))
    record = {r["sample_id"]: r for r in read_lines(tmp_path / "run" / "samples.jsonl")}["multi_turn_base_4"]
    assert record["error_stage"] == "output" and "cannot write back" in record["error"]
    assert [s for s in asked if s.startswith("multi_turn_base_4")] == ["multi_turn_base_4@0.0"]
    assert (summary.n_failed, summary.scores["bfcl_v3"].value) == (1, 50.0)
    again = run_evaluation(load_run_config(config))  # the model's answer: kept, not asked again
    assert (again.n_generated, again.n_failed) == (0, 1)
