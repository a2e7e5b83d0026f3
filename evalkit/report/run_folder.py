"""Reading a finished run folder (manifest.json, scores.json, samples.jsonl) for reports and comparisons."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from evalkit.config import StatsConfig
from evalkit.results import SampleRecord, TaskScore, read_samples, read_scores
from evalkit.store import MANIFEST, SAMPLES, SCORES


class RunFolderError(ValueError):
    """A run folder that cannot be read; the message names the file and what to do."""


@dataclass
class RunFolder:
    path: Path
    manifest: dict[str, Any]
    scores: dict[str, TaskScore]
    _records: dict[str, list[SampleRecord]] | None = field(default=None, repr=False)

    @property
    def model_name(self) -> str:
        return str(self.manifest.get("model", {}).get("name", "unknown model"))

    @property
    def variant(self) -> str:
        return str(self.manifest.get("model", {}).get("variant", "instruct"))

    @cached_property
    def stats_config(self) -> StatsConfig:
        """The run's own bootstrap settings, so a recomputed interval equals the one the run would write."""
        section = self.manifest.get("stats") or self.manifest.get("config", {}).get("stats") or {}
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
            latest: dict[tuple[str, str], SampleRecord] = {}
            try:
                for record in read_samples(self.path / SAMPLES):
                    latest[record.key] = record
            except ValueError as exc:
                raise RunFolderError(str(exc)) from exc
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
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        scores = read_scores(path / SCORES)
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise RunFolderError(f"{path}: manifest.json or scores.json is not in evalkit's schema ({exc})") from exc
    if not isinstance(manifest, dict):
        raise RunFolderError(f"{path / MANIFEST} must hold a JSON object")
    return RunFolder(path=path, manifest=manifest, scores=scores)
