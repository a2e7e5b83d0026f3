import json
from dataclasses import replace
from pathlib import Path

import pytest
from manifests import made_manifest

from evalkit.manifest import Rescoring, RunCounts, Session
from evalkit.provenance import GitState
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
# A version 1 manifest as evalkit wrote it (results/bench/h100/smoke_manifest.json, trimmed): no schema_version,
# token budget, model profile, processor hash or phase times, and a GPU host.
V1_HOST = {"cpu_count": 16, "cuda": "13.0", "gpus": ["NVIDIA H100 80GB HBM3"], "hostname": "vm",
           "platform": "Linux-6.18.44-x86_64-with-glibc2.39", "python": "3.12.3"}
V1_MANIFEST = {
    "config": {"failures": {"max_failures": 0.05, "failed_counts_as_wrong": False}, "tasks": {
        "t": {"scorer": {"name": "mmau", "options": {"count_missing": True}}},
        "v": {"scorer": {"name": "videomme", "options": {"denominator": "answered"}}}}},
    "config_fingerprint": "9" * 64, "counts": {"failed": 0, "samples": 19},
    "datasets": {"t": {"hub_id": "local", "samples": 19}}, "decoding": {"t": {"policy": "greedy", "do_sample": False}},
    "finished": "2026-11-25T10:34:03.352061+00:00", "git": {"commit": None, "dirty": False}, "host": V1_HOST,
    "model": {"content_hash": "acb8" * 16, "generation_config": None, "name": "tiny_random",
              "path": ".cache/evalkit/tiny-qwen3-omni", "revision": None, "variant": "tiny"},
    "packages": {"transformers": "5.17.0"}, "started": "2026-11-25T10:33:50.731765+00:00",
    "sessions": [{"cache_hits": 0, "engine": {
        "details": {"attn_implementation": "sdpa", "gpu": "NVIDIA H100 80GB HBM3"}, "device": "cuda",
        "dtype": "float32", "model_hash": "acb8" * 16, "model_path": ".cache/evalkit/tiny-qwen3-omni",
        "model_revision": None, "runner": "transformers"}, "finished": "2026-11-25T10:34:03.336662+00:00",
        "generated": 19, "git": {"commit": None, "dirty": False}, "host": V1_HOST, "resumed": 0,
        "started": "2026-11-25T10:33:50.731765+00:00"}],
}  # fmt: skip


def test_a_version_1_folder_is_read_as_the_current_schema(tmp_path: Path) -> None:
    v1_line = {k: v for k, v in json.loads(record("a").to_json()).items() if k not in ("schema_version", "excluded")}
    (tmp_path / "samples.jsonl").write_text(json.dumps(v1_line) + "\n")
    (tmp_path / "scores.json").write_text(json.dumps({"schema_version": 1, "run": {}, "tasks": {"t": V1_SCORE}}))
    (tmp_path / "manifest.json").write_text(json.dumps(V1_MANIFEST))
    run = load_run(tmp_path)
    assert run.records("t")[0].excluded is False and run.records("t")[0].schema_version == SCHEMA_VERSION
    score = run.scores["t"]
    assert (score.value, score.strict_value, score.n_excluded, score.denominator) == (50.0, None, 1, 3)
    config = run.manifest.config
    assert config["failures"] == {"max_failures": 0.05}  # replaced by always reporting both numbers
    assert config["tasks"]["t"]["scorer"]["options"] == {} and config["tasks"]["v"]["scorer"]["options"] == {}
    # what version 1 did not record reads as unknown; the rest as written
    assert (run.model_name, run.variant, run.manifest.model.profile) == ("tiny_random", "tiny", None)
    session = run.manifest.sessions[0]
    assert session.phase_seconds == {} and run.manifest.token_budget is None
    assert (session.engine.runner, session.engine.device) == ("transformers", "cuda")
    assert session.git == GitState(commit=None, dirty=False)
    assert run.manifest.counts == RunCounts(samples=19, failed=0) and run.manifest.rescored == []


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
    store.write_manifest(made_manifest())
    store.append([record("a")])
    assert json.loads((tmp_path / "manifest.json").read_text())["schema_version"] == SCHEMA_VERSION
    assert json.loads(store.samples_path.read_text())["schema_version"] == SCHEMA_VERSION


# ---- the manifest: written and read through one typed shape

def test_a_manifest_round_trips_with_its_nested_parts(tmp_path: Path) -> None:
    manifest = made_manifest({"stats": {"seed": 3}}, model="qwen3_omni_30b_a3b_instruct", variant="instruct")
    cached = replace(manifest.sessions[0], engine=None, resumed=1, generated=0, cache_hits=1)  # no engine needed
    manifest.sessions.append(cached)
    manifest.rescored.append(Rescoring(at="2026-12-02T09:00:00+00:00", overrides=["tasks.t.scorer.options.k=1"]))
    store = RunStore(tmp_path)
    store.write_manifest(manifest)
    read = store.read_manifest()
    assert read == manifest
    assert isinstance(read.sessions[1], Session) and read.sessions[1].engine is None
    assert read.sessions[0].engine.runner == "transformers" and read.sessions[0].phase_seconds == {"generation": 1.5}


@pytest.mark.parametrize(("change", "named"), [
    (lambda d: d.pop("model"), r"KeyError: 'model'"),
    (lambda d: d.pop("config_fingerprint"), r"missing 1 required positional argument: 'config_fingerprint'"),
    (lambda d: d.update(engine={"runner": "vllm"}), r"unexpected keyword argument 'engine'"),
    (lambda d: d["sessions"][0].pop("git"), r"KeyError: 'git'"),
    (lambda d: d.update(sessions="none"), r"AttributeError"),
])  # fmt: skip
def test_a_manifest_not_in_the_schema_is_refused_naming_the_file(tmp_path: Path, change, named: str) -> None:
    document = made_manifest().to_dict()
    change(document)
    (tmp_path / "manifest.json").write_text(json.dumps(document))
    with pytest.raises(RunFolderError, match=rf"manifest.json is not in evalkit's manifest schema \(.*{named}"):
        RunStore(tmp_path).read_manifest()
