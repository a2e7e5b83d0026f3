"""VoiceBench's subset tasks: the spoken instruction alone, references in the shape each scorer reads, bad rows
refused before the model loads."""

from __future__ import annotations

import shutil

import datasets
import pytest

from evalkit.config import ConfigError
from evalkit.registry import SMOKE_FIXTURES, all_aggregates
from evalkit.scoring.voicebench import SpokenQuery
from evalkit.task import load_task
from evalkit.types import MediaPart
from tasks.voicebench import MMSU_DOMAINS, SUBSETS


def test_every_subset_is_spoken_alone_and_a_member_of_the_overall(smoke_task):
    assert [m.task for m in all_aggregates()["voicebench_overall"].members] == [s.task for s in SUBSETS]
    for subset in SUBSETS:
        samples = load_task(smoke_task(subset.task + "_smoke")).samples
        assert samples and all(len(s.messages) == 1 and [type(p) for p in s.messages[0].parts] == [MediaPart]
                               for s in samples)


def test_references_and_categories(smoke_task):
    sd_qa = load_task(smoke_task("voicebench_sd_qa_smoke")).samples
    assert [(s.sample_id, s.reference) for s in sd_qa] == [("usa/0", SpokenQuery("Paris?", "Paris"))]
    mmsu = load_task(smoke_task("voicebench_mmsu_smoke")).samples
    assert [(s.sample_id, s.categories) for s in mmsu] == [(f"{d}/0", {"split": d}) for d in MMSU_DOMAINS]
    bbh = load_task(smoke_task("voicebench_bbh_smoke")).samples
    assert [(s.sample_id, s.reference, s.categories) for s in bbh] == [
        ("sports_understanding_0", "yes", {"task": "sports_understanding"})]


def _with_rows(tmp_path, config: str, split: str, change: dict) -> str:
    """A copy of the smoke fixture whose one row of `config`/`split` has `change` applied."""
    folder = tmp_path / "voicebench"
    shutil.copytree(f"{SMOKE_FIXTURES}/voicebench", folder)
    path = folder / config / f"{split}-00000-of-00001.parquet"
    rows = datasets.Dataset.from_parquet(str(path))
    rows.map(lambda row: {**row, **change}).to_parquet(str(path))
    return str(folder)


@pytest.mark.parametrize(("task", "config", "split", "change", "message"), [
    ("voicebench_sd_qa_smoke", "sd-qa", "usa", {"reference": " "},
     r"voicebench_sd_qa_smoke sample usa/0: empty reference"),
    ("voicebench_bbh_smoke", "bbh", "test", {"id": "date_understanding_3"},
     r"voicebench_bbh_smoke sample date_understanding_3: .*names none of the tasks"),
    ("voicebench_bbh_smoke", "bbh", "test", {"reference": "maybe"}, r"reference 'maybe' is not one of yes, no"),
    ("voicebench_openbookqa_smoke", "openbookqa", "test", {"reference": "E"}, r"'E' is not an option letter"),
    ("voicebench_commoneval_smoke", "commoneval", "test", {"prompt": ""}, r"test/0: empty prompt; the judge reads"),
])  # fmt: skip
def test_bad_rows_are_refused_naming_the_sample(smoke_task, tmp_path, task, config, split, change, message):
    config_of_task = smoke_task(task)
    config_of_task.dataset.local_path = _with_rows(tmp_path, config, split, change)
    with pytest.raises(ConfigError, match=message):
        load_task(config_of_task)


def test_splits_are_joined_by_plus_and_must_be_present(smoke_task):
    task = smoke_task("voicebench_mmsu_smoke")
    task.dataset.split = "law+physics"
    assert [s.sample_id for s in load_task(task).samples] == ["law/0", "physics/0"]
    task.dataset.split = "law+"
    with pytest.raises(ConfigError, match="names an empty split"):
        load_task(task)
    task.dataset.split = "law+astronomy"
    with pytest.raises(ConfigError, match="astronomy"):
        load_task(task)
