"""`evalkit compare` on small real run folders: flips, exit codes, thresholds, direction, unusable input."""

from __future__ import annotations

import argparse
import json
import shutil

import numpy as np
import pytest
from run_builder import TaskSpec, accuracy_records, flip, record, write_run

from evalkit.commands import compare as compare_command


def run_compare(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    compare_command.add_arguments(parser)
    return compare_command.main(parser.parse_args([str(a) for a in argv]))


@pytest.fixture
def correct() -> list[bool]:
    return list(np.random.default_rng(5).random(200) < 0.7)


def test_flipped_answers_are_reported_exactly_and_fail_the_gate(tmp_path, correct, capsys):
    records = accuracy_records("mmmu_val", correct)
    right = [i for i, c in enumerate(correct) if c][:25]
    wrong = [i for i, c in enumerate(correct) if not c][:2]
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(flip(records, right + wrong))})

    assert run_compare(run_a, run_b, "--json") == 1
    task = json.loads(capsys.readouterr().out)["tasks"]["mmmu_val"]
    assert task["right_to_wrong"] == [f"mmmu_val-{i:04d}" for i in right]
    assert task["wrong_to_right"] == [f"mmmu_val-{i:04d}" for i in wrong]
    assert task["output_changed"] == [f"mmmu_val-{i:04d}" for i in sorted(right + wrong)]
    assert task["difference"]["delta"] == pytest.approx(-23 / 200 * 100)
    # McNemar exact: 25 vs 2 discordant, p = 2 * sum_{k<=2} C(27,k) / 2^27 = 2 * 379 / 2^27
    assert task["mcnemar"]["p_value"] == pytest.approx(2 * 379 / 2**27)
    assert task["regressed"] is True and task["difference"]["interval"]["high"] < 0


def test_text_output_names_flips_and_the_verdict(tmp_path, correct, capsys):
    records = accuracy_records("mmmu_val", correct)
    right = [i for i, c in enumerate(correct) if c][:3]
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(flip(records, right))})
    code = run_compare(run_a, run_b)
    out = capsys.readouterr().out
    assert "mmmu_val right→wrong: " + ", ".join(f"mmmu_val-{i:04d}" for i in right) in out
    # 3 flips of 200: the paired interval reaches zero, so no regression is declared
    assert code == 0 and "no significant change" in out and "No regression." in out


def test_a_run_against_itself_passes(tmp_path, correct, capsys):
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(accuracy_records("mmmu_val", correct))})
    assert run_compare(run_a, run_a) == 0
    assert "| +0.00 | [0.00, 0.00] | 1 | 0 | 0 |" in capsys.readouterr().out


def test_threshold_tolerates_a_regression_smaller_than_it(tmp_path, correct):
    records = accuracy_records("mmmu_val", correct)
    right = [i for i, c in enumerate(correct) if c][:20]  # 10 points worse
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(flip(records, right))})
    assert run_compare(run_a, run_b, "--threshold", "mmmu_val=12") == 0
    assert run_compare(run_a, run_b, "--threshold", "12", "--threshold", "mmmu_val=8") == 1
    assert run_compare(run_a, run_b, "--threshold", "9.5") == 1


def error_rate_run(folder, errors: list[int]):
    records = [record("asr", i, {"errors": float(e), "ref_words": 10.0}) for i, e in enumerate(errors)]
    return write_run(folder, {"asr": TaskSpec(records, scorer="test_error_rate")})


def test_direction_aware_error_rate_up_is_worse(tmp_path, capsys):
    base = list(np.random.default_rng(1).integers(0, 2, 300))
    worse = [e + 1 if i % 2 == 0 else e for i, e in enumerate(base)]  # WER up by 5 points
    run_base, run_worse = error_rate_run(tmp_path / "a", base), error_rate_run(tmp_path / "b", worse)
    assert run_compare(run_base, run_worse) == 1
    out = capsys.readouterr().out
    assert "WER ↓" in out and "+5.00" in out and "| — | — | — |" in out  # no McNemar or flips for WER
    assert run_compare(run_worse, run_base) == 0  # the reverse is an improvement


def test_different_sample_sets_are_reported_not_intersected(tmp_path, correct, capsys):
    records = accuracy_records("mmmu_val", correct)
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(records[:-3])})
    assert run_compare(run_a, run_b) == 2
    err = capsys.readouterr().err
    assert "3 sample(s) only in A: mmmu_val-0197, mmmu_val-0198, mmmu_val-0199" in err


def test_different_task_sets_exit_2(tmp_path, correct, capsys):
    records = accuracy_records("mmmu_val", correct)
    other = accuracy_records("mmau", correct[:50])
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records), "mmau": TaskSpec(other)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(records)})
    assert run_compare(run_a, run_b) == 2
    assert f"tasks only in A ({run_a}): mmau" in capsys.readouterr().err


def test_missing_files_and_bad_thresholds_exit_2_with_a_clear_message(tmp_path, correct, capsys):
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(accuracy_records("mmmu_val", correct))})
    broken = tmp_path / "b"
    shutil.copytree(run_a, broken)
    (broken / "scores.json").unlink()
    assert run_compare(run_a, broken) == 2
    assert f"{broken / 'scores.json'} is missing" in capsys.readouterr().err
    assert run_compare(run_a, tmp_path / "nowhere") == 2
    assert "not a run folder" in capsys.readouterr().err
    assert run_compare(run_a, run_a, "--threshold", "mmmu_val=abc") == 2
    assert run_compare(run_a, run_a, "--threshold", "typo_task=1") == 2
    assert "typo_task" in capsys.readouterr().err


def test_a_failed_sample_counts_wrong_in_the_difference_but_is_no_flip(tmp_path, correct, capsys):
    records = accuracy_records("mmmu_val", correct)
    first_right = next(i for i, c in enumerate(correct) if c)
    failed = list(records)
    failed[first_right] = record("mmmu_val", first_right, {"correct": 0.0, "total": 1.0}, error="runner: timeout")
    run_a = write_run(tmp_path / "a", {"mmmu_val": TaskSpec(records)})
    run_b = write_run(tmp_path / "b", {"mmmu_val": TaskSpec(failed)})
    run_compare(run_a, run_b, "--json")
    task = json.loads(capsys.readouterr().out)["tasks"]["mmmu_val"]
    assert task["right_to_wrong"] == [] and task["mcnemar"]["a_only"] == 0  # not answered in B: no flip
    assert (task["n_answered_both"], task["unanswered_a"], task["unanswered_b"]) == (199, 0, 1)
    assert task["difference"]["delta"] == pytest.approx(-0.5)  # the official number counts it wrong


def test_mcnemar_and_flips_pair_only_items_answered_in_both_runs(tmp_path, capsys):
    """Six questions, by hand. A: right, right, wrong, wrong, right, unanswered (excluded);
    B: wrong, right, right, failed, unanswered, wrong. Answered in both: 0, 1, 2; flips 0 (right->wrong) and
    2 (wrong->right); McNemar on 1 + 1 discordant pairs: p = 1. Unanswered: 1 in A, 2 in B. Official values:
    A 3 of 5 answered = 60%; B 2 of 5 counted (the failure counts wrong, the exclusion does not) = 40%."""
    def run(outcomes):
        records = []
        for i, outcome in enumerate(outcomes):
            right = float(outcome == "right")
            records.append(record("videomme", i, {"correct": right, "total": 1.0}, answer="A" if right else "B",
                                  error="runner: timeout" if outcome == "failed" else None,
                                  excluded=outcome == "unanswered"))
        return records

    run_a = write_run(tmp_path / "a", {"videomme": TaskSpec(run(["right", "right", "wrong", "wrong", "right",
                                                                 "unanswered"]))})
    run_b = write_run(tmp_path / "b", {"videomme": TaskSpec(run(["wrong", "right", "right", "failed", "unanswered",
                                                                 "wrong"]))})
    run_compare(run_a, run_b, "--json")
    task = json.loads(capsys.readouterr().out)["tasks"]["videomme"]
    assert task["right_to_wrong"] == ["videomme-0000"] and task["wrong_to_right"] == ["videomme-0002"]
    assert task["mcnemar"] == {"a_only": 1, "b_only": 1, "p_value": 1.0}
    assert (task["n_answered_both"], task["unanswered_a"], task["unanswered_b"]) == (3, 1, 2)
    assert (task["difference"]["value_a"], task["difference"]["value_b"]) == (pytest.approx(60.0), pytest.approx(40.0))
    assert task["notes"] == []  # the recomputed official values equal scores.json's
    run_compare(run_a, run_b)
    assert "| 1/2 |" in capsys.readouterr().out
