"""MathVista's judged extraction end to end: `evalkit score --task mathvista_testmini --judge ...` on the authors'
published Bard outputs, with a fake judge that answers each prompt with the extraction the authors' GPT judge
made (stored in the same file). The judged pipeline must then give the authors' published score, 34.80."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_judge_server import KEY_ENV, user_text

from evalkit.cli import main as cli
from evalkit.judges.official import MATHVISTA_EXTRACTION
from evalkit.judges.panel import JudgePanel
from evalkit.judges.spec import JudgeConfig
from evalkit.scoring.mathvista_extraction import read_mathvista_responses

FIDELITY = Path(__file__).resolve().parents[2].parent / "shared" / "fidelity"
OUTPUT = FIDELITY / "mathvista_testmini_bard" / "output_bard.json"


@pytest.fixture
def bard() -> dict:
    if not OUTPUT.is_file():
        pytest.skip(f"fidelity files not found at {OUTPUT}")
    return json.loads(OUTPUT.read_text(encoding="utf-8"))


def replaying_judge(rows: dict):
    """The authors' extraction for each (query, response) prompt."""
    by_prompt = {MATHVISTA_EXTRACTION.template.user.format(query=row["query"], response=row["response"]):
                 row["extraction"] for row in rows.values()}
    return lambda body: (200, {"content": by_prompt[user_text(body)]})


def score(tmp_path: Path, capsys, *judge: str, predictions: Path = OUTPUT) -> tuple[dict, str]:
    argv = ["score", "--task", "mathvista_testmini", "--predictions", str(predictions), "--json",
            "--judge-cache", str(tmp_path / "cache"), "--judgements", str(tmp_path / "judgements.jsonl"),
            "--judge", *judge]
    assert cli(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out.strip().splitlines()[-1]), out


def test_judged_extraction_reproduces_the_published_score(bard, start_judge_server, tmp_path: Path, capsys) -> None:
    server = start_judge_server([MATHVISTA_EXTRACTION.model], replaying_judge(bard))
    endpoint = ["use=official", f"base_url={server.base_url}", f"api_key_env={KEY_ENV}"]
    first, _ = score(tmp_path, capsys, *endpoint)
    distinct = len({(row["query"], row["response"]) for row in bard.values()})  # the same input is asked once
    assert first["value"] == pytest.approx(34.8)  # Correct: 348/1000 (the authors' scores_bard.json)
    assert first["judge"]["rules_only"] == {"rule_stage_only_accuracy": 0.0}  # every Bard response needs the extractor
    judge = first["judge"]
    assert (judge["calls_made"], judge["cache_hits"], judge["failed"], judge["substitute"]) == (distinct, 0, 0, False)
    assert judge["spec"]["model"] == "gpt-4-0613" and judge["spec"]["template"]["sha256"] == \
        MATHVISTA_EXTRACTION.template.sha256
    body = server.bodies[0]
    assert body["temperature"] == 0.0 and body["max_tokens"] == 1024 and len(body["messages"]) == 1
    assert user_text(body).startswith("Please read the following example.")

    again, printed = score(tmp_path, capsys, *endpoint)  # a re-run: every call served from the cache
    assert again["value"] == first["value"] and len(server.bodies) == distinct
    assert (again["judge"]["calls_made"], again["judge"]["cache_hits"]) == (0, distinct)
    assert f"judged by the official judge: gpt-4-0613 (0 calls, {distinct} from the cache" in printed
    lines = (tmp_path / "judgements.jsonl").read_text().splitlines()
    first_line = json.loads(lines[0])
    assert len(lines) == 1000 and first_line["verdict"] == bard[first_line["sample_id"]]["extraction"]


def test_substitute_judge_is_marked(start_judge_server, tmp_path: Path, capsys) -> None:
    server = start_judge_server(["my-local-judge"], lambda body: (200, {"content": "8"}))
    result, printed = score(tmp_path, capsys, "use=substitute", "model=my-local-judge", f"base_url={server.base_url}",
                            f"api_key_env={KEY_ENV}", predictions=small_output(tmp_path))
    assert result["value"] == pytest.approx(200 / 3)
    assert result["judge"]["substitute"] is True
    assert result["judge"]["spec"]["model"] == "my-local-judge" and result["judge"]["official"]["model"] == "gpt-4-0613"
    assert "judged by a SUBSTITUTE judge: my-local-judge" in printed


def test_without_a_judge_the_task_is_not_scored(bard, tmp_path: Path, capsys) -> None:
    result, printed = score(tmp_path, capsys, "use=none")
    assert "NOT SCORED (no judge configured)" in printed
    assert result["value"] is None and result["by_category"] == {}
    assert result["judge"]["status"] == "not scored" and result["judge"]["needing_judge"] == 1000
    assert result["judge"]["rules_only"] == {"rule_stage_only_accuracy": 0.0}  # the rule stage still runs, labelled


def small_output(folder: Path) -> Path:
    """Three problems: a response that is a choice's text, one that is an integer, one for the extractor."""
    rows = {
        "1": {"query": "Q1", "response": "12 cm", "answer": "12 cm", "question_type": "multi_choice",
              "answer_type": "text", "choices": ["10 cm", "12 cm"], "precision": None, "extraction": "12 cm"},
        "2": {"query": "Q2", "response": "7", "answer": "8", "question_type": "free_form",
              "answer_type": "integer", "choices": None, "precision": None, "extraction": "7"},
        "3": {"query": "Q3", "response": "It is about 8.", "answer": "8", "question_type": "free_form",
              "answer_type": "integer", "choices": None, "precision": None, "extraction": "8"},
    }
    path = folder / "output.json"
    path.write_text(json.dumps(rows))
    return path


def test_rule_stage_decides_without_a_call(start_judge_server, tmp_path: Path) -> None:
    """Responses the official rules extract (a choice's text, an integer) never reach the judge; the rest fail
    closed when the judge gives no verdict."""
    path = small_output(tmp_path)
    server = start_judge_server([MATHVISTA_EXTRACTION.model], lambda body: (200, {"content": " "}))
    scorer, items = read_mathvista_responses(path, None)
    panel = JudgePanel(JudgeConfig(use="official", base_url=server.base_url, api_key_env=KEY_ENV), tmp_path)
    judged = panel.score(scorer, items)
    panel.close()
    assert len(server.bodies) == 1
    assert user_text(server.bodies[0]).endswith("Q3\n\nIt is about 8.\n\nExtracted answer: ")
    assert [s.stats["correct"] for s in judged.scores] == [1.0, 0.0, 0.0]
    assert [s.failed for s in judged.scores] == [False, False, True]
    assert judged.scores[2].detail["judge"]["error"] == "judge refused: it returned no text (finish_reason stop)"
    assert judged.report["rules_only"] == {"rule_stage_only_accuracy": pytest.approx(100 / 3)}
