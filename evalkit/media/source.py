"""Where a media item's bytes come from: a path or inline bytes. Checking, opening and hashing live here so the
decoders only decode, and every failure becomes one error type that names the file."""

from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache
from typing import BinaryIO

from evalkit.types import MediaRef

HASH_CHUNK = 1 << 22


class MediaError(ValueError):
    """A media item that cannot be decoded; the message names the file, what is wrong and what to do."""


def media_error(ref: MediaRef, problem: str, remedy: str) -> MediaError:
    return MediaError(f"{ref.kind} {ref.label}: {problem}; {remedy}")


def check_exists(ref: MediaRef) -> None:
    if ref.path is not None and not os.path.isfile(ref.path):
        raise media_error(ref, "file not found", "check the dataset's media_dir / local_path setting")


def open_source(ref: MediaRef) -> str | BinaryIO:
    """A path (decoders open it themselves, which lets them seek) or a file object over inline bytes."""
    check_exists(ref)
    return ref.path if ref.path is not None else io.BytesIO(ref.data or b"")


def source_sha256(ref: MediaRef) -> str:
    """sha256 of the source bytes; a file is hashed once per (path, size, mtime) in this process."""
    if ref.path is None:  # inline bytes: a MediaRef holds exactly one of path and data
        return hashlib.sha256(ref.data or b"").hexdigest()
    check_exists(ref)
    stat = os.stat(ref.path)
    return _file_sha256(os.path.abspath(ref.path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:  # size and mtime are part of the memo key
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
