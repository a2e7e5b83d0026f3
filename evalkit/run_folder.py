"""The run folder, one versioned schema: manifest.json (its shape is evalkit.manifest's), samples.jsonl (the
journal), scores.json, report files, and for speech-generation tasks speech/<task>/<sample>.wav, the talker's
answers (named in each record's `speech`).

Writing: samples.jsonl is the run's journal. Each batch of answered samples is appended, flushed and fsynced, so
a crash loses at most the batch in flight; a torn last line (a kill mid-write) is cut off on reopen. At the end
the file is rewritten atomically in dataset order with the scores filled in, so an interrupted and resumed run
ends with the same file as an uninterrupted one.

Reading: every document carries `schema_version` (manifest and scores.json at the top, samples.jsonl on every
record). A document without one is version 1 (evalkit before versioning; its format is version 1) and is read
through `_upgrade_*`; a version newer than SCHEMA_VERSION is refused, naming the file and what to do.

Version history:
  1: one score per task (`value`), `failures.failed_counts_as_wrong` choosing its denominator; records have no
     `excluded`. Read as version 2 with `strict_value` unknown; `evalkit rescore` rewrites it as version 2.
  2: every task has the official number (`value`, the benchmark's denominator) and the strict one
     (`strict_value`, every sample, failures counted wrong) with n, n_failed, n_excluded and denominator.
  3: a judged task's score carries `judge` (the judge's spec, whether it is a substitute, calls made and served
     from the cache) and a `value` of null when it was not scored (no judge configured). Version 2 reads as it is.
     A record of a speech-generation task carries `speech` (its WAV file, provenance and what was heard).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from evalkit.config import StatsConfig
from evalkit.manifest import Manifest
from evalkit.scoring.base import SampleScore
from evalkit.spoken_audio import file_sha256, provenance, wav_bytes
from evalkit.types import Speech

SCHEMA_VERSION = 3
MANIFEST = "manifest.json"
SAMPLES = "samples.jsonl"
SCORES = "scores.json"
SPEECH_DIR = "speech"

# Version 1 options that version 2 replaced by always reporting both numbers.
_V1_REMOVED_SCORER_OPTIONS: dict[str, tuple[str, ...]] = {"mmau": ("count_missing",), "videomme": ("denominator",)}


class RunFolderError(ValueError):
    """A run folder that cannot be read; the message names the file and what to do."""


def schema_version_of(document: Mapping[str, Any], path: Path) -> int:
    """The document's version; 1 when it has none; a clear error when it is newer than this evalkit reads."""
    version = document.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise RunFolderError(f"{path}: schema_version {version!r} is not a version evalkit wrote")
    if version > SCHEMA_VERSION:
        raise RunFolderError(
            f"{path} has schema_version {version}, newer than this evalkit reads ({SCHEMA_VERSION}); upgrade evalkit "
            "(pip install -U evalkit) to read it"
        )
    return version


@dataclass
class SampleRecord:
    task: str
    sample_id: str
    index: int  # position in the task's dataset order; scoring runs in this order
    prompt: str  # rendered with the model's chat template, media as placeholder tokens
    media: list[dict[str, Any]]  # provenance of every media item, in prompt order
    reference: Any
    categories: dict[str, str]
    cluster: str | None
    cache_key: str
    response: dict[str, Any] | None  # Response fields; None until answered
    error: str | None = None  # why the sample failed; None if it did not
    error_stage: str | None = None  # "media" | "runner" | "output": runner failures are retried on resume
    cache_hit: bool = False
    # a spoken answer: its file (`path`, relative to the run folder) and provenance (voice, sample_rate,
    # duration_s, sha256); after listening, `transcript` and `similarity` with the models that measured them
    speech: dict[str, Any] | None = None
    # filled by scoring
    answer: str | None = None  # the text scored: the response after any reasoning block
    reasoning_closed: bool | None = None  # None when the model does not reason
    extracted: str | None = None
    fallback: bool = False
    excluded: bool = False  # outside the benchmark's official denominator (still wrong in the strict number)
    stats: dict[str, float] = field(default_factory=dict)
    score_detail: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def key(self) -> tuple[str, str]:
        return (self.task, self.sample_id)

    def to_sample_score(self) -> SampleScore:
        return SampleScore(
            sample_id=self.sample_id,
            stats=self.stats,
            extracted=self.extracted,
            fallback=self.fallback,
            failed=self.failed,
            excluded=self.excluded,
            categories=self.categories,
            detail=self.score_detail,
        )

    def to_json(self) -> str:
        # a shallow view: asdict would deep-copy every token list; nested dataclasses go through _jsonable
        return json.dumps(vars(self), ensure_ascii=False, sort_keys=True, default=_jsonable)

    @classmethod
    def from_json(cls, line: str, where: str) -> SampleRecord:
        """One samples.jsonl line; `where` ("path:line") names it in errors. Version 1 lines read as they are:
        their new fields take defaults until the run is re-scored."""
        try:
            fields = json.loads(line)
            schema_version_of(fields, Path(where))
            fields["schema_version"] = SCHEMA_VERSION
            return cls(**fields)
        except (json.JSONDecodeError, TypeError, AttributeError) as exc:
            raise RunFolderError(
                f"{where} is not a samples.jsonl record ({exc}); this folder was not written by evalkit or was "
                "edited: choose another output_dir, or run with resume=false to start it over"
            ) from exc


@dataclass
class Interval:
    low: float
    high: float
    confidence: float
    iterations: int
    method: str  # "percentile bootstrap" or "cluster percentile bootstrap"
    cluster_key: str | None = None


@dataclass
class TaskScore:
    """One task's result. `value` is the official number (the benchmark's own denominator, `denominator` samples
    of `n`); `strict_value` counts all `n`, every failed or excluded sample as a miss (None: a version 1 file,
    which did not compute it). The interval and `by_category` are of the official number."""

    task: str
    metric: str
    value: float | None  # None: not scored (a judged task run without a judge; `judge` says why)
    strict_value: float | None
    lower_is_better: bool
    n: int
    n_failed: int
    n_excluded: int
    denominator: int
    official_denominator: str  # the benchmark's rule, in words
    n_fallback: int
    n_reasoning_unclosed: int
    by_category: dict[str, float]
    scorer: dict[str, Any]  # name and options as configured
    interval: Interval | None = None
    judge: dict[str, Any] | None = None  # judged tasks: the judge's spec, substitute or not, calls and cache hits


def scores_document(scores: Mapping[str, TaskScore], run: Mapping[str, Any]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "run": dict(run), "tasks": {k: asdict(v) for k, v in scores.items()}}


def read_scores(path: Path) -> dict[str, TaskScore]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        version = schema_version_of(document, path)
        scores = {}
        for name, entry in document["tasks"].items():
            if version == 1:
                entry = _upgrade_task_score_v1(entry)
            interval = entry.pop("interval", None)
            entry.pop("paper", None)  # a copy of the paper reference; reports read the task registry now
            scores[name] = TaskScore(**entry, interval=Interval(**interval) if interval else None)
        return scores
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise RunFolderError(
            f"{path} is not in evalkit's scores.json schema ({type(exc).__name__}: {exc}); re-create it with "
            "`evalkit rescore RUN_DIR`"
        ) from exc


def _upgrade_task_score_v1(entry: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had one number whose denominator `failed_counts_as_wrong` chose; the strict number is unknown."""
    entry = dict(entry)
    extra = entry.pop("extra", {}) or {}
    counted = int(extra.get("n_scored", entry["n"]))
    return {**entry, "strict_value": None, "n_excluded": entry["n"] - counted, "denominator": counted,
            "official_denominator": "unknown (a version 1 run folder: run `evalkit rescore` on it)"}


def upgrade_manifest(manifest: dict[str, Any], path: Path) -> dict[str, Any]:
    """The manifest in the current schema. Version 1 configs lose the settings version 2 replaced (both numbers
    are always reported now), so re-scoring an old folder works."""
    if schema_version_of(manifest, path) == 1 and isinstance(manifest.get("config"), dict):
        config = manifest["config"]
        (config.get("failures") or {}).pop("failed_counts_as_wrong", None)
        for task in (config.get("tasks") or {}).values():
            scorer = task.get("scorer") or {}
            for option in _V1_REMOVED_SCORER_OPTIONS.get(str(scorer.get("name")), ()):
                (scorer.get("options") or {}).pop(option, None)
    manifest["schema_version"] = SCHEMA_VERSION
    return manifest


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, document: Any) -> None:
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def read_samples(path: Path) -> Iterator[SampleRecord]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield SampleRecord.from_json(line, f"{path}:{number}")


def read_manifest(path: Path) -> Manifest:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunFolderError(
            f"{path} is not JSON ({exc}); restore it, or start the folder over with resume=false"
        ) from None
    if not isinstance(document, dict):
        raise RunFolderError(f"{path} must hold a JSON object")
    document = upgrade_manifest(document, path)
    del document["schema_version"]
    try:
        return Manifest.from_dict(document)
    except (KeyError, TypeError, AttributeError) as exc:
        raise RunFolderError(
            f"{path} is not in evalkit's manifest schema ({type(exc).__name__}: {exc}); it was not written by "
            "evalkit or was edited: restore it, or start the folder over with resume=false"
        ) from exc


def write_manifest(path: Path, manifest: Manifest) -> None:
    atomic_write_json(path, {**manifest.to_dict(), "schema_version": SCHEMA_VERSION})


class RunStore:
    """Writing a run folder, and reading back what a resumed run needs."""

    def __init__(self, output_dir: Path):
        self.dir = output_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.samples_path = self.dir / SAMPLES

    def read_manifest(self) -> Manifest | None:
        path = self.dir / MANIFEST
        return read_manifest(path) if path.exists() else None

    def write_manifest(self, manifest: Manifest) -> None:
        write_manifest(self.dir / MANIFEST, manifest)

    def write_scores(self, document: dict[str, Any]) -> None:
        atomic_write_json(self.dir / SCORES, document)

    def load_records(self) -> dict[tuple[str, str], SampleRecord]:
        """Answered samples so far; the last record of a key wins (a retried failure supersedes the failure)."""
        if not self.samples_path.exists():
            return {}
        self._cut_torn_tail()
        return {record.key: record for record in read_samples(self.samples_path)}

    def _cut_torn_tail(self) -> None:
        data = self.samples_path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with self.samples_path.open("r+b") as handle:
                handle.truncate(end)

    def append(self, records: Iterable[SampleRecord]) -> None:
        lines = "".join(r.to_json() + "\n" for r in records)
        if not lines:
            return
        with self.samples_path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def finalize(self, records: Iterable[SampleRecord]) -> None:
        atomic_write_text(self.samples_path, "".join(r.to_json() + "\n" for r in records))

    def reset(self) -> None:
        """Start over in this folder (resume=false): the journal of an earlier run is removed."""
        for name in (SAMPLES, SCORES):
            (self.dir / name).unlink(missing_ok=True)

    def save_speech(self, task: str, sample_id: str, speech: Speech) -> dict[str, Any]:
        """Write a spoken answer to speech/<task>/<sample>.wav; its provenance with the path the record keeps."""
        relative = Path(SPEECH_DIR) / _file_name(task) / f"{_file_name(sample_id)}.wav"
        data = wav_bytes(speech)
        atomic_write_bytes(self.dir / relative, data)
        return {"path": relative.as_posix(), **provenance(data, speech)}

    def has_speech(self, record: SampleRecord) -> bool:
        """Whether a record's spoken answer is in the folder as it was written (resume keeps only such answers)."""
        path = self.dir / (record.speech or {}).get("path", "")
        return path.is_file() and file_sha256(path) == (record.speech or {}).get("sha256")


@dataclass
class RunFolder:
    """A finished run folder as reports and comparisons read it."""

    path: Path
    manifest: Manifest
    scores: dict[str, TaskScore]
    _records: dict[str, list[SampleRecord]] | None = field(default=None, repr=False)

    @property
    def model_name(self) -> str:
        return self.manifest.model.name

    @property
    def variant(self) -> str:
        return self.manifest.model.variant

    @cached_property
    def stats_config(self) -> StatsConfig:
        """The run's own bootstrap settings, so a recomputed interval equals the one the run would write."""
        section = self.manifest.config.get("stats") or {}
        known = {k: v for k, v in section.items() if k in StatsConfig.__dataclass_fields__}
        return StatsConfig(**known)

    @property
    def has_samples(self) -> bool:
        return (self.path / SAMPLES).is_file()

    def records(self, task: str) -> list[SampleRecord]:
        """The task's records in dataset order; the last record of a sample wins, as in the run store."""
        if self._records is None:
            if not self.has_samples:
                raise RunFolderError(f"{self.path / SAMPLES} is missing; per-sample results need the run's journal")
            latest = {record.key: record for record in read_samples(self.path / SAMPLES)}
            grouped: dict[str, list[SampleRecord]] = {}
            for record in latest.values():
                grouped.setdefault(record.task, []).append(record)
            self._records = {name: sorted(rs, key=lambda r: r.index) for name, rs in grouped.items()}
        return self._records.get(task, [])


def load_run(path: Path) -> RunFolder:
    path = Path(path)
    if not path.is_dir():
        raise RunFolderError(f"{path} is not a run folder (no such directory)")
    for name in (MANIFEST, SCORES):
        if not (path / name).is_file():
            raise RunFolderError(
                f"{path / name} is missing; a finished `evalkit run` writes it (re-run to finish, or `evalkit rescore`)"
            )
    return RunFolder(path=path, manifest=read_manifest(path / MANIFEST), scores=read_scores(path / SCORES))


def _file_name(name: str) -> str:
    """A file name for a task or sample id; an id with other characters gets a hash so two never collide."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return safe if safe == name else f"{safe}.{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):  # a task's structured reference (ChoiceQuestion)
        return asdict(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
