"""Tasks: a TaskConfig plus the adapter module under tasks/ that turns the dataset's rows into Samples.

An adapter module defines:
    PROMPT_FIELDS: the names its `prompt` format string may use
    check(config) -> None: cheap checks run before any model is loaded (local files, columns, media folder)
    load_samples(config) -> LoadedTask: every sample, in the dataset's order

This module holds what adapters share: the one user message (media first, then text), media references from
dataset cells, and prompt formatting that names the task on a bad field.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from evalkit.config import ConfigError, TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.types import MediaKind, MediaPart, MediaRef, Message, Sample, TextPart, media_parts


@dataclass(frozen=True)
class LoadedTask:
    samples: list[Sample]
    provenance: dict[str, Any]


def adapter_names() -> list[str]:
    import tasks

    return sorted(info.name for info in pkgutil.iter_modules(tasks.__path__) if not info.name.startswith("_"))


def _adapter(config: TaskConfig) -> ModuleType:
    names = adapter_names()
    if config.adapter not in names:
        raise ConfigError(f"task {config.name!r}: unknown adapter {config.adapter!r}; valid adapters: {', '.join(names)}")
    return importlib.import_module(f"tasks.{config.adapter}")


def prompt_fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def check_task(config: TaskConfig) -> None:
    """Everything that can be checked without loading a model: the adapter, the prompt's fields, the data."""
    adapter = _adapter(config)
    unknown = prompt_fields(config.prompt) - set(adapter.PROMPT_FIELDS)
    if unknown:
        raise ConfigError(
            f"task {config.name!r}: prompt uses unknown field(s) {sorted(unknown)}; "
            f"adapter {config.adapter!r} provides {sorted(adapter.PROMPT_FIELDS)}"
        )
    if config.limit is not None and config.limit < 1:
        raise ConfigError(f"task {config.name!r}: limit={config.limit}; use a positive count or null")
    adapter.check(config)


def spoken_language(config: TaskConfig) -> str | None:
    """The language of a speech task's audio (options.source_language), for models whose prompt names it."""
    return config.options.get("source_language")


def load_task(config: TaskConfig) -> LoadedTask:
    """The task's samples (the first `limit` if set) and where they came from."""
    check_task(config)
    loaded = _adapter(config).load_samples(config)
    seen: set[str] = set()
    for sample in loaded.samples:
        if sample.sample_id in seen:
            raise ConfigError(f"task {config.name!r}: sample id {sample.sample_id!r} occurs twice in the dataset")
        seen.add(sample.sample_id)
    samples = loaded.samples[: config.limit] if config.limit is not None else loaded.samples
    provenance = {**loaded.provenance, "samples_total": len(loaded.samples), "samples": len(samples), "limit": config.limit}
    return LoadedTask(samples, provenance)


def user_turn(media: Sequence[MediaRef], text: str) -> tuple[Message, ...]:
    """The conversation every benchmark here uses: one user message, media first, then the text; no system."""
    parts = tuple(MediaPart(m) for m in media) + (TextPart(text),)
    return (Message(role="user", parts=parts),)


def format_prompt(config: TaskConfig, template: str, **fields: Any) -> str:
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as exc:
        raise ConfigError(f"task {config.name!r}: prompt field {exc} is not provided; fields: {sorted(fields)}") from exc


def media_dir(config: TaskConfig) -> Path:
    if config.dataset.media_dir is None:
        raise ConfigError(
            f"task {config.name!r}: the rows name media files; set dataset.media_dir to the folder holding them"
        )
    return resolve_path(config.dataset.media_dir)


def media_file(kind: MediaKind, folder: Path, name: str) -> MediaRef:
    """A media file named by a row (e.g. MMAU's './test-mini-audios/x.wav'), relative to the media folder."""
    return MediaRef(kind=kind, path=str((folder / name).resolve()))


def media_cell(kind: MediaKind, cell: Mapping[str, Any] | None, where: str, folder: Path | None = None) -> MediaRef:
    """A MediaRef from an undecoded datasets Audio/Image cell {bytes, path}: inline bytes when the row carries
    them, else the file path (relative ones under `folder`)."""
    if cell is not None and cell.get("bytes") is not None:
        return MediaRef(kind=kind, data=cell["bytes"])
    if cell is not None and cell.get("path"):
        path = Path(cell["path"])
        if not path.is_absolute() and folder is not None:
            path = folder / path
        return MediaRef(kind=kind, path=str(path))
    raise ConfigError(f"{where}: the {kind} cell has neither bytes nor a path")


def require_media(config: TaskConfig, samples: Sequence[Sample]) -> None:
    """Fail at load, not mid-run, when none of the media files named by the rows exist: the media folder is
    wrong. A few missing files are per-sample failures, recorded by the media stage while the run goes on."""
    paths = [ref.path for sample in samples for ref in media_parts(sample.messages) if ref.path is not None]
    missing = [p for p in paths if not Path(p).exists()]
    if paths and len(missing) == len(paths):
        raise ConfigError(
            f"task {config.name!r}: none of its {len(paths)} media files exist, e.g. {missing[:3]}; "
            "download them or fix dataset.media_dir"
        )
