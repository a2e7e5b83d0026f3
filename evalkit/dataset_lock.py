"""Dataset revision pins: the lock file `evalkit lock-datasets` writes, and how a run applies it.

A hub dataset's revision is one commit of its repository; every subset (config) of the repository is read at it.
A task's dataset is, in this order:
- local: `dataset.local_path` is set, or the task has no hub copy; the run records its files' fingerprints;
- code: the task's module pins a commit sha (TaskSpec.dataset.revision, e.g. BFCL's gorilla commit);
- config: the user set a commit sha (`tasks.<name>.dataset.revision=<sha>`);
- lock: the lock file holds the commit the hub resolved the task's revision to; the run loads that sha;
- unpinned: none of these; `datasets` loads whatever the hub serves (`datasets.require_pinned=true` refuses it).

The lock file (JSON, `configs/datasets.lock.json` by default, run option `datasets.lock`) maps each task to a
LockEntry: its hub id and subsets, the revision asked for, the commit sha it resolved to, when, at which
endpoint and with which huggingface_hub version. `lock-datasets` asks the hub once per (hub id, revision).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evalkit.config import DEFAULT_DATASET_LOCK, ConfigError, RunConfig, TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.registry import TaskSpec, task_spec

LOCK_FORMAT = 1
HF_ENDPOINT = "https://huggingface.co"
COMMIT_SHA = re.compile(r"[0-9a-f]{40}")
# hub: the hub resolved `requested` to `sha`; code: the task's code pins `sha`; local: the task reads local files
LOCK_SOURCES = ("hub", "code", "local")


class DatasetLockError(ConfigError):
    """A lock file that cannot be read or no longer fits a task, a hub that cannot resolve a dataset, or an unpinned
    dataset where pins are required; the message names the task and what to run."""


def lock_command(tasks: Iterable[str]) -> str:
    return "evalkit lock-datasets " + " ".join(f"--task {name}" for name in tasks)


def on_hf_hub(hub_id: str) -> bool:
    """A Hugging Face hub id ("org/name"); "github:owner/repo@commit" and "" (local files only) are not."""
    return bool(hub_id) and ":" not in hub_id


@dataclass(frozen=True)
class LockEntry:
    source: str  # LOCK_SOURCES
    hub_id: str
    subsets: tuple[str, ...]
    requested: str | None  # the revision asked for: the code's pin, else "main"; None for local
    sha: str | None  # the commit: resolved by the hub (hub), the code's pin (code); None for local
    resolved_at: str | None = None  # when the hub was asked; None where it was not (local, a pin off the HF hub)
    endpoint: str | None = None
    huggingface_hub: str | None = None  # the client's version

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "subsets": list(self.subsets)}


@dataclass(frozen=True)
class DatasetLock:
    path: Path
    entries: dict[str, LockEntry]  # by task name


@dataclass(frozen=True)
class DatasetPin:
    """How a task's dataset revision is fixed in a run; recorded per task in the manifest (datasets.<task>.pin)."""

    state: str  # local | code | config | lock | unpinned
    hub_id: str
    revision: str | None  # the revision the data is loaded at (a commit sha unless unpinned)
    lock_file: str | None = None  # state lock: the file the sha came from


def read_lock(path: Path) -> DatasetLock:
    """A lock file; a malformed one is an error naming the file (and the task)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetLockError(f"dataset lock {path}: cannot read it ({exc}); fix it or re-create it with "
                               "`evalkit lock-datasets`") from exc
    if (not isinstance(document, dict) or document.get("format") != LOCK_FORMAT
            or not isinstance(document.get("tasks"), dict)):
        raise DatasetLockError(f"dataset lock {path}: not a lock file of format {LOCK_FORMAT}; re-create it with "
                               "`evalkit lock-datasets`")
    entries = {}
    for name, entry in document["tasks"].items():
        try:
            entries[name] = LockEntry(**{**entry, "subsets": tuple(entry["subsets"])})
        except (TypeError, KeyError) as exc:
            raise DatasetLockError(f"dataset lock {path}: task {name!r}: bad entry ({exc}); re-create it with "
                                   f"`{lock_command([name])}`") from exc
        if entries[name].source not in LOCK_SOURCES:
            raise DatasetLockError(f"dataset lock {path}: task {name!r}: source {entries[name].source!r}; valid: "
                                   f"{', '.join(LOCK_SOURCES)}")
    return DatasetLock(path, entries)


def write_lock(lock: DatasetLock) -> None:
    document = {"format": LOCK_FORMAT, "tasks": {name: lock.entries[name].to_json() for name in sorted(lock.entries)}}
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = lock.path.with_name(lock.path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(lock.path)


def run_lock(option: str | None) -> DatasetLock | None:
    """The lock a run reads: `datasets.lock` (relative to the repository root); None when set to null, or when the
    default file is absent (a named one must exist)."""
    if option is None:
        return None
    path = resolve_path(option)
    if not path.exists():
        if option == DEFAULT_DATASET_LOCK:
            return None
        raise DatasetLockError(f"datasets.lock={option}: {path} does not exist; create it with `evalkit "
                               "lock-datasets --out PATH` or set datasets.lock=null")
    return read_lock(path)


# A resolver: (hub id, revision) -> the commit sha the hub resolves it to
Resolver = Callable[[str, str], str]


def hub_resolver(endpoint: str) -> Resolver:
    """HfApi(endpoint).dataset_info(...).sha; an HTTP error or an unreachable hub is a DatasetLockError naming the
    dataset and what to do."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint)

    def resolve(hub_id: str, revision: str) -> str:
        try:
            sha = api.dataset_info(hub_id, revision=revision).sha
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "an error"
            raise DatasetLockError(
                f"{endpoint} answered {status} for dataset {hub_id} at revision {revision!r}: "
                f"{str(exc).splitlines()[0]}. Check the task's dataset.hub_id and revision; a gated dataset needs "
                "access granted and `hf auth login`") from exc
        except Exception as exc:  # network: httpx's errors (huggingface_hub's client) and OSError
            raise DatasetLockError(
                f"could not reach {endpoint} for dataset {hub_id} ({type(exc).__name__}: {exc}); run `evalkit "
                "lock-datasets` on a machine with hub access, or give --endpoint a reachable mirror") from exc
        if not isinstance(sha, str) or not COMMIT_SHA.fullmatch(sha):
            raise DatasetLockError(f"{endpoint} gave no commit sha for dataset {hub_id} at {revision!r} ({sha!r})")
        return sha

    return resolve


def lock_entry(spec: TaskSpec, resolve: Resolver, endpoint: str, at: str) -> LockEntry:
    """A task's entry: local files listed as such, a pin in code kept (and, on the HF hub, checked to exist
    there), anything else resolved to the commit the hub serves for it now."""
    from huggingface_hub import __version__ as client

    dataset, subsets = spec.dataset, tuple(spec.dataset.subsets)
    code_pin = dataset.revision if dataset.revision and COMMIT_SHA.fullmatch(dataset.revision) else None
    if not on_hf_hub(dataset.hub_id):
        if code_pin is not None:  # not on the HF hub (e.g. a GitHub commit): the pin is kept as the code has it
            return LockEntry("code", dataset.hub_id, subsets, code_pin, code_pin)
        return LockEntry("local", dataset.hub_id, subsets, None, None)
    requested = dataset.revision or "main"
    sha = resolve(dataset.hub_id, requested)
    if code_pin is not None and sha != code_pin:
        raise DatasetLockError(f"task {spec.name!r} pins {dataset.hub_id} at {code_pin} in code, but the hub resolves "
                               f"it to {sha}; fix the pin in the task's module")
    return LockEntry("code" if code_pin else "hub", dataset.hub_id, subsets, requested, sha, at, endpoint, client)


def lock_tasks(specs: list[TaskSpec], resolve: Resolver, endpoint: str) -> dict[str, LockEntry]:
    """Entries of `specs`, asking the hub once per (hub id, revision)."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    asked: dict[tuple[str, str], str] = {}

    def once(hub_id: str, revision: str) -> str:
        if (hub_id, revision) not in asked:
            asked[(hub_id, revision)] = resolve(hub_id, revision)
        return asked[(hub_id, revision)]

    return {spec.name: lock_entry(spec, once, endpoint, at) for spec in specs}


def pin(task: TaskConfig, code_revision: str | None, lock: DatasetLock | None) -> DatasetPin:
    """How `task`'s dataset is pinned, given the revision its code sets and the lock; a lock entry that no longer
    fits the task (another hub id or revision, a code pin it disagrees with) is an error saying what to run."""
    dataset, name = task.dataset, task.name
    if dataset.local_path is not None:
        return DatasetPin("local", dataset.hub_id, None)
    entry = lock.entries.get(name) if lock is not None else None
    where = f"dataset lock {lock.path}" if lock is not None else ""
    redo = f"re-run `{lock_command([name])}` (where the hub is reachable), or drop the entry"
    if entry is not None and entry.hub_id != dataset.hub_id:
        raise DatasetLockError(f"{where}: task {name!r} is locked for {entry.hub_id or 'local files'!r} but loads "
                               f"{dataset.hub_id!r}; {redo}")
    revision = dataset.revision
    if revision is not None and COMMIT_SHA.fullmatch(revision):
        if revision == code_revision:
            if entry is not None and entry.sha != revision:
                raise DatasetLockError(f"{where}: task {name!r} is locked at {entry.sha} but its code pins "
                                       f"{revision}; {redo}")
            return DatasetPin("code", dataset.hub_id, revision)
        if entry is not None and entry.sha == revision:  # the lock applied already
            return DatasetPin("lock", dataset.hub_id, revision, str(lock.path) if lock else None)
        return DatasetPin("config", dataset.hub_id, revision)
    if not on_hf_hub(dataset.hub_id):  # files the user provides (its loader asks for dataset.local_path)
        return DatasetPin("local", dataset.hub_id, None)
    if entry is None:
        return DatasetPin("unpinned", dataset.hub_id, revision)
    if entry.source == "code":
        raise DatasetLockError(f"{where}: task {name!r} is locked at the commit its code pinned ({entry.sha}), but its "
                               f"code pins none now; {redo}")
    if entry.requested != (revision or "main"):
        raise DatasetLockError(f"{where}: task {name!r} is locked for revision {entry.requested!r}, but asks for "
                               f"revision {revision or 'main'!r}; {redo}")
    return DatasetPin("lock", dataset.hub_id, entry.sha, str(lock.path) if lock else None)


def pin_datasets(run: RunConfig) -> dict[str, DatasetPin]:
    """Every task's pin, its locked commit set as the task's dataset.revision (idempotent), so the loaders pass it
    to `datasets.load_dataset`; with `datasets.require_pinned` an unpinned hub dataset is an error (before any
    model loads)."""
    lock = run_lock(run.datasets.lock)
    pins = {name: pin(task, task_spec(name).dataset.revision, lock) for name, task in run.tasks.items()}
    unpinned = [name for name, p in pins.items() if p.state == "unpinned"]
    if run.datasets.require_pinned and unpinned:
        raise DatasetLockError(
            f"datasets.require_pinned: task(s) {', '.join(unpinned)} load a hub dataset at no pinned commit "
            f"(lock: {lock.path if lock else 'none'}); run `{lock_command(unpinned)}` where the hub is reachable, set "
            "tasks.<name>.dataset.revision=<commit sha>, or point dataset.local_path at a local copy")
    for name, p in pins.items():
        if p.state != "local":
            run.tasks[name].dataset.revision = p.revision
    return pins
