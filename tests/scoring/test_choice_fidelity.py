"""Every answer-extraction fidelity case through `evalkit score --json`, against the numbers the official scripts
gave when run on the same files (run outside the repo; see each case's note). Exact where the official script is
deterministic or seeded; for unseeded random fallbacks, the fallback count is exact and the value lies in the
range from "every random draw wrong" to "every random draw right"."""

from __future__ import annotations

import argparse
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalkit import cli
from evalkit.commands import score

FIDELITY = Path(__file__).resolve().parents[2].parent / "shared" / "fidelity"


@dataclass(frozen=True)
class Case:
    task: str
    predictions: str  # relative to FIDELITY
    references: str | None
    value: float | tuple[float, float]  # exact, or (min, max) for unseeded random fallbacks
    n: int
    n_fallback: int
    printed: str  # what the official script printed, as a percentage with its decimals (MMMU's 0.367 -> "36.7")
    by_category: tuple[tuple[str, float], ...] = ()


N900, N1730 = 900, 1730
CASES = [
    # mmmu/main_parse_and_eval.py --subject ALL + print_results.py: Overall 0.367 (330/900), 2 random.choice calls
    Case("mmmu_val", "mmmu_val_llava15_13b_parse/llava1.5_13b", None, 100 * 330 / N900, N900, 2, "36.7",
         (("Accounting", 100 * 8 / 30), ("Business", 100 * 34 / 150), ("Tech and Engineering", 100 * 65 / 210))),
    # same, Qwen-VL: Overall 0.361 (325/900), 48 random.choice calls (seed 42)
    Case("mmmu_val", "mmmu_val_qwen_vl_parse/qwen_vl", None, 100 * 325 / N900, N900, 48, "36.1",
         (("Literature", 100 * 24 / 30), ("Science", 100 * 45 / 150))),
    # mmmu/main_eval_only.py: Overall 0.367 / 0.36 / 0.361 (330 / 324 / 325 of 900), no random draws
    Case("mmmu_val", "mmmu_val_llava15_13b_evalonly/total_val_output.json",
         "mmmu_val_llava15_13b_evalonly/answer_dict_val.json", 100 * 330 / N900, N900, 0, "36.7"),
    Case("mmmu_val", "mmmu_val_llava15_13b_runllava_evalonly/llava1.5_13b_val.json",
         "mmmu_val_llava15_13b_runllava_evalonly/answer_dict_val.json", 100 * 324 / N900, N900, 0, "36.0",
         (("Design", 100 * 19 / 30),)),
    Case("mmmu_val", "mmmu_val_qwen_vl_evalonly/total_val_output.json",
         "mmmu_val_qwen_vl_evalonly/answer_dict_val.json", 100 * 325 / N900, N900, 0, "36.1"),
    # mmmu-pro/evaluate.py (files renamed to *_standard_{cot,direct}.jsonl so its file pattern matches):
    # printed 55.03 (952/1730, no fallback); 40.12 / 40.17 over runs (694 + up to 6 of 7 fallbacks);
    # vision 50.06 (866 + up to 3 of 3); vision direct 42.08 / 42.37 / 42.20 over runs (725 + up to 47 of 48).
    Case("mmmu_pro_standard10", "mmmu_pro_gpt4o_standard10_cot/gpt-4o_standard(10 options)_cot.jsonl", None,
         100 * 952 / N1730, N1730, 0, "55.03"),
    Case("mmmu_pro_standard10", "mmmu_pro_gpt4o_standard10_direct/gpt-4o_standard(10 options)_direct.jsonl", None,
         (100 * 694 / N1730, 100 * 700 / N1730), N1730, 7, "40.12"),
    Case("mmmu_pro_vision", "mmmu_pro_gpt4o_vision_cot/gpt-4o_vision_cot.jsonl", None,
         (100 * 866 / N1730, 100 * 869 / N1730), N1730, 3, "50.06"),
    Case("mmmu_pro_vision", "mmmu_pro_gpt4o_vision_direct/gpt-4o_vision_direct.jsonl", None,
         (100 * 725 / N1730, 100 * 772 / N1730), N1730, 48, "42.08"),
    # evaluation/calculate_score.py: "Correct: 348/1000 - Accuracy: 34.80%" (= the authors' scores_bard.json)
    Case("mathvista_testmini", "mathvista_testmini_bard/output_bard.json", "mathvista_testmini_bard/testmini.json",
         34.8, 1000, 16, "34.80", (("textbook question answering", 100 * 0.4873417721518987),)),
    # "Correct: 261/1000 - Accuracy: 26.10%" (= scores_llava_llama_2_13b.json)
    Case("mathvista_testmini", "mathvista_testmini_llava_llama2_13b/output_llava_llama_2_13b.json", None,
         26.1, 1000, 12, "26.10", (("math word problem", 100 * 0.16129032258064516),)),
    # evaluation.py: "Total Accuracy: 32.30% over 1000 samples"; sound 32.73, music 34.73, speech 29.43, hard 27.97
    Case("mmau_test_mini", "mmau_testmini_synthetic/mmau-test-mini.synthetic_predictions.json", None,
         32.3, 1000, 0, "32.30",
         (("sound", 100 * 109 / 333), ("music", 100 * 116 / 334), ("speech", 100 * 98 / 333),
          ("hard", 100 * 66 / 236))),
    # eval_your_results.py: Overall 52.9% (1219 of 2305 answered); short 52.0 (404/777), medium 53.4 (402/753),
    # long 53.3 (413/775), Knowledge 51.5 (335/651), Temporal Perception 67.3 (35/52)
    Case("videomme", "videomme_synthetic/videomme_synthetic_results.json", None, 100 * 1219 / 2305, 2700, 0, "52.9",
         (("short", 100 * 404 / 777), ("medium", 100 * 402 / 753), ("long", 100 * 413 / 775),
          ("Knowledge", 100 * 335 / 651), ("Temporal Perception", 100 * 35 / 52))),
]


def evalkit_score(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    """`evalkit score ARGV --json` in-process; the last stdout line parsed. Goes through cli.main once every
    command module it lists exists; until then through the score command's own parser."""
    if all(importlib.util.find_spec(f"evalkit.commands.{m}") for m in cli.COMMANDS.values()):
        rc = cli.main(["score", *argv, "--json"])
    else:
        parser = argparse.ArgumentParser()
        score.add_arguments(parser)
        rc = score.main(parser.parse_args([*argv, "--json"]))
    out = capsys.readouterr().out
    assert rc == 0, out
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.predictions.split("/")[0])
def test_official_number(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    if not FIDELITY.is_dir():
        pytest.skip(f"fidelity files not found at {FIDELITY} (they live in the shared folder beside the checkout)")
    argv = ["--task", case.task, "--predictions", str(FIDELITY / case.predictions)]
    if case.references:
        argv += ["--references", str(FIDELITY / case.references)]
    result = evalkit_score(argv, capsys)

    assert (result["task"], result["metric"], result["n"], result["n_failed"]) == (case.task, "accuracy", case.n, 0)
    assert result["n_fallback"] == case.n_fallback
    decimals = len(case.printed.split(".")[1])
    if isinstance(case.value, tuple):
        low, high = case.value
        assert low - 1e-9 <= result["value"] <= high + 1e-9
        assert round(low, decimals) <= float(case.printed) <= round(high, decimals)  # the official run lies in it too
    else:
        assert result["value"] == pytest.approx(case.value, abs=1e-9)
        assert f"{result['value']:.{decimals}f}" == case.printed
    for name, value in case.by_category:
        assert result["by_category"][name] == pytest.approx(value, abs=1e-9), name


def _fidelity(case: str) -> Path:
    if not FIDELITY.is_dir():
        pytest.skip(f"fidelity files not found at {FIDELITY}")
    return FIDELITY / case


def test_videomme_strict_counts_the_unanswered_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    """The official script prints 52.9 over the 2305 answered; strict is its 1219 correct over all 2700."""
    path = _fidelity("videomme_synthetic") / "videomme_synthetic_results.json"
    official = evalkit_score(["--task", "videomme", "--predictions", str(path)], capsys)
    assert (official["n"], official["n_excluded"], official["denominator"]) == (2700, 395, 2305)
    assert official["strict_value"] == pytest.approx(100 * 1219 / 2700)
    strict = evalkit_score(["--task", "videomme", "--predictions", str(path), "--strict"], capsys)
    assert (strict["mode"], strict["denominator"]) == ("strict", 2700)
    assert strict["value"] == pytest.approx(100 * 1219 / 2700)
    assert strict["by_category"]["short"] == pytest.approx(100 * 404 / 900)  # 404 right of the 300 x 3 questions


def test_mmau_items_without_model_output_are_skipped_as_evaluation_py_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """evaluation.py skips items without `model_output`: 50 such items added to the fidelity file leave its printed
    "Total Accuracy: 32.30% over 1000 samples" unchanged; --strict counts them wrong (323 of 1050)."""
    rows = json.loads((_fidelity("mmau_testmini_synthetic") / "mmau-test-mini.synthetic_predictions.json").read_text())
    unanswered = [{k: v for k, v in {**row, "id": f"{row['id']}-unanswered"}.items() if k != "model_output"}
                  for row in rows[:50]]
    path = tmp_path / "with_unanswered.json"
    path.write_text(json.dumps(rows + unanswered), encoding="utf-8")
    official = evalkit_score(["--task", "mmau_test_mini", "--predictions", str(path)], capsys)
    assert (official["value"], official["n"], official["n_failed"], official["denominator"]) == (
        pytest.approx(32.3), 1050, 50, 1000)
    assert official["by_category"]["sound"] == pytest.approx(100 * 109 / 333)
    strict = evalkit_score(["--task", "mmau_test_mini", "--predictions", str(path), "--strict"], capsys)
    assert (strict["value"], strict["denominator"]) == (pytest.approx(100 * 323 / 1050), 1050)


def test_mmmu_eval_only_scores_the_predicted_ids_and_strict_the_answer_dict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """main_eval_only.py scores the ids it is given. Without Accounting (8 of 30 right in its official run) the
    overall is (330 - 8) / 870; --strict counts the 30 unpredicted ids of the answer dict wrong: 322 / 900."""
    case = _fidelity("mmmu_val_llava15_13b_evalonly")
    predicted = json.loads((case / "total_val_output.json").read_text())
    path = tmp_path / "without_accounting.json"
    path.write_text(json.dumps({k: v for k, v in predicted.items() if "_Accounting_" not in k}), encoding="utf-8")
    argv = ["--task", "mmmu_val", "--predictions", str(path), "--references", str(case / "answer_dict_val.json")]
    official = evalkit_score(argv, capsys)
    assert (official["value"], official["n"], official["n_failed"]) == (pytest.approx(100 * 322 / 870), 870, 0)
    assert "Accounting" not in official["by_category"]
    strict = evalkit_score([*argv, "--strict"], capsys)
    assert (strict["value"], strict["n"], strict["n_failed"]) == (pytest.approx(100 * 322 / 900), 900, 30)
    assert strict["by_category"]["Accounting"] == 0.0


def test_strict_refuses_an_mmmu_folder_with_a_subject_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    folder = tmp_path / "outputs"
    shutil.copytree(_fidelity("mmmu_val_llava15_13b_parse") / "llava1.5_13b", folder)
    shutil.rmtree(folder / "Accounting")
    official = evalkit_score(["--task", "mmmu_val", "--predictions", str(folder)], capsys)
    assert official["n"] == 870  # main_parse_and_eval.py: "Skipping Accounting for not found"
    assert cli.main(["score", "--task", "mmmu_val", "--predictions", str(folder), "--strict"]) == 2
    assert "Accounting" in capsys.readouterr().err
