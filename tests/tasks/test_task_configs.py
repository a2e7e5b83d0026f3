"""Task and suite configs compose with Hydra, validate into TaskConfig, and fail with named mistakes."""

from __future__ import annotations

import csv

import pytest
from hydra.errors import MissingConfigException

from evalkit.commands.tasks import config_names
from evalkit.config import CONFIG_DIR, REPO_ROOT, ConfigError
from evalkit.scoring.registry import build_scorer
from evalkit.task import check_task

REPORTED = REPO_ROOT / "results" / "reference" / "reported_scores.csv"
ALL_SUITES = config_names(CONFIG_DIR, "suite")


def test_default_config_is_the_smoke_suite_on_the_tiny_model(compose_run, smoke_run):
    run = compose_run()
    assert (run.suite, run.model.name, run.runner.name) == ("smoke", "tiny_random", "transformers")
    assert list(run.tasks) == list(smoke_run.tasks)


def test_smoke_suite_covers_every_adapter_and_modality(smoke_run):
    assert {t.adapter for t in smoke_run.tasks.values()} == {"librispeech", "fleurs", "mmau", "mmmu", "videomme"}
    for name, task in smoke_run.tasks.items():
        assert task.name == name
        assert task.dataset.local_path.startswith("tests/fixtures/smoke/")


def test_smoke_tasks_override_only_data_and_budgets(compose_run, smoke_run):
    """A smoke task is its real task with the fixture's path: adapter, scorer and prompt are inherited."""
    real = compose_run("suite=paper_audio").tasks | compose_run("suite=paper_vision").tasks
    for name, smoke in smoke_run.tasks.items():
        base = real.get(name.removesuffix("_smoke"))
        if base is None:  # S2TT pairs are in no paper suite yet
            continue
        assert (smoke.adapter, smoke.scorer, smoke.prompt) == (base.adapter, base.scorer, base.prompt)
        assert smoke.paper == base.paper  # the report sets the smoke run beside the published numbers
        assert smoke.dataset.hub_id == base.dataset.hub_id


def test_paper_suites(compose_run, smoke_run):
    audio = compose_run("suite=paper_audio").tasks
    assert len([n for n in audio if n.startswith("fleurs_")]) == 18  # the 18 languages the model card names
    assert audio["librispeech_test_other"].dataset.subsets == ["other"]
    assert audio["fleurs_yue"].scorer.options == {"language": "yue", "unit": "cer"}
    assert audio["fleurs_de"].prompt.format(source_language="German") == "Transcribe the German audio into text."
    assert audio["fleurs_de"].options["source_language"] == "German"
    vision = compose_run("suite=paper_vision").tasks
    assert len(vision["mmmu_val"].dataset.subsets) == 30
    assert vision["videomme"].media.fps == 2.0


@pytest.mark.parametrize("suite", ALL_SUITES)
def test_every_task_builds_its_scorer_and_names_a_reported_row(compose_run, suite):
    with REPORTED.open() as f:
        rows = {(r["benchmark"], r["subset"]) for r in csv.DictReader(f)}
    for task in compose_run(f"suite={suite}").tasks.values():
        build_scorer(task.scorer.name, **task.scorer.options)  # options match the scorer's signature
        if task.paper is not None:
            assert (task.paper.benchmark, task.paper.subset) in rows, task.name


def test_smoke_tasks_pass_the_up_front_checks(smoke_run):
    for task in smoke_run.tasks.values():
        check_task(task)


def test_wrong_suite_lists_the_valid_ones(compose_run):
    with pytest.raises(MissingConfigException) as error:
        compose_run("suite=paper_audoi")
    message = str(error.value)
    assert "paper_audoi" in message and "paper_audio" in message and "smoke" in message


def test_wrong_task_key_is_named(compose_run):
    with pytest.raises(ConfigError, match=r"task 'mmmu_val_smoke'.*datset"):
        compose_run("+tasks.mmmu_val_smoke.datset.split=test")


def test_wrong_type_is_named(compose_run):
    with pytest.raises(ConfigError, match=r"(?s)task 'mmmu_val_smoke'.*could not be converted to Integer.*full_key: max_new_tokens"):
        compose_run("tasks.mmmu_val_smoke.max_new_tokens=many")


def test_unknown_adapter_lists_the_valid_ones(smoke_task):
    with pytest.raises(ConfigError, match="unknown adapter 'mmu'; valid adapters: fleurs, librispeech, mmau, mmmu, scale, videomme"):
        check_task(smoke_task("mmmu_val_smoke", adapter="mmu"))


def test_unknown_prompt_field_is_named(smoke_task):
    with pytest.raises(ConfigError, match=r"prompt uses unknown field\(s\) \['choices'\]; adapter 'videomme' provides"):
        check_task(smoke_task("videomme_smoke", prompt="{question}\n{choices}"))
