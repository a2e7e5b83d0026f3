"""Dataset revision pins (evalkit.dataset_lock): `evalkit lock-datasets` against a fake hub on 127.0.0.1 that answers
huggingface_hub's own dataset_info request (GET /api/datasets/{repo_id}/revision/{revision}, JSON with `sha`), so
HfApi's real code path runs; a run loading at the locked commit and recording each task's pin; require_pinned; and
the errors of an unknown task, a hub that answers 404 or cannot be reached, and a lock that no longer fits a task."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import datasets
import huggingface_hub
import pytest
from fake_openai import LocalServer, QuietJSONHandler, ScriptedServer

from evalkit.cli import main as cli
from evalkit.dataset_lock import DatasetLockError, hub_resolver, lock_entry, pin_datasets
from evalkit.hydra_config import load_run_config
from evalkit.pipeline import run_evaluation
from evalkit.registry import task_spec
from tasks.bfcl import GORILLA_COMMIT

AIME_SHA = "a1" * 20
FLEURS_SHA = "f2" * 20
MMLU_SHA = "c3" * 20
# repo id -> revision -> the commit sha the hub resolves it to
HUB = {"math-ai/aime25": {"main": AIME_SHA, AIME_SHA: AIME_SHA}, "google/fleurs": {"main": FLEURS_SHA},
       "yuchenlin/zero-eval": {"main": MMLU_SHA}}
PREFIX = "/api/datasets/"


class FakeHub(LocalServer):
    """The hub's dataset-info endpoint over `HUB`; an unknown repo or revision is the hub's 404 with its
    X-Error-Code. Records the paths asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        hub, guard = self, threading.Lock()

        class Handler(QuietJSONHandler):
            def do_GET(self):  # noqa: N802
                with guard:
                    hub.paths.append(self.path.split("?")[0])
                repo_id, _, revision = self.path.split("?")[0].removeprefix(PREFIX).partition("/revision/")
                revisions = HUB.get(repo_id)
                if revisions is None or unquote(revision) not in revisions:
                    code = "RepoNotFound" if revisions is None else "RevisionNotFound"
                    self.send_json(404, {"error": f"{code}: {repo_id}"}, {"X-Error-Code": code})
                    return
                self.send_json(200, {"id": repo_id, "sha": revisions[unquote(revision)], "private": False})

        super().__init__(Handler)
        self.endpoint = self.base_url.removesuffix("/v1")


@pytest.fixture
def hub():
    server = FakeHub()
    yield server
    server.close()


def lock_datasets(hub: FakeHub, out: Path, *tasks: str) -> int:
    return cli(["lock-datasets", *(a for t in tasks for a in ("--task", t)), "--out", str(out),
                "--endpoint", hub.endpoint])


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_lock_file_holds_the_resolved_commit_per_task(hub: FakeHub, tmp_path: Path) -> None:
    out = tmp_path / "datasets.lock.json"
    assert lock_datasets(hub, out, "aime25", "fleurs_en", "fleurs_zh", "bfcl_v3", "arena_hard_v2") == 0
    document = read(out)
    assert document["format"] == 1 and list(document["tasks"]) == sorted(document["tasks"])
    aime = document["tasks"]["aime25"]
    assert datetime.fromisoformat(aime.pop("resolved_at")).date() == datetime.now(UTC).date()
    assert aime == {"source": "hub", "hub_id": "math-ai/aime25", "subsets": [], "requested": "main", "sha": AIME_SHA,
                    "endpoint": hub.endpoint, "huggingface_hub": huggingface_hub.__version__}
    fleurs = document["tasks"]["fleurs_zh"]
    assert (fleurs["sha"], fleurs["subsets"]) == (FLEURS_SHA, ["cmn_hans_cn"])
    assert document["tasks"]["bfcl_v3"] == {  # pinned in code, off the Hugging Face hub: kept, not asked
        "source": "code", "hub_id": f"github:ShishirPatil/gorilla@{GORILLA_COMMIT}", "subsets":
        list(task_spec("bfcl_v3").dataset.subsets), "requested": GORILLA_COMMIT, "sha": GORILLA_COMMIT,
        "resolved_at": None, "endpoint": None, "huggingface_hub": None}
    assert document["tasks"]["arena_hard_v2"]["source"] == "local"
    # huggingface_hub's path, asked once per dataset and revision (two Fleurs tasks share google/fleurs)
    assert sorted(hub.paths) == ["/api/datasets/google/fleurs/revision/main",
                                 "/api/datasets/math-ai/aime25/revision/main"]
    assert lock_datasets(hub, out, "mmlu_redux") == 0  # an update keeps the other tasks' entries
    assert set(read(out)["tasks"]) == {"aime25", "fleurs_en", "fleurs_zh", "bfcl_v3", "arena_hard_v2", "mmlu_redux"}


def test_a_code_pin_on_the_hub_is_checked_against_it(hub: FakeHub) -> None:
    spec = task_spec("aime25")
    pinned = dataclasses.replace(spec, dataset=dataclasses.replace(spec.dataset, revision=AIME_SHA))
    entry = lock_entry(pinned, hub_resolver(hub.endpoint), hub.endpoint, "2026-12-02T00:00:00+00:00")
    assert (entry.source, entry.requested, entry.sha) == ("code", AIME_SHA, AIME_SHA)
    assert hub.paths == [f"/api/datasets/math-ai/aime25/revision/{AIME_SHA}"]


def test_bad_inputs_name_the_task_or_dataset_and_write_nothing(hub: FakeHub, tmp_path: Path, capsys) -> None:
    out = tmp_path / "lock.json"
    assert lock_datasets(hub, out, "aime2") == 2
    assert "unknown task 'aime2' (did you mean aime25" in capsys.readouterr().err
    assert lock_datasets(hub, out, "aime25", "ifeval") == 2  # google/IFEval is not on the fake hub: its 404
    err = capsys.readouterr().err
    assert f"{hub.endpoint} answered 404 for dataset google/IFEval at revision 'main'" in err
    assert "Check the task's dataset.hub_id and revision" in err
    closed = LocalServer(QuietJSONHandler)
    closed.close()
    unreachable = closed.base_url.removesuffix("/v1")
    assert cli(["lock-datasets", "--task", "aime25", "--out", str(out), "--endpoint", unreachable]) == 2
    err = capsys.readouterr().err
    assert f"could not reach {unreachable} for dataset math-ai/aime25" in err and "machine with hub access" in err
    assert not out.exists()


def fake_rows(calls: list[tuple[str, str | None]]):
    """datasets.load_dataset with the two hub datasets faked (each call recorded), local files read for real."""
    real = datasets.load_dataset

    def load_dataset(path, name=None, split=None, revision=None, trust_remote_code=None, **local):
        if local:  # a local copy (the smoke fixture): datasets_io asks the file builder with data_files
            return real(path, name, split=split, **local)
        calls.append((path, revision))
        if path == "math-ai/aime25":
            return datasets.Dataset.from_dict({"id": ["1", "2"], "problem": ["1+1?", "2+2?"], "answer": ["2", "4"]})
        assert path == "yuchenlin/zero-eval"
        return datasets.Dataset.from_dict({"id": ["m1"], "question": ["Q?"], "choices": [["a", "b"]],
                                           "correct_answer": ["a"], "config": ["astronomy"]})
    return load_dataset


def run_overrides(tmp_path: Path, lock: Path, base_url: str, *extra: str) -> list[str]:
    return ["model=gpt_4o", "runner=openai", f"runner.base_url={base_url}", f"output_dir={tmp_path}/run",
            f"cache_dir={tmp_path}/cache", "tasks=[aime25,mmlu_redux,aime25_smoke]", f"datasets.lock={lock}", *extra]


def test_a_run_loads_at_the_locked_commit_and_records_each_pin(hub: FakeHub, tmp_path: Path, monkeypatch) -> None:
    lock = tmp_path / "lock.json"
    assert lock_datasets(hub, lock, "aime25") == 0
    calls: list[tuple[str, str | None]] = []
    monkeypatch.setattr(datasets, "load_dataset", fake_rows(calls))
    server = ScriptedServer({})
    try:
        summary = run_evaluation(load_run_config(run_overrides(tmp_path, lock, server.base_url)))
    finally:
        server.close()
    assert sorted(calls) == [("math-ai/aime25", AIME_SHA), ("yuchenlin/zero-eval", None)]
    manifest = read(summary.output_dir / "manifest.json")
    recorded = manifest["datasets"]
    assert recorded["aime25"]["pin"] == {"state": "lock", "hub_id": "math-ai/aime25", "revision": AIME_SHA,
                                         "lock_file": str(lock)}
    assert recorded["aime25"]["revision"] == AIME_SHA == manifest["config"]["tasks"]["aime25"]["dataset"]["revision"]
    assert recorded["mmlu_redux"]["pin"] == {"state": "unpinned", "hub_id": "yuchenlin/zero-eval", "revision": None,
                                             "lock_file": None}
    assert recorded["aime25_smoke"]["pin"]["state"] == "local"


def test_require_pinned_refuses_an_unpinned_hub_dataset_before_any_model(tmp_path: Path, monkeypatch, capsys) -> None:
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps({"format": 1, "tasks": {"aime25": {
        "source": "hub", "hub_id": "math-ai/aime25", "subsets": [], "requested": "main", "sha": AIME_SHA}}}))
    calls: list[tuple[str, str | None]] = []
    monkeypatch.setattr(datasets, "load_dataset", fake_rows(calls))
    never = tmp_path / "never-built"
    code = cli(["run", f"model.path={never}", f"output_dir={tmp_path}/run", "tasks=[aime25,mmlu_redux,aime25_smoke]",
                f"datasets.lock={lock}", "datasets.require_pinned=true"])
    err = capsys.readouterr().err
    assert code == 2 and "datasets.require_pinned: task(s) mmlu_redux load a hub dataset at no pinned commit" in err
    assert "run `evalkit lock-datasets --task mmlu_redux`" in err and str(lock) in err
    assert calls == [] and not never.exists()
    config = load_run_config(["tasks=[aime25,bfcl_v3]", f"datasets.lock={lock}", "datasets.require_pinned=true"])
    pins = pin_datasets(config)  # a lock entry and a pin in code are pinned
    assert {name: p.state for name, p in pins.items()} == {"aime25": "lock", "bfcl_v3": "code"}
    assert pin_datasets(config) == pins  # applying the lock twice changes nothing


@pytest.mark.parametrize(("entry", "override", "message"), [
    ({"hub_id": "math-ai/aime24"}, None, "task 'aime25' is locked for 'math-ai/aime24' but loads 'math-ai/aime25'"),
    ({}, "tasks.aime25.dataset.revision=v2", "task 'aime25' is locked for revision 'main', but asks for revision 'v2'"),
    ({"source": "code"}, None, "task 'aime25' is locked at the commit its code pinned .*, but its code pins none now"),
])
def test_a_lock_entry_that_no_longer_fits_its_task_is_an_error(tmp_path: Path, entry, override, message) -> None:
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps({"format": 1, "tasks": {"aime25": {
        "source": "hub", "hub_id": "math-ai/aime25", "subsets": [], "requested": "main", "sha": AIME_SHA, **entry}}}))
    config = load_run_config(["tasks=[aime25]", f"datasets.lock={lock}", *([override] if override else [])])
    with pytest.raises(DatasetLockError, match=message) as raised:
        pin_datasets(config)
    assert "re-run `evalkit lock-datasets --task aime25`" in str(raised.value) and str(lock) in str(raised.value)


def test_a_lock_disagreeing_with_a_code_pin_a_missing_or_malformed_lock(tmp_path: Path, capsys) -> None:
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps({"format": 1, "tasks": {"bfcl_v3": {
        "source": "code", "hub_id": f"github:ShishirPatil/gorilla@{GORILLA_COMMIT}", "subsets": [],
        "requested": "0" * 40, "sha": "0" * 40}}}))
    with pytest.raises(DatasetLockError, match=f"'bfcl_v3' is locked at {'0' * 40} but its code pins {GORILLA_COMMIT}"):
        pin_datasets(load_run_config(["tasks=[bfcl_v3]", f"datasets.lock={lock}"]))
    assert cli(["tasks", "--json", "--lock", str(lock)]) == 0
    records = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert records["bfcl_v3"]["dataset"]["pin"]["state"] == "stale"
    assert records["aime25"]["dataset"]["pin"] == {"state": "unpinned", "revision": None}
    with pytest.raises(DatasetLockError, match=f"datasets.lock={tmp_path}/nope.json: .* does not exist"):
        pin_datasets(load_run_config(["tasks=[aime25]", f"datasets.lock={tmp_path}/nope.json"]))
    lock.write_text("{not json")
    with pytest.raises(DatasetLockError, match=f"dataset lock {lock}: cannot read it"):
        pin_datasets(load_run_config(["tasks=[aime25]", f"datasets.lock={lock}"]))


def test_a_commit_set_in_config_is_pinned_and_tasks_shows_the_lock(hub: FakeHub, tmp_path: Path, capsys) -> None:
    config = load_run_config(["tasks=[aime25]", "datasets.lock=null", f"tasks.aime25.dataset.revision={MMLU_SHA}"])
    assert pin_datasets(config)["aime25"].state == "config"
    lock = tmp_path / "lock.json"
    assert lock_datasets(hub, lock, "aime25") == 0
    capsys.readouterr()
    assert cli(["tasks", "--lock", str(lock)]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert f"lock {AIME_SHA[:12]}" in rows["aime25"] and "unpinned" in rows["mmlu_redux"]
    assert f"code {GORILLA_COMMIT[:12]}" in rows["bfcl_v3"] and " local " in rows["aime25_smoke"]
