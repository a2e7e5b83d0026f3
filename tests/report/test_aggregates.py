"""Aggregates of several tasks in the report: VoiceBench Overall from its nine subsets, LiveBench's overall from its
six categories."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from run_builder import TaskSpec, accuracy_records, write_run

from evalkit.registry import all_aggregates
from evalkit.report.rows import aggregate_score, build_report, combined_interval
from evalkit.run_folder import Interval, TaskScore, load_run
from evalkit.scoring.base import SampleScore
from evalkit.scoring.registry import build_scorer

OVERALL = all_aggregates()["voicebench_overall"]
# the VoiceBench leaderboard's GPT-4o-Audio row (MatthewCYM/VoiceBench README): nine subsets, Overall 86.75
GPT4O_AUDIO = {"voicebench_alpacaeval": 4.78, "voicebench_commoneval": 4.49, "voicebench_wildvoice": 4.58,
               "voicebench_sd_qa": 75.50, "voicebench_mmsu": 80.25, "voicebench_openbookqa": 89.23,
               "voicebench_bbh": 84.10, "voicebench_ifeval": 76.02, "voicebench_advbench": 98.65}


def _score(task: str, value: float | None) -> TaskScore:
    return TaskScore(task=task, metric="m", value=value, strict_value=value, lower_is_better=False, n=10,
                     n_failed=1, n_excluded=0, denominator=10, official_denominator="all", n_fallback=2,
                     n_reasoning_unclosed=0, by_category={}, scorer={"name": "x", "options": {}})


def test_voicebench_overall_is_the_leaderboards_mean_of_nine_with_judged_scores_x20():
    score, missing = aggregate_score(OVERALL, {task: _score(task, v) for task, v in GPT4O_AUDIO.items()})
    assert missing == ()
    assert score.value == pytest.approx(86.75, abs=0.005) and score.strict_value == score.value
    assert score.by_category["voicebench_alpacaeval"] == pytest.approx(95.6)
    assert (score.n, score.n_failed, score.n_fallback) == (90, 9, 18)


def test_a_missing_or_unjudged_member_leaves_the_overall_without_a_value_and_named():
    scores = {task: _score(task, v) for task, v in GPT4O_AUDIO.items() if task != "voicebench_bbh"}
    scores["voicebench_wildvoice"] = replace(scores["voicebench_wildvoice"], value=None)
    score, missing = aggregate_score(OVERALL, scores)
    assert score.value is None and score.strict_value is None
    assert missing == ("voicebench_wildvoice", "voicebench_bbh")


def test_the_report_sets_the_overall_beside_the_papers_voicebench_column(tmp_path):
    tasks = {task: TaskSpec(accuracy_records(task, [True, True, False, True])) for task in GPT4O_AUDIO}
    report = build_report(load_run(write_run(tmp_path / "full", tasks)))
    row = next(r for r in report.rows if r.task == "voicebench_overall")
    # every member at 75%: the three judged ones x20 (1500), the six others as they are
    assert row.score.value == pytest.approx((3 * 1500 + 6 * 75) / 9)
    assert row.table is not None and row.table.name == "audio->text (understanding, music)"
    assert (row.qwen_model, row.qwen_value, row.baselines) == ("Qwen3-Omni-30B-A3B-Instruct", 85.5,
                                                               {"Gemini-2.5-Pro": 89.6})
    thinking = build_report(load_run(write_run(tmp_path / "thinking", tasks, variant="thinking")))
    row = next(r for r in thinking.rows if r.task == "voicebench_overall")
    assert (row.qwen_model, row.qwen_value) == ("Qwen3-Omni-30B-A3B-Thinking", 88.8)
    partial = {task: tasks[task] for task in ("voicebench_mmsu", "voicebench_bbh")}
    row = next(r for r in build_report(load_run(write_run(tmp_path / "partial", partial))).rows
               if r.task == "voicebench_overall")
    assert row.score.value is None and "voicebench_alpacaeval" in row.label and "NOT SCORED" in row.label
    assert not any(r.task == "voicebench_overall" for r in build_report(load_run(write_run(
        tmp_path / "none", {"mmmu_val": TaskSpec(accuracy_records("mmmu_val", [True]))}))).rows)


def test_the_overall_interval_combines_the_members_as_independent_normals():
    scores = {task: _score(task, v) for task, v in GPT4O_AUDIO.items()}
    score, _ = aggregate_score(OVERALL, scores)
    # judged members +-0.1 on 1..5 (x20: +-2), the others +-2: sqrt(9 * 2**2) / 9 = 2/3
    intervals = {t: Interval(v - h, v + h, 0.95, 1000, "percentile bootstrap")
                 for t, v in GPT4O_AUDIO.items() for h in [0.1 if v < 5 else 2.0]}
    interval = combined_interval(OVERALL, score, intervals)
    assert interval is not None and (interval.high - interval.low) / 2 == pytest.approx(2 / 3)
    assert interval.low == pytest.approx(score.value - 2 / 3) and interval.confidence == 0.95
    assert combined_interval(OVERALL, score, {**intervals, "voicebench_bbh": None}) is None


def test_a_run_with_intervals_gives_the_overall_a_verdict(tmp_path):
    tasks = {task: TaskSpec(accuracy_records(task, [True, False] * 20)) for task in GPT4O_AUDIO}
    report = build_report(load_run(write_run(tmp_path / "run", tasks, with_intervals=True)))
    row = next(r for r in report.rows if r.task == "voicebench_overall")
    assert row.interval is not None and row.interval.low < row.score.value < row.interval.high
    assert row.verdict == "outside"  # 3 x 1000 + 6 x 50 over 9 is far from 85.5


LIVEBENCH = all_aggregates()["livebench_overall"]
LIVEBENCH_CASE = json.loads((Path(__file__).parents[1] / "fixtures" / "official_cases" / "livebench_overall.json")
                            .read_text(encoding="utf-8"))


def test_livebench_overall_equals_show_livebench_result():
    """Made-up judgments of one model (uneven task sizes, partial credit) through evalkit's category scorer and the
    aggregate, against show_livebench_result.py's category columns and average (pandas, before its rounding)."""
    by_category: dict[str, list[SampleScore]] = {}
    for j in LIVEBENCH_CASE["judgments"]:
        by_category.setdefault(j["category"], []).append(
            SampleScore(j["question_id"], {"score": j["score"], "total": 1.0}, categories={"task": j["task"]}))
    scorer = build_scorer("livebench")
    scores = {f"livebench_{c}": _score(f"livebench_{c}", scorer.aggregate(s)) for c, s in by_category.items()}
    for category, official in LIVEBENCH_CASE["categories"].items():
        assert scores[f"livebench_{category}"].value == pytest.approx(official, abs=1e-9)
    score, missing = aggregate_score(LIVEBENCH, scores)
    assert missing == () and score.value == pytest.approx(LIVEBENCH_CASE["average"], abs=1e-9)
    assert round(score.value, 1) == LIVEBENCH_CASE["printed_average"]


def test_the_report_sets_livebench_overall_beside_the_thinking_tables_column(tmp_path):
    tasks = {m.task: TaskSpec(accuracy_records(m.task, [True, False, True, True])) for m in LIVEBENCH.members}
    row = next(r for r in build_report(load_run(write_run(tmp_path / "t", tasks, variant="thinking"))).rows
               if r.task == "livebench_overall")
    assert row.score.value == pytest.approx(75.0)
    assert (row.qwen_model, row.qwen_value) == ("Qwen3-Omni-30B-A3B-Thinking", 71.8)
    assert row.baselines == {"Gemini-2.5-Flash-Thinking": 74.3}
    del tasks["livebench_coding"]
    row = next(r for r in build_report(load_run(write_run(tmp_path / "five", tasks, variant="thinking"))).rows
               if r.task == "livebench_overall")
    assert row.score.value is None and "livebench_coding" in row.label
