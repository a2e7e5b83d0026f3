"""VoiceBench's judged subsets through `evalkit rescore` with a judge server: the open subsets' three draws
averaged, sd-qa's majority of three, and the report's Overall naming the subsets it still lacks."""

from __future__ import annotations

import json
from pathlib import Path

from fake_judge_server import KEY_ENV, user_text
from manifests import made_manifest

from evalkit.cli import main as cli
from evalkit.hydra_config import load_run_config
from evalkit.judges.official import VOICEBENCH_OPEN
from evalkit.run_folder import MANIFEST, SampleRecord, write_manifest

OPEN, QA = "voicebench_commoneval_smoke", "voicebench_sd_qa_smoke"


def _run_folder(folder: Path, cache: Path, base_url: str) -> Path:
    cfg = load_run_config(["model=tiny_random", "suite=smoke_all", f"output_dir={folder}", f"cache_dir={cache}",
                           "judge.use=official", f"judge.base_url={base_url}", f"judge.api_key_env={KEY_ENV}"])
    cfg.tasks = {name: cfg.tasks[name] for name in (OPEN, QA)}
    answers = {OPEN: [("What is rain?", None, "Water falling from clouds."), ("Say hello.", None, "Goodbye.")],
               QA: [("Capital of France?", "Paris", "It is Paris."), ("Capital of Peru?", "Lima", "Quito.")]}
    folder.mkdir()
    write_manifest(folder / MANIFEST, made_manifest(cfg.to_dict()))
    lines = [SampleRecord(task=task, sample_id=f"{task}-{i}", index=i, prompt="", media=[], categories={},
                          cluster=None, reference={"prompt": prompt, "reference": reference}, cache_key=f"{task}{i}",
                          response={"text": text}).to_json()
             for task, rows in answers.items() for i, (prompt, reference, text) in enumerate(rows)]
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_judged_subsets_score_through_the_official_judges(start_judge_server, tmp_path: Path) -> None:
    draws: dict[str, int] = {}

    def answer(body):
        text = user_text(body)
        if "### Candidate answer" in text:  # sd-qa: right when the candidate names the reference
            return 200, {"content": "Yes" if "It is Paris." in text else "No"}
        draws[text] = draws.get(text, 0) + 1  # open: the three draws of "Goodbye." score 1, 2, 3
        return 200, {"content": "5" if "Water falling" in text else str(draws[text])}

    server = start_judge_server([VOICEBENCH_OPEN.model], answer)
    run = _run_folder(tmp_path / "run", tmp_path / "cache", server.base_url)
    assert cli(["rescore", str(run)]) == 0
    scores = json.loads((run / "scores.json").read_text())["tasks"]
    assert scores[OPEN]["value"] == (5 + 2) / 2  # item means 5 and (1 + 2 + 3) / 3
    assert scores[QA]["value"] == 50.0
    assert (scores[OPEN]["judge"]["calls_made"], scores[QA]["judge"]["calls_made"]) == (6, 6)
    assert scores[QA]["judge"]["spec"]["template"]["name"] == "voicebench_qa"
    report = (run / "report.md").read_text()
    assert "voicebench_overall_smoke (NOT SCORED: voicebench_alpacaeval_smoke, voicebench_wildvoice_smoke" in report
