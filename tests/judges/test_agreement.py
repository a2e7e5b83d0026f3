"""Agreement between two judges, checked against hand computation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.cli import main as cli
from evalkit.judges.agreement import agreement, cohen_kappa, load_verdicts
from evalkit.run_folder import SampleRecord


def test_kappa_by_hand() -> None:
    # 10 verdicts: both yes 4, both no 3, A yes/B no 2, A no/B yes 1.
    # p_o = 7/10; A says yes 6/10, B says yes 5/10; p_e = .6*.5 + .4*.5 = .5; kappa = (.7-.5)/(1-.5) = 0.4
    a = ["y"] * 4 + ["n"] * 3 + ["y"] * 2 + ["n"]
    b = ["y"] * 4 + ["n"] * 3 + ["n"] * 2 + ["y"]
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="undefined"):
        cohen_kappa(["y", "y"], ["y", "y"])


def test_numeric_correlations_by_hand() -> None:
    a = {"1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0, "only_a": 5.0}
    b = {"1": 2.0, "2": 4.0, "3": 5.0, "4": 4.5}
    result = agreement("t", a, b)
    # centred a: -1.5 -.5 .5 1.5; centred b: -1.875 .125 1.125 .625
    # cov = 2.8125+(-.0625)+.5625+.9375 = 4.25; |a| = sqrt(5), |b| = sqrt(3.515625+.015625+1.265625+.390625)
    assert result.pearson == pytest.approx(4.25 / (5 ** 0.5 * 5.1875 ** 0.5))
    assert result.spearman == pytest.approx(0.8)  # ranks 1,2,3,4 vs 1,2,4,3: 1 - 6*2/(4*15)
    assert (result.n_both, result.n_only_a, result.n_only_b, result.kind) == (4, 1, 0, "numeric")


def test_judge_agreement_command(tmp_path: Path, capsys) -> None:
    def write(name: str, verdicts: list[str | None]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps({"task": "mathvista_testmini", "sample_id": str(i), "verdict": v,
                                            "error": None if v else "judge refused"}) + "\n"
                                for i, v in enumerate(verdicts)))
        return path

    a = write("a.jsonl", ["A", "B", "A", "C", None])
    b = write("b.jsonl", ["A", "B", "C", "C", "A"])
    assert cli(["judge-agreement", str(a), str(b), "--json"]) == 0
    [task] = json.loads(capsys.readouterr().out.splitlines()[-1])["tasks"]
    # p_o = 3/4; A: A2 B1 C1, B: A1 B1 C2 -> p_e = (2*1 + 1*1 + 1*2)/16 = 5/16; kappa = (12/16-5/16)/(11/16) = 7/11
    assert task["kappa"] == pytest.approx(7 / 11) and (task["n_both"], task["n_only_b"]) == (4, 1)


def test_verdicts_of_several_requests_are_read_per_request(tmp_path: Path) -> None:
    def record(sample_id: str, detail: dict) -> str:
        return SampleRecord(task="arena_hard_v2", sample_id=sample_id, index=0, prompt="p", media=[], categories={},
                            cluster=None, reference=None, cache_key="k", response={"text": "t"},
                            score_detail=detail).to_json()

    games = {"q1#game1": {"verdict": "B>A", "error": None, "outputs": ["[[B>A]]"]},
             "q1#game2": {"verdict": None, "error": "unparsable verdict", "outputs": ["?"]}}
    (tmp_path / "samples.jsonl").write_text(record("q1", {"judges": games}) + "\n" + record("q2", {}) + "\n")
    assert load_verdicts(tmp_path) == {"arena_hard_v2": {"q1#game1": "B>A"}}
