"""Decoded media handed from a decoding worker to the run's process through shared memory.

A result pickled back through the worker pool's pipe is copied four times (pickle, pipe, read buffer, unpickle),
and the reading happens in the run's process, under the GIL that the engine loop needs: on an H200 an hour of
video (256 frames of 640x352, 173 MB) cost the run's process about 0.3 s, and 8 videos left evalkit at half of
bare vLLM's speed (bench/results/gpu-20261202b.json). Through shared memory the worker writes each large array
once; the run's process maps the block and removes its name at once, and the array it gets reads the mapping
itself: no copy under the GIL (the copy of an hour of video, 173 MB, was most of the 0.6 s that 8 videos still cost
the engine loop on the H200, bench/results/gpu-20261202c.json), and the memory returns when the array is dropped.
Nothing outlives the hand-off by name (a block orphaned by a crash is removed by multiprocessing's resource tracker
when the run ends).
Arrays under `MIN_SHARED_BYTES`, and any array when /dev/shm lacks room for it, travel pickled as before.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass, replace
from multiprocessing import resource_tracker, shared_memory
from typing import Any

import numpy as np

from evalkit.types import AudioData, ImageData, MediaData, VideoData

MIN_SHARED_BYTES = 1 << 20
SHM_ROOT = "/dev/shm"


@dataclass(frozen=True)
class SharedArray:
    """Where a worker left one array: the block's name, and the array's shape and dtype."""

    name: str
    shape: tuple[int, ...]
    dtype: str


def export(prepared: Any) -> Any:
    """In the worker: the large arrays of a tuple of decoded media moved into shared memory (a MediaError or
    anything else is returned as it is)."""
    if not isinstance(prepared, tuple):
        return prepared
    return tuple(_export_item(item) for item in prepared)


def adopt(shipped: Any) -> Any:
    """In the run's process: the arrays read from their shared memory, each block's name removed."""
    if not isinstance(shipped, tuple):
        return shipped
    return tuple(_adopt_item(item) for item in shipped)


def release(shipped: Any) -> None:
    """Free the blocks of a result nobody will read (the consumer stopped early)."""
    if isinstance(shipped, tuple):
        for item in shipped:
            for value in vars(item).values():
                if isinstance(value, SharedArray):
                    _unlink(value.name)


def _export_item(item: MediaData) -> Any:
    if isinstance(item, VideoData):
        return _moved(item, "frames", item.frames)
    if isinstance(item, AudioData):
        return _moved(item, "waveform", item.waveform)
    if isinstance(item, ImageData) and getattr(item.image, "mode", None) == "RGB":
        return _moved(item, "image", np.asarray(item.image))
    return item


def _moved(item: Any, name: str, array: np.ndarray) -> Any:
    """`item` with its field `name` in shared memory, or `item` itself where the array stays."""
    if array.nbytes < MIN_SHARED_BYTES or not _room_for(array.nbytes):
        return item
    return replace(item, **{name: _to_shared(array)})


def _adopt_item(item: Any) -> MediaData:
    if isinstance(item, VideoData) and isinstance(item.frames, SharedArray):
        return replace(item, frames=_take(item.frames))
    if isinstance(item, AudioData) and isinstance(item.waveform, SharedArray):
        return replace(item, waveform=_take(item.waveform))
    if isinstance(item, ImageData) and isinstance(item.image, SharedArray):
        # the pixels stay an array over the block: building a PIL image copied them under the GIL (2 ms for a
        # 1280x720 image on an H200 host); engines that want PIL ask ImageData.pil()
        return replace(item, image=_take(item.image))
    return item


def _to_shared(array: np.ndarray) -> SharedArray:
    block = shared_memory.SharedMemory(create=True, size=array.nbytes)
    try:
        np.ndarray(array.shape, array.dtype, buffer=block.buf)[...] = array
        return SharedArray(block.name, tuple(array.shape), array.dtype.str)
    finally:
        block.close()


def _take(shared: SharedArray) -> np.ndarray:
    """The array over its block's memory, mapped privately to this process: writable, and freed when the array is."""
    fd = os.open(os.path.join(SHM_ROOT, shared.name), os.O_RDWR)
    try:
        mapped = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    _forget(shared.name)
    dtype = np.dtype(shared.dtype)
    return np.frombuffer(mapped, dtype, count=int(np.prod(shared.shape))).reshape(shared.shape)


def _forget(name: str) -> None:
    """The block's name removed (as SharedMemory.unlink does); a mapping of it stays valid until unmapped."""
    os.unlink(os.path.join(SHM_ROOT, name))
    resource_tracker.unregister(f"/{name}", "shared_memory")


def _unlink(name: str) -> None:
    try:
        block = shared_memory.SharedMemory(name=name)
    except FileNotFoundError:
        return
    block.close()
    block.unlink()


def _room_for(size: int) -> bool:
    """Whether /dev/shm can hold the block with room to spare: writing past a full tmpfs kills the writer with
    SIGBUS instead of raising, so a block that may not fit is not attempted. Platforms without /dev/shm pickle."""
    try:
        stat = os.statvfs(SHM_ROOT)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize > 4 * size
