"""Load a benchmark's rows with the `datasets` library, from the hub or from a local copy in the hub's schema.

`dataset.local_path` overrides the hub. It may be a `save_to_disk` folder, a parquet/json/jsonl/csv file, or a folder
of such files; with several `subsets` it is a folder holding one such entry per subset (`<local_path>/<subset>`,
`<subset>.parquet`, `<subset>.jsonl` or `<subset>.json`). A relative path is resolved against the repository root.

Media columns are cast to `Audio(decode=False)` / `Image(decode=False)`: rows then carry the encoded bytes (or a
file path) and evalkit's media stage decodes them, recording provenance (datasets' own audio decoding needs
torchcodec in recent versions and is slower).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import datasets
import pyarrow.parquet as pq

from evalkit.config import REPO_ROOT, ConfigError, DatasetConfig

MediaColumnKind = Literal["audio", "image"]
DATA_FILE_FORMATS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}


class DatasetError(ConfigError):
    """The dataset cannot be found or does not have the expected shape; the message says what to do."""


@dataclass(frozen=True)
class DatasetPart:
    subset: str  # "" when the dataset has no subsets
    rows: datasets.Dataset

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows as dicts, as `for row in rows` gives them (batched_rows)."""
        return batched_rows(self.rows)


@dataclass(frozen=True)
class LoadedDataset:
    parts: tuple[DatasetPart, ...]
    provenance: dict[str, Any]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Every part's rows, in part order (for tasks that do not need to know which subset a row came from)."""
        return [row for part in self.parts for row in part.records()]


def batched_rows(rows: datasets.Dataset, batch_size: int = 1024) -> Iterator[dict[str, Any]]:
    """The rows as `for row in rows` gives them, formatted a batch at a time: datasets formats a row in about
    0.2 ms, which made iterating most of a task's loading time."""
    for batch in rows.iter(batch_size=batch_size):
        names = list(batch)
        yield from (dict(zip(names, values, strict=True)) for values in zip(*batch.values(), strict=True))


def resolve_path(path: str) -> Path:
    """A configured path; relative ones are relative to the repository root, so configs work from any cwd."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def _subset_names(config: DatasetConfig) -> list[str]:
    return list(config.subsets) or [""]


def _local_entry(config: DatasetConfig, subset: str) -> Path:
    """The file or folder holding one subset of a local copy; errors name what was looked for."""
    root = resolve_path(str(config.local_path))
    if not root.exists():
        raise DatasetError(
            f"dataset.local_path {root} does not exist; download the dataset there or fix dataset.local_path"
        )
    if not subset:
        return root
    if not root.is_dir():
        raise DatasetError(
            f"dataset.local_path {root} is a file, but dataset.subsets lists {list(config.subsets)}: point it at a "
            "folder holding one entry per subset"
        )
    for candidate in [root / subset] + [root / f"{subset}{ext}" for ext in DATA_FILE_FORMATS]:
        if candidate.exists():
            return candidate
    present = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
    raise DatasetError(
        f"unknown subset {subset!r}: no {root / subset}[/|.parquet|.jsonl|.json|.csv]; present in {root}: {present}. "
        "Fix dataset.subsets or add the subset's files"
    )


def _is_saved_dataset(folder: Path) -> bool:
    return (folder / "dataset_info.json").exists() or (folder / "dataset_dict.json").exists()


_SPLIT_WORDS = ("train", "validation", "valid", "val", "dev", "test")
_HUB_SHARD = re.compile(r".+-\d{5}-of-\d{5}\.")  # the hub's "<split>-00000-of-00001.parquet", any split name


def _data_files(entry: Path, split: str) -> tuple[str, list[str]]:
    """(datasets builder name, files) for a data file, or for the files of `split` in a folder of one format.

    A hub snapshot keeps its splits side by side (`validation-00000-of-00001.parquet`, `test/...`): only the
    files named for `split`, by file name prefix or folder, are read. A folder whose files name no split at all
    is taken whole."""
    if entry.is_file():
        if entry.suffix not in DATA_FILE_FORMATS:
            raise DatasetError(f"{entry}: unsupported file type; use .parquet, .jsonl, .json or .csv")
        return DATA_FILE_FORMATS[entry.suffix], [str(entry)]
    for ext, builder in DATA_FILE_FORMATS.items():
        files = sorted(entry.rglob(f"*{ext}"))
        if not files:
            continue
        of_split = [f for f in files if f.name.startswith(split) or split in f.relative_to(entry).parts[:-1]]
        if of_split:
            return builder, [str(f) for f in of_split]
        if any(f.name.startswith(_SPLIT_WORDS) or _HUB_SHARD.match(f.name) for f in files):
            raise DatasetError(
                f"{entry} holds files of other splits ({', '.join(f.name for f in files[:4])}) but none of split "
                f"{split!r}; fix dataset.split or add that split's files"
            )
        return builder, [str(f) for f in files]
    raise DatasetError(
        f"{entry} holds no save_to_disk dataset and no .parquet/.jsonl/.json/.csv files; check dataset.local_path"
    )


def _local_columns(entry: Path, split: str) -> tuple[list[str], Path]:
    """Column names of a local copy without loading its rows, and the file (or folder) they were read from."""
    if entry.is_dir() and _is_saved_dataset(entry):
        return _select_split(datasets.load_from_disk(str(entry)), split, entry).column_names, entry
    builder, files = _data_files(entry, split)
    first = Path(files[0])
    if builder == "parquet":
        return pq.read_schema(first).names, first
    with first.open(encoding="utf-8", newline="") as f:
        if builder == "csv":
            return next(csv.reader(f), []), first
        if first.suffix == ".jsonl":
            line = f.readline()
            return (list(json.loads(line)) if line.strip() else []), first
        data = json.load(f)
    return (list(data[0]) if isinstance(data, list) and data else []), first


def _select_split(loaded: Any, split: str, where: Any) -> datasets.Dataset:
    if isinstance(loaded, datasets.DatasetDict):
        if split not in loaded:
            raise DatasetError(f"{where} has no split {split!r}; splits: {sorted(loaded)}. Fix dataset.split")
        return loaded[split]
    return loaded


def _require_columns(columns: Sequence[str], present: Sequence[str], where: Any) -> None:
    missing = [c for c in columns if c not in present]
    if missing:
        raise DatasetError(
            f"{where} lacks column(s) {missing}; present: {sorted(present)}. The local copy must follow the hub "
            "dataset's schema"
        )


def check(config: DatasetConfig, columns: Sequence[str] = ()) -> None:
    """The cheap checks a run makes before loading any model: the local copy, each subset and the columns exist,
    and so does `media_dir`. Hub datasets are only checked when loaded (that needs the network or the cache)."""
    if config.media_dir is not None and not resolve_path(config.media_dir).is_dir():
        raise DatasetError(
            f"dataset.media_dir {resolve_path(config.media_dir)} is not a folder; download the media there or fix "
            "dataset.media_dir"
        )
    if config.local_path is None:
        if not config.hub_id:
            raise DatasetError("dataset.hub_id is empty and dataset.local_path is not set; set one of them")
        return
    for subset in _subset_names(config):
        present, read_from = _local_columns(_local_entry(config, subset), config.split)
        _require_columns(columns, present, read_from)


def local_file(config: DatasetConfig, task: str, expected: str) -> Path:
    """A benchmark file read as its official code reads it (not in a hub schema), named by dataset.local_path;
    `expected` says which file, for the error when it is unset or missing."""
    if config.local_path is None or not resolve_path(config.local_path).is_file():
        where = "is not set" if config.local_path is None else f"{resolve_path(config.local_path)} is not a file"
        raise DatasetError(f"{task}: dataset.local_path {where}; point it at {expected}")
    return resolve_path(config.local_path)


def local_file_provenance(path: Path, rows: int) -> dict[str, Any]:
    """A local benchmark file's provenance for the manifest: where it is, its content hash and its row count."""
    from evalkit.provenance import file_sha256

    return {"source": "local", "local_path": str(path), "sha256": file_sha256(path), "rows": rows}


def _load_local(entry: Path, split: str) -> datasets.Dataset:
    if entry.is_dir() and _is_saved_dataset(entry):
        return _select_split(datasets.load_from_disk(str(entry)), split, entry)
    builder, files = _data_files(entry, split)
    # datasets pings the hub to count a load of its packaged json/parquet builders, even for local files; without
    # a network that costs a DNS lookup per load, which can hang. Local files need no server.
    counting, datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = datasets.config.HF_UPDATE_DOWNLOAD_COUNTS, False
    try:
        return datasets.load_dataset(builder, data_files=files, split="train")
    finally:
        datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = counting


def _load_hub(config: DatasetConfig, subset: str, trust_remote_code: bool) -> datasets.Dataset:
    try:
        return datasets.load_dataset(
            config.hub_id,
            subset or None,
            split=config.split,
            revision=config.revision,
            trust_remote_code=trust_remote_code or None,
        )
    except Exception as exc:  # datasets' errors name the bad config/split; add which task setting to change
        raise DatasetError(
            f"could not load {config.hub_id} subset {subset or '(default)'!r} split {config.split!r}: {exc}. "
            "Check dataset.subsets/split/revision, or download the dataset and set dataset.local_path"
        ) from exc


def _cast_media(rows: datasets.Dataset, media_columns: Mapping[str, MediaColumnKind]) -> datasets.Dataset:
    """The media columns as undecoded Audio/Image features, in one cast (each cast rewrites the table and
    fingerprints it: MMMU's seven image columns one by one were most of its loading time)."""
    features = rows.features.copy()
    for column, kind in media_columns.items():
        if column in features:
            features[column] = datasets.Audio(decode=False) if kind == "audio" else datasets.Image(decode=False)
    return rows if features == rows.features else rows.cast(features)


def load(
    config: DatasetConfig,
    columns: Sequence[str] = (),
    media_columns: Mapping[str, MediaColumnKind] | None = None,
    trust_remote_code: bool = False,
) -> LoadedDataset:
    """Every subset's rows (split `config.split`), media columns undecoded, and provenance for the manifest."""
    check(config, columns)
    parts = []
    for subset in _subset_names(config):
        if config.local_path is not None:
            where: Any = _local_entry(config, subset)
            rows = _load_local(where, config.split)
        else:
            where = f"{config.hub_id} subset {subset or '(default)'!r} split {config.split!r}"
            rows = _load_hub(config, subset, trust_remote_code)
        _require_columns(columns, rows.column_names, where)
        parts.append(DatasetPart(subset, _cast_media(rows, media_columns or {})))
    provenance = {
        "source": "local" if config.local_path is not None else "hub",
        "hub_id": config.hub_id,
        "revision": config.revision,
        "local_path": str(resolve_path(config.local_path)) if config.local_path is not None else None,
        "split": config.split,
        "subsets": {p.subset: {"fingerprint": p.rows._fingerprint, "rows": p.rows.num_rows} for p in parts},
        "rows": sum(p.rows.num_rows for p in parts),
        "datasets_version": datasets.__version__,
    }
    return LoadedDataset(tuple(parts), provenance)
