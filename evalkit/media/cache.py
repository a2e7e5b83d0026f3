"""The decoded-media cache on disk: one .npz per decoded item, keyed by the sha256 of the source bytes and the
settings that change the decoded output, written atomically (a temp file in the same folder, then os.replace),
so a crash or two writers can never leave a half-written entry under a real name.

A source file's sha256 is remembered per (path, size, mtime) in `hashes/`, so a large video is read for hashing
once, not once per run or per question.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import av
import numpy as np
import PIL
import soxr
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media.qwen_rules import VideoPlan
from evalkit.media.source import check_exists, source_sha256
from evalkit.types import AudioData, ImageData, MediaData, MediaRef, VideoData

CACHE_FORMAT = 2  # bump when evalkit's decoded output changes for the same settings
LIBRARIES = {"av": av.__version__, "soxr": soxr.__version__, "pillow": PIL.__version__}

# MediaConfig fields that change each kind of decoded item
TRACK_SETTINGS = {
    "audio": ("sample_rate",),
    "video_audio": ("sample_rate",),
    "image": ("image_max_pixels", "frame_factor"),
    "video": ("fps", "min_frames", "max_frames", "max_pixels", "min_pixels", "frame_factor"),
}


def decoded_key(sha256: str, track: str, config: MediaConfig, plan: VideoPlan | None = None) -> str:
    """The identity of one decoded item: its source bytes, the settings that shape it, evalkit's decoded format and
    the decoding libraries. The cache's file name, and the item's content_id."""
    settings = {name: getattr(config, name) for name in TRACK_SETTINGS[track]}
    if track == "video":
        settings["plan"] = asdict(plan) if plan else None  # the frames and size decoded
    identity = {"sha256": sha256, "track": track, "settings": settings, "format": CACHE_FORMAT, "libs": LIBRARIES}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class DecodedCache:
    root: Path

    def sha256(self, ref: MediaRef) -> str:
        """Source sha256, remembered on disk per (absolute path, size, mtime) for files."""
        if ref.path is None:
            return source_sha256(ref)
        check_exists(ref)  # a missing file is the dataset's problem, said as such, not an OSError from stat
        stat = os.stat(ref.path)
        stamp = f"{os.path.abspath(ref.path)}|{stat.st_size}|{stat.st_mtime_ns}"
        memo = self.root / "hashes" / hashlib.sha1(stamp.encode()).hexdigest()
        if memo.is_file():
            return memo.read_text().strip()
        digest = source_sha256(ref)
        _write_atomic(memo, lambda handle: handle.write(digest.encode()))
        return digest

    def path(self, key: str) -> Path:
        return self.root / "decoded" / key[:2] / f"{key}.npz"

    def load(self, key: str, ref: MediaRef) -> MediaData | None:
        path = self.path(key)
        if not path.is_file():
            return None
        with np.load(path) as stored:
            meta = json.loads(str(stored["meta"]))
            array = stored["array"]
        # Provenance says what was decoded and how, never whether it came from this cache: it feeds the response
        # cache key and samples.jsonl, which must not change between a first and a resumed run.
        provenance = {**meta["provenance"], "source": ref.label}  # same bytes may have other names
        if meta["type"] == "audio":
            return AudioData(waveform=array, sample_rate=meta["sample_rate"], provenance=provenance)
        if meta["type"] == "image":
            return ImageData(image=Image.fromarray(array), provenance=provenance)
        return VideoData(frames=array, fps=meta["fps"], provenance=provenance)

    def store(self, key: str, data: MediaData) -> None:
        meta: dict[str, Any] = {"provenance": dict(data.provenance)}
        if isinstance(data, AudioData):
            meta.update(type="audio", sample_rate=data.sample_rate)
            array = data.waveform
        elif isinstance(data, ImageData):
            meta.update(type="image")
            array = np.asarray(data.image)
        else:
            meta.update(type="video", fps=data.fps)
            array = data.frames
        _write_atomic(self.path(key), lambda handle: np.savez(handle, array=array, meta=np.array(json.dumps(meta))))


def _write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False) as handle:
        try:
            write(handle)
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, path)
