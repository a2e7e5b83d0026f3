"""`suite=smoke_all`: every registered task's smoke variant, end to end on the tiny model (the slow test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.cli import main as cli
from evalkit.registry import smoke_task_names

from .run_helpers import read_lines


@pytest.mark.slow
def test_every_smoke_variant_runs_end_to_end(tmp_path: Path, tiny_model_dir: Path) -> None:
    out = tmp_path / "run"
    overrides = ["model=tiny_random", "suite=smoke_all", f"model.path={tiny_model_dir}", f"output_dir={out}",
                 f"cache_dir={tmp_path / 'cache'}", "runner.batch_size=16"]
    assert cli(["run", *overrides]) == 0
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))["tasks"]
    assert list(scores) == smoke_task_names()
    records = read_lines(out / "samples.jsonl")
    # one line per fixture item: 2 per LibriSpeech config, Fleurs en and zh 2 each and the 17 other languages 1,
    # 2 per S2TT direction, 3 MMAU, MMMU and Video-MME items; 3 clips for each of the 6 music-tagging tasks,
    # 3 WorldSense, Daily-Omni and Video-Holmes questions, 2 RUL-MuchoMusic and 2 MMSU reasoning items;
    # fleurs_avg19 all 21 Fleurs utterances; the S2TT pair averages 17 (en2xx), 19 (xx2en), 17 (zh2xx), 19 (xx2zh)
    # paired utterances; Common Voice 4, WenetSpeech 2, MIR-1K and Opencpop 1 each; 3 HumanEval problems and
    # 1 MultiPL-E problem per language; 3 IFEval prompts; 2 per speech-generation task (16 of them);
    # MMMU-Pro 3 + 2 + 1, MathVista, AI2D, MMStar, HallusionBench, ChartQA, CountBench, MLVU and LVBench 2 each;
    # Arena-Hard 2 hard prompts + 1 creative, Creative Writing 2 pieces, WritingBench 2 queries;
    # GPQA 3, AIME25 3 problems x 2 draws, MMLU-Redux 3, ZebraLogic 2, PolyMATH 2 languages x 4 levels,
    # LiveBench reasoning 3 (its fourth question left the release), language 3, data analysis 3, instruction
    # following 2, math 4, coding 3; MathVision 3; MM-MT-Bench 3 turns of 2 conversations; Multi-IF 3 + 2 turns
    # (each turn a record); BFCL-v3 3 items; VoiceBench 1 per subset and split (MMSU: 12 domains)
    assert len(records) == (4 + 4 + 17 + 4 + 9 + 18 + 9 + 2 + 2 + 21 + (17 + 19 + 17 + 19) + 4 + 2 + 2 + 3 + 8 + 3
                            + 6 + 16 + 32 + 7 + 3 + 6 + 3 + 2 + 8 + 3 + 3 + 3 + 2 + 4 + 3 + 3 + 3 + 5 + 3 + 20)
    assert all(scores[name]["n"] >= 1 for name in scores)
    # without a judge the judged tasks are NOT SCORED (their items needing a judge fail so); every other sample is
    # answered
    judged = {"mathvista_testmini_smoke", "arena_hard_v2_smoke", "arena_hard_v2_creative_writing_smoke",
              "creative_writing_v3_smoke", "writingbench_smoke", "mm_mt_bench_smoke", "voicebench_alpacaeval_smoke",
              "voicebench_commoneval_smoke", "voicebench_wildvoice_smoke", "voicebench_sd_qa_smoke"}
    assert all(scores[name]["judge"]["status"] == "not scored" and scores[name]["value"] is None for name in judged)
    assert all(scores[name]["n_failed"] == 0 for name in scores if name not in judged)
    # AIME25's two draws of a problem are two requests with their own seeds (their cache keys differ), one cluster
    draws = [r for r in records if r["task"] == "aime25_smoke" and r["cluster"] == "0"]
    assert sorted(r["sample_id"] for r in draws) == ["0#0", "0#1"] and len({r["cache_key"] for r in draws}) == 2
