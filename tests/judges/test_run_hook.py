"""The judge hook in `evalkit run` / `evalkit rescore`: pre-flight before anything is generated, judge calls
cached across rescores, scores.json and the report saying who judged."""

from __future__ import annotations

import json
from pathlib import Path

from fake_judge_server import KEY_ENV, user_text
from manifests import made_manifest

from evalkit.cli import main as cli
from evalkit.hydra_config import load_run_config
from evalkit.judges.official import MATHVISTA_EXTRACTION
from evalkit.run_folder import MANIFEST, SampleRecord, write_manifest

TASK = "mmmu_val_smoke"  # a smoke task given the judged MathVista scorer
JUDGED_SCORER = (f"tasks.{TASK}.scorer.name=mathvista_judged", f"~tasks.{TASK}.scorer.options.mode")


def test_an_unreachable_judge_stops_the_run_before_the_model_loads(tmp_path: Path, capsys) -> None:
    model_dir = tmp_path / "never-built"
    code = cli(["run", f"model.path={model_dir}", f"output_dir={tmp_path}/o", f"cache_dir={tmp_path}/c",
                *JUDGED_SCORER, "judge.use=official", "judge.base_url=http://127.0.0.1:9/v1",
                "judge.api_key_env=null"])
    assert code == 2
    assert "judge endpoint http://127.0.0.1:9/v1 is unreachable" in capsys.readouterr().err
    assert not model_dir.exists() and not (tmp_path / "o" / "samples.jsonl").exists()


def judged_run(folder: Path, cache: Path, base_url: str) -> Path:
    """A finished run folder of one judged task: two responses the rules cannot extract, one they can."""
    cfg = load_run_config(["model=tiny_random", "suite=smoke", f"output_dir={folder}", f"cache_dir={cache}",
                           *JUDGED_SCORER, "judge.use=official", f"judge.base_url={base_url}",
                           f"judge.api_key_env={KEY_ENV}"])
    cfg.tasks = {TASK: cfg.tasks[TASK]}
    problem = {"answer": "8", "question_type": "free_form", "answer_type": "integer", "choices": [],
               "precision": None}
    responses = ["It is 8.", "Maybe 9.", "8"]
    folder.mkdir()
    write_manifest(folder / MANIFEST, made_manifest(cfg.to_dict()))
    lines = [SampleRecord(task=TASK, sample_id=f"s{i}", index=i, prompt="p", media=[], categories={}, cluster=None,
                          reference={"problem": problem, "query": f"Q{i}"}, cache_key=f"k{i}",
                          response={"text": text}).to_json() for i, text in enumerate(responses)]
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_rescore_judges_once_then_from_the_cache(start_judge_server, tmp_path: Path, capsys) -> None:
    extractions = {"Q0": "8", "Q1": "9"}  # the query is the only difference between the two judge prompts

    def answer(body):
        return 200, {"content": next(v for q, v in extractions.items() if f"\n\n{q}\n\n" in user_text(body))}

    server = start_judge_server([MATHVISTA_EXTRACTION.model], answer)
    run = judged_run(tmp_path / "run", tmp_path / "cache", server.base_url)
    for calls, hits in ((2, 0), (0, 2)):
        assert cli(["rescore", str(run)]) == 0
        score = json.loads((run / "scores.json").read_text())["tasks"][TASK]
        assert score["value"] == 200 / 3 and score["judge"]["rules_only"] == {"rule_stage_only_accuracy": 100 / 3}
        assert (score["judge"]["calls_made"], score["judge"]["cache_hits"]) == (calls, hits)
        assert score["judge"]["spec"]["model"] == "gpt-4-0613" and score["judge"]["substitute"] is False
    assert len(server.bodies) == 2
    assert "judged by the official judge, gpt-4-0613" in (run / "report.md").read_text()
    capsys.readouterr()

    assert cli(["rescore", str(run), "judge.use=none"]) == 0
    score = json.loads((run / "scores.json").read_text())["tasks"][TASK]
    assert score["value"] is None and score["judge"]["status"] == "not scored"
    assert f"{TASK}: accuracy NOT SCORED" in capsys.readouterr().out
    assert "NOT SCORED: no judge configured" in (run / "report.md").read_text()
