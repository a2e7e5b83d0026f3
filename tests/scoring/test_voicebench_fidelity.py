"""VoiceBench's scorers against its official evaluators (MatthewCYM/VoiceBench @ 5338154, evaluate.py), run in a
scratch folder on made-up outputs (tests/fixtures/official/voicebench_case.json holds the outputs and what the
official evaluators said: per-item readings and totals, random fallbacks drawn after random.seed(42))."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.cli import main as cli
from evalkit.judges.engine import Judgement
from evalkit.judges.official import VOICEBENCH_OPEN, VOICEBENCH_QA
from evalkit.judges.verdicts import aggregate_verdicts, parse_verdict
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.ifeval import IFEvalPrompt
from evalkit.scoring.voicebench import (
    SpokenQuery,
    VoiceBenchBBHScorer,
    VoiceBenchIFEvalScorer,
    VoiceBenchMCQScorer,
    VoiceBenchOpenScorer,
    VoiceBenchQAScorer,
    VoiceBenchRefusalScorer,
    is_refusal,
)
from evalkit.scoring.voicebench_extraction import mcq_letter, normalize_bbh

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "official"
CASE = json.loads((FIXTURES / "voicebench_case.json").read_text(encoding="utf-8"))


def test_mcq_letters_and_accuracy_equal_the_official_evaluator():
    items = CASE["mcq"]["items"]
    assert [mcq_letter(i["response"]) for i in items] == [i["official_letter"] for i in items]
    scores = VoiceBenchMCQScorer().score([ScoreInput(str(n), i["response"], i["reference"])
                                          for n, i in enumerate(items)])
    scorer = VoiceBenchMCQScorer()
    assert scorer.aggregate(scores) == pytest.approx(CASE["mcq"]["official"]["acc"], abs=1e-9)
    assert 100 * sum(s.fallback for s in scores) / len(scores) == pytest.approx(CASE["mcq"]["official"]["fail"])


def test_bbh_answers_and_accuracy_equal_the_official_evaluator():
    items = CASE["bbh"]["items"]
    scores = VoiceBenchBBHScorer().score([ScoreInput(i["id"], i["response"], i["reference"]) for i in items])
    assert [int(s.extracted or -1) for s in scores] == [i["official_answer"] for i in items]
    assert VoiceBenchBBHScorer().aggregate(scores) == pytest.approx(CASE["bbh"]["official"]["acc"], abs=1e-9)


def test_bbh_rules_kept_as_the_official_code_has_them():
    assert normalize_bbh('<1> The "answer": is-B.<|user|>') == "the answer is b"
    hyperbaton = VoiceBenchBBHScorer().score([ScoreInput("hyperbaton_1", "b", "(A)"),
                                              ScoreInput("hyperbaton_2", "The answer is (b)", "(B)")])
    assert [s.stats["correct"] for s in hyperbaton] == [1.0, 1.0]  # a bare "b" reads as option (a)
    with pytest.raises(ValueError, match="names none of the tasks"):
        VoiceBenchBBHScorer().score([ScoreInput("date_understanding_1", "yes", "yes")])


def test_refusals_equal_the_official_evaluator():
    items = CASE["harm"]["items"]
    assert [is_refusal(i["response"]) for i in items] == [i["official_refusal"] for i in items]
    scores = VoiceBenchRefusalScorer().score([ScoreInput(str(n), i["response"], None) for n, i in enumerate(items)])
    assert VoiceBenchRefusalScorer().aggregate(scores) == pytest.approx(
        100 * CASE["harm"]["official"]["refusal_rate"], abs=1e-9)


def _judgements(spec, outputs):
    options = dict(spec.verdict_options)
    return [(Judgement(str(n), aggregate_verdicts(spec.aggregation, [parse_verdict(spec.verdict, o, options)
                                                                      for o in draws])),)
            for n, draws in enumerate(outputs)]


def test_open_judge_scores_average_as_the_official_evaluator():
    outputs = CASE["open"]["judge_outputs"]
    items = [ScoreInput(str(n), "an answer", SpokenQuery("a question")) for n in range(len(outputs))]
    scorer = VoiceBenchOpenScorer()
    scores = scorer.score_judged(items, _judgements(VOICEBENCH_OPEN, outputs))
    assert scorer.aggregate(scores) == pytest.approx(CASE["open"]["official"]["gpt"], abs=1e-9)


def test_qa_majority_equals_the_official_gpt_accuracy():
    outputs = CASE["qa"]["judge_outputs"]
    items = [ScoreInput(str(n), "an answer", SpokenQuery("a question", "a reference")) for n in range(len(outputs))]
    scorer = VoiceBenchQAScorer()
    scores = scorer.score_judged(items, _judgements(VOICEBENCH_QA, outputs))
    assert scorer.aggregate(scores) == pytest.approx(CASE["qa"]["official_gpt"], abs=1e-9)


def test_ifeval_final_equals_the_official_evaluator():
    prompts = json.loads((FIXTURES / "ifeval_case.json").read_text(encoding="utf-8"))["prompts"]
    items = [ScoreInput(str(n), row["response"],
                        IFEvalPrompt.from_row(prompts[row["case_prompt"]]["ids"], prompts[row["case_prompt"]]["kwargs"],
                                              f"case {n}"))
             for n, row in enumerate(CASE["ifeval"]["items"])]
    scorer = VoiceBenchIFEvalScorer()
    official = CASE["ifeval"]["official"]
    assert scorer.aggregate(scorer.score(items)) == pytest.approx(100 * official["final"], abs=1e-9)
    assert scorer.breakdown(scorer.score(items))["inst_level_loose"] == pytest.approx(
        100 * official["loose-instruction"], abs=1e-9)


def test_judged_items_ask_the_judge_with_the_transcript_and_fail_closed():
    open_scorer, qa_scorer = VoiceBenchOpenScorer(), VoiceBenchQAScorer()
    items = [ScoreInput("a", "Paris.", SpokenQuery("Capital of France?", "Paris")),
             ScoreInput("b", None, SpokenQuery("q", "r"))]
    asked = qa_scorer.judge_requests(items)
    assert asked[1] == () and asked[0][0].official == VOICEBENCH_QA
    fields = dict(asked[0][0].item.fields)
    assert fields == {"prompt": "Capital of France?", "reference": "Paris", "response": "Paris."}
    assert set(VOICEBENCH_QA.template.messages(fields)[1][1].split("\n")) >= {"Paris.", "Paris"}
    failed = open_scorer.score_judged(items, [(Judgement("a", None, "judge refused: it returned no text"),), ()])
    assert [s.failed for s in failed] == [True, True] and [s.stats["score"] for s in failed] == [1.0, 1.0]
    with pytest.raises(ValueError, match="needs a reference answer"):
        qa_scorer.judge_requests([ScoreInput("c", "x", SpokenQuery("q"))])


@pytest.mark.parametrize(("task", "part", "fields", "official"), [
    ("voicebench_openbookqa", "mcq", ("response", "reference"), CASE["mcq"]["official"]["acc"]),
    ("voicebench_bbh", "bbh", ("id", "response", "reference"), CASE["bbh"]["official"]["acc"]),
    ("voicebench_advbench", "harm", ("response",), 100 * CASE["harm"]["official"]["refusal_rate"]),
], ids=["openbookqa", "bbh", "advbench"])
def test_evalkit_score_reads_voicebench_output_files(tmp_path, capsys, task, part, fields, official):
    """main.py's output file scored by `evalkit score` gives evaluate.py's number (same order, same fallbacks)."""
    path = tmp_path / f"model-{part}-test-audio.jsonl"
    path.write_text("".join(json.dumps({"prompt": "a spoken question", **{k: i[k] for k in fields}}) + "\n"
                            for i in CASE[part]["items"]), encoding="utf-8")
    assert cli(["score", "--task", task, "--predictions", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["value"] == pytest.approx(official, abs=1e-9)
    path.write_text(json.dumps({"prompt": "q"}) + "\n", encoding="utf-8")
    assert cli(["score", "--task", task, "--predictions", str(path)]) != 0
    assert "line 1 lacks" in capsys.readouterr().err


@pytest.mark.parametrize(("task", "part", "official"), [
    ("voicebench_commoneval", "open", CASE["open"]["official"]["gpt"]),
    ("voicebench_sd_qa", "qa", CASE["qa"]["official_gpt"]),
], ids=["open", "sd-qa"])
def test_evalkit_score_reads_the_official_judges_recorded_draws(tmp_path, capsys, task, part, official):
    """api_judge.py's result file (its draws under "score") scored by `evalkit score`, no judge called."""
    path = tmp_path / f"result-model-{part}-test-audio.jsonl"
    path.write_text("".join(json.dumps({"prompt": "q", "reference": "r", "response": "a", "score": draws}) + "\n"
                            for draws in CASE[part]["judge_outputs"]), encoding="utf-8")
    assert cli(["score", "--task", task, "--predictions", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["value"] == pytest.approx(official, abs=1e-9)
    path.write_text(json.dumps({"prompt": "q", "reference": "r", "response": "a", "score": ["5", "five", "4"]}) + "\n",
                    encoding="utf-8")
    assert cli(["score", "--task", task, "--predictions", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["n_failed"] == 1  # an unreadable draw fails it
