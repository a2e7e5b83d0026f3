"""The token-budget preflight inside a run: a sample that cannot fit is a recorded failure with its token count and
the limit, and the run goes on; bad inputs are clear errors naming the sample or file, before the model loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

import evalkit.generation as generation
from evalkit.cli import main as cli
from evalkit.config import ConfigError, MediaConfig
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.preflight import EngineLimits, Failure, Preflight, TokenCounter
from evalkit.prompting import ChatTemplateRenderer
from evalkit.task import user_turn
from evalkit.types import MediaRef, Sample

from .run_helpers import read_lines, smoke_overrides


def test_unfit_samples_are_recorded_with_their_tokens_and_the_run_goes_on(tmp_path: Path, tiny_model_dir) -> None:
    # max_model_len 200 less 24 new tokens: the smoke suite's speech prompts (81-125 tokens) fit; MMMU's Art item
    # (216) and every video question (about 290 text tokens before any frame) do not
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "runner.max_model_len=200",
                                "failures.max_failures=19")
    summary = run_evaluation(load_run_config(overrides))
    records = {(r["task"], r["sample_id"]): r for r in read_lines(tmp_path / "run" / "samples.jsonl")}
    failed = {key: r for key, r in records.items() if r["error"]}
    assert {r["error_stage"] for r in failed.values()} == {"budget"}
    assert set(failed) == {("mmmu_val_smoke", "validation_Art_1"), ("videomme_smoke", "001-1"),
                           ("videomme_smoke", "001-2"), ("videomme_smoke", "002-1")}
    art = failed[("mmmu_val_smoke", "validation_Art_1")]["error"]
    assert "216 prompt tokens + 24 new tokens exceed runner.max_model_len=200" in art
    video = failed[("videomme_smoke", "001-1")]["error"]
    assert "001-1" in video and "smokeColours.mp4" in video and "raise runner.max_model_len" in video
    assert summary.n_failed == 4 and summary.n_generated == 15
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())["token_budget"]
    assert manifest["limits"]["max_model_len"] == 200 and "max_model_len" in manifest["rule"]
    assert manifest["tasks"]["videomme_smoke"]["n_unfit"] == 3
    assert manifest["tasks"]["librispeech_test_clean_smoke"]["max_prompt_tokens"] == 105


def test_all_samples_unfit_never_load_the_model(tmp_path: Path, tiny_model_dir, monkeypatch) -> None:
    def refuse(*_):
        raise AssertionError("the engine was built although no sample fits")

    monkeypatch.setattr(generation, "build_runner", refuse)
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "runner.max_model_len=30",
                                "failures.max_failures=19")
    assert run_evaluation(load_run_config(overrides)).n_failed == 19


def test_a_model_folder_without_a_config_is_named(tmp_path: Path, tiny_model_dir) -> None:
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "config.json").unlink()
    with pytest.raises(ConfigError, match=f"model.path='{folder}' has no config.json"):
        overrides = smoke_overrides(folder, tmp_path / "run", tmp_path / "cache", "model.build_tiny=false")
        run_evaluation(load_run_config(overrides))


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x00\x18ftypmp42 broken"], ids=["zero-length", "corrupt"])
def test_corrupt_or_empty_videos_fail_by_name_in_the_preflight(tmp_path, tiny_model_dir, content) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(content)
    renderer = ChatTemplateRenderer(str(tiny_model_dir))
    preflight = Preflight(renderer, TokenCounter(renderer.processor), EngineLimits(32768, None, None))
    sample = Sample("t", "q7", user_turn([MediaRef("video", path=str(video))], "What happens?"), reference="A")
    failure = preflight.plan("t", sample, MediaConfig(), max_new_tokens=16).failure
    assert failure.stage == "media"
    assert f"video {video}: not decodable as video" in failure.reason and "re-encode it" in failure.reason


def test_plan_json_on_the_smoke_suite_gives_the_known_counts(tmp_path: Path, tiny_model_dir, capsys) -> None:
    """Known from the processor (test_token_counts) and the run's own responses: the longest prompt per task. The
    tiny thinker's KV cache: 2 layers x 1 KV head x head_dim 64 x 2 x 4 bytes (float32) = 1024 bytes a token."""
    overrides = smoke_overrides(tiny_model_dir, tmp_path / "run", tmp_path / "cache", "runner.max_model_len=200")
    assert cli(["plan", *overrides, "--json"]) == 0
    rows = {row["task"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    longest = {"librispeech_test_clean_smoke": 105, "librispeech_test_other_smoke": 95, "fleurs_en_smoke": 84,
               "fleurs_zh_smoke": 112, "fleurs_s2tt_en_zh_smoke": 125, "mmau_test_mini_smoke": 161,
               "mmmu_val_smoke": 216}
    assert {task: row["max_prompt_tokens"] for task, row in rows.items() if task in longest} == longest
    assert {task: row["n_unfit"] for task, row in rows.items()} == {**dict.fromkeys(longest, 0), "mmmu_val_smoke": 1,
                                                                   "videomme_smoke": 3}
    assert rows["mmau_test_mini_smoke"]["n_samples"] == 3
    assert rows["mmau_test_mini_smoke"]["kv_cache_bytes"] == 3 * (161 + 24) * 1024
    assert rows["mmmu_val_smoke"]["histogram"] == {"<=128": 1, "<=256": 2}
    assert not (tmp_path / "run").exists()  # planning writes no run folder


def test_vllm_item_limits_and_encoder_budget_are_checked(tmp_path: Path, tiny_model_dir) -> None:
    """limit_mm_per_prompt before any file is opened (the files here do not exist); one item over the per-item
    encoder budget named with its tokens: a 640x360 image is resized to 352x640, 11 x 20 merged patches = 220."""
    renderer = ChatTemplateRenderer(str(tiny_model_dir))
    counter = TokenCounter(renderer.processor)
    limits = EngineLimits(32768, 200, {"image": 3, "audio": 3, "video": 0})
    missing = [MediaRef("image", path=str(tmp_path / f"{i}.png")) for i in range(4)]
    over = Preflight(renderer, counter, limits).plan("t", Sample("t", "many", user_turn(missing, "?"), None),
                                                     MediaConfig(), 16).failure
    assert over == Failure("budget", "sample many: 4 image item(s), runner.limit_mm_per_prompt allows 3; raise "
                                     "runner.limit_mm_per_prompt.image")
    Image.new("RGB", (640, 360)).save(tmp_path / "wide.png")
    wide = Sample("t", "wide", user_turn([MediaRef("image", path=str(tmp_path / "wide.png"))], "?"), None)
    reason = Preflight(renderer, counter, limits).plan("t", wide, MediaConfig(), 16).failure.reason
    assert "image " in reason and "takes 220 tokens, over the engine's per-item encoder budget of 200" in reason
