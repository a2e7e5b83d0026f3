import json
from pathlib import Path

import pytest

from evalkit.run_folder import (
    SCHEMA_VERSION,
    RunFolderError,
    RunStore,
    SampleRecord,
    atomic_write_text,
    load_run,
    read_scores,
)


def record(sample_id: str, index: int = 0, error: str | None = None, stage: str | None = None) -> SampleRecord:
    return SampleRecord(
        task="t", sample_id=sample_id, index=index, prompt="p", media=[], reference="r", categories={},
        cluster=None, cache_key="k", response={"text": "x"}, error=error, error_stage=stage,
    )


def test_append_then_load_round_trips(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append([record("a"), record("b", 1)])
    store.append([record("c", 2)])
    assert list(store.load_records()) == [("t", "a"), ("t", "b"), ("t", "c")]
    assert store.load_records()[("t", "b")].index == 1


def test_a_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append([record("a"), record("b", 1)])
    with store.samples_path.open("a") as handle:
        handle.write(record("c", 2).to_json()[:25])  # a kill in the middle of a write
    assert list(store.load_records()) == [("t", "a"), ("t", "b")]
    store.append([record("c", 2)])
    assert list(store.load_records()) == [("t", "a"), ("t", "b"), ("t", "c")]


def test_later_record_of_a_key_supersedes_an_earlier_failure(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append([record("a", error="RuntimeError: boom", stage="runner")])
    store.append([record("a")])
    assert store.load_records()[("t", "a")].error is None


def test_a_foreign_line_names_the_file_and_line(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.samples_path.write_text(record("a").to_json() + "\n{\"not\": \"a record\"}\n")
    with pytest.raises(ValueError, match=r"samples.jsonl:2"):
        store.load_records()


def test_finalize_rewrites_in_the_given_order(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.append([record("b", 1), record("a", 0)])
    store.finalize([record("a", 0), record("b", 1)])
    lines = store.samples_path.read_text().splitlines()
    assert [SampleRecord.from_json(line, "samples.jsonl:1").sample_id for line in lines] == ["a", "b"]


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "scores.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.json"]


# ---- schema versions: a folder without a version is version 1 and is read; a newer one is refused

V1_SCORE = {"task": "t", "metric": "accuracy", "value": 50.0, "lower_is_better": False, "n": 4, "n_failed": 1,
            "n_fallback": 0, "n_reasoning_unclosed": 0, "by_category": {}, "scorer": {"name": "mmau", "options": {}},
            "paper": None, "interval": None, "extra": {"failed_counts_as_wrong": False, "n_scored": 3}}
V1_MANIFEST = {"config": {"failures": {"max_failures": 0.05, "failed_counts_as_wrong": False}, "tasks": {
    "t": {"scorer": {"name": "mmau", "options": {"count_missing": True}}},
    "v": {"scorer": {"name": "videomme", "options": {"denominator": "answered"}}}}}}


def test_a_version_1_folder_is_read_as_the_current_schema(tmp_path: Path) -> None:
    v1_line = {k: v for k, v in json.loads(record("a").to_json()).items() if k not in ("schema_version", "excluded")}
    (tmp_path / "samples.jsonl").write_text(json.dumps(v1_line) + "\n")
    (tmp_path / "scores.json").write_text(json.dumps({"schema_version": 1, "run": {}, "tasks": {"t": V1_SCORE}}))
    (tmp_path / "manifest.json").write_text(json.dumps(V1_MANIFEST))
    run = load_run(tmp_path)
    assert run.records("t")[0].excluded is False and run.records("t")[0].schema_version == SCHEMA_VERSION
    score = run.scores["t"]
    assert (score.value, score.strict_value, score.n_excluded, score.denominator) == (50.0, None, 1, 3)
    config = run.manifest["config"]
    assert config["failures"] == {"max_failures": 0.05}  # replaced by always reporting both numbers
    assert config["tasks"]["t"]["scorer"]["options"] == {} and config["tasks"]["v"]["scorer"]["options"] == {}
    assert run.manifest["schema_version"] == SCHEMA_VERSION


def test_a_newer_version_is_refused_naming_the_file(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    newer = {**json.loads(record("a").to_json()), "schema_version": SCHEMA_VERSION + 1}
    store.samples_path.write_text(json.dumps(newer) + "\n")
    with pytest.raises(RunFolderError, match=r"samples.jsonl:1 has schema_version \d+, newer .*upgrade evalkit"):
        store.load_records()
    (tmp_path / "scores.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1, "tasks": {}}))
    with pytest.raises(RunFolderError, match=r"scores.json has schema_version"):
        read_scores(tmp_path / "scores.json")
    (tmp_path / "manifest.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(RunFolderError, match=r"manifest.json has schema_version"):
        store.read_manifest()


def test_written_documents_carry_the_version(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.write_manifest({"config": {}})
    store.append([record("a")])
    assert json.loads((tmp_path / "manifest.json").read_text())["schema_version"] == SCHEMA_VERSION
    assert json.loads(store.samples_path.read_text())["schema_version"] == SCHEMA_VERSION
