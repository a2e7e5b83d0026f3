from pathlib import Path

import pytest

from evalkit.run_folder import RunStore, SampleRecord, atomic_write_text


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
    assert [SampleRecord.from_json(line).sample_id for line in lines] == ["a", "b"]


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "scores.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.json"]
