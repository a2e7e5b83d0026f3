"""The run folder: manifest.json, samples.jsonl (appended as responses arrive), scores.json, report files.

samples.jsonl is the run's journal: each batch of answered samples is appended, flushed and fsynced, so a
crash loses at most the batch in flight. A torn last line (a kill mid-write) is cut off on reopen. At the
end the file is rewritten atomically in dataset order with the scores filled in, so an interrupted and
resumed run ends with the same file as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from evalkit.results import SampleRecord

MANIFEST = "manifest.json"
SAMPLES = "samples.jsonl"
SCORES = "scores.json"


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, document: Any) -> None:
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


class RunStore:
    def __init__(self, output_dir: Path):
        self.dir = output_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.samples_path = self.dir / SAMPLES

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.dir / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_json(self.dir / MANIFEST, manifest)

    def write_scores(self, document: dict[str, Any]) -> None:
        atomic_write_json(self.dir / SCORES, document)

    def load_records(self) -> dict[tuple[str, str], SampleRecord]:
        """Answered samples so far; the last record of a key wins (a retried failure supersedes the failure)."""
        if not self.samples_path.exists():
            return {}
        self._cut_torn_tail()
        records: dict[tuple[str, str], SampleRecord] = {}
        with self.samples_path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    record = SampleRecord.from_json(line)
                except (json.JSONDecodeError, TypeError) as exc:
                    raise ValueError(
                        f"{self.samples_path}:{number} is not a samples.jsonl record ({exc}); this folder was not "
                        "written by evalkit or was edited: choose another output_dir or run with resume=false"
                    ) from exc
                records[record.key] = record
        return records

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
