"""Loading a task: its TaskConfig and the registered spec's loader (evalkit.registry), which turns the dataset's
rows into Samples.

This module also holds what task modules share: the one user message (media first, then text), media references
from dataset cells, and prompt formatting that names the task on a bad field.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evalkit.config import ConfigError, TaskConfig
from evalkit.datasets_io import resolve_path
from evalkit.registry import Loader, TaskSpec, task_spec
from evalkit.turns import turn_depths
from evalkit.types import MediaKind, MediaPart, MediaRef, Message, Sample, TextPart, media_parts


@dataclass(frozen=True)
class LoadedTask:
    samples: list[Sample]
    provenance: dict[str, Any]


def _loader(spec: TaskSpec) -> Loader:
    if spec.load is None:
        raise ConfigError(f"task {spec.name!r} is score-only (no loader yet): use `evalkit score --task {spec.name}`")
    return spec.load


def prompt_fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def check_task(config: TaskConfig) -> None:
    """Everything that can be checked without loading a model: the task, the prompt's fields, the data."""
    spec = task_spec(config.name)
    _loader(spec)
    unknown = prompt_fields(config.prompt) - set(spec.prompt_fields)
    if unknown:
        raise ConfigError(
            f"task {config.name!r}: prompt uses unknown field(s) {sorted(unknown)}; "
            f"its loader provides {sorted(spec.prompt_fields)}"
        )
    if config.limit is not None and config.limit < 1:
        raise ConfigError(f"task {config.name!r}: limit={config.limit}; use a positive count or null")
    if spec.check is not None:
        spec.check(config)


def spoken_language(config: TaskConfig) -> str | None:
    """The language of a speech task's audio (options.source_language), for models whose prompt names it."""
    return config.options.get("source_language")


def spoken_voice(config: TaskConfig) -> str | None:
    """A speech-generation task's talker voice (options.voice); None for a task answered in text."""
    return config.options.get("voice")


def load_task(config: TaskConfig) -> LoadedTask:
    """The task's samples (the first `limit` if set) and where they came from."""
    check_task(config)
    loaded = _loader(task_spec(config.name))(config)
    seen: set[str] = set()
    for sample in loaded.samples:
        if sample.sample_id in seen:
            raise ConfigError(f"task {config.name!r}: sample id {sample.sample_id!r} occurs twice in the dataset")
        seen.add(sample.sample_id)
    turn_depths(config.name, loaded.samples)  # every later turn follows an earlier sample
    samples = loaded.samples[: config.limit] if config.limit is not None else loaded.samples
    provenance = {**loaded.provenance, "samples_total": len(loaded.samples), "samples": len(samples),
                  "limit": config.limit}
    return LoadedTask(samples, provenance)


def samples_per_problem(config: TaskConfig) -> int:
    """options.samples_per_problem: how often each problem is asked (a mean over k samples, AIME's protocol)."""
    draws = config.options.get("samples_per_problem", 1)
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        raise ConfigError(f"task {config.name!r}: options.samples_per_problem={draws!r}; use a positive integer")
    return draws


def as_draw(sample: Sample, draw: int) -> Sample:
    """Repeat number `draw` of a problem: id "<id>#<draw>", the problem as its bootstrap cluster, and its own seed
    (evalkit.types.Sample.draw)."""
    return replace(sample, sample_id=f"{sample.sample_id}#{draw}", cluster=sample.sample_id, draw=draw)


def repeated(samples: Sequence[Sample], draws: int) -> list[Sample]:
    """Each problem asked `draws` times, its repeats together; one draw keeps the problems' own ids."""
    if draws == 1:
        return list(samples)
    return [as_draw(sample, draw) for sample in samples for draw in range(draws)]


def user_turn(media: Sequence[MediaRef], text: str) -> tuple[Message, ...]:
    """The conversation every benchmark here uses: one user message, media first, then the text (none where it is
    empty: a spoken instruction alone); no system."""
    parts = tuple(MediaPart(m) for m in media) + ((TextPart(text),) if text else ())
    return (Message(role="user", parts=parts),)


def format_prompt(config: TaskConfig, template: str, **fields: Any) -> str:
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as exc:
        raise ConfigError(
            f"task {config.name!r}: prompt field {exc} is not provided; fields: {sorted(fields)}"
        ) from exc


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


def load_with_media_dir(config: TaskConfig, columns: Sequence[str],
                        make_sample: Callable[[int, dict[str, Any], Path], Sample]) -> LoadedTask:
    """The usual loader of a benchmark whose rows name media files under dataset.media_dir: every row (with its
    index) through `make_sample`, then the check that the media folder is the right one."""
    from evalkit import datasets_io

    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, columns)
    rows = loaded.rows
    samples = [make_sample(index, row, folder) for index, row in enumerate(rows)]
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder)})


def load_image_questions(config: TaskConfig, columns: Sequence[str],
                         reference: Callable[[dict[str, Any]], Any],
                         categories: Callable[[dict[str, Any]], dict[str, str]] = lambda row: {}) -> LoadedTask:
    """The loader of a benchmark whose rows hold an image cell `image` and a `question` (ChartQA, CountBench): per
    row (its index the sample id) one user turn, the image then the prompt filled with the question."""
    from evalkit import datasets_io

    loaded = datasets_io.load(config.dataset, columns, {"image": "image"})
    samples = [Sample(task=config.name, sample_id=str(index),
                      messages=user_turn([media_cell("image", row["image"], f"{config.name} item {index}")],
                                         format_prompt(config, config.prompt, question=row["question"])),
                      reference=reference(row), categories=categories(row))
               for index, row in enumerate(loaded.rows)]
    return LoadedTask(samples, loaded.provenance)


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
