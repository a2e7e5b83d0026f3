"""Decoded media through shared memory: what a worker decodes arrives equal, in the types the engine takes, and no
block outlives the hand-off (read, or dropped by a consumer that stopped early)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest
import soundfile
from media_fixtures import frame_colour, sine, write_video
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media import handoff
from evalkit.media import pool as pool_module
from evalkit.media.pool import MediaPool, prepare_item
from evalkit.types import AudioData, ImageData, MediaRef, VideoData

pytestmark = pytest.mark.skipif(not Path(handoff.SHM_ROOT).is_dir(), reason="no /dev/shm on this platform")


def blocks() -> set[str]:
    return {name for name in os.listdir(handoff.SHM_ROOT) if name.startswith("psm_")}  # SharedMemory blocks


def media() -> tuple[VideoData, AudioData, ImageData, AudioData]:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (12, 96, 128, 3), dtype=np.uint8)  # 442 KB: under the threshold...
    frames = np.concatenate([frames] * 3)  # ...1.3 MB: over it
    picture = Image.fromarray(rng.integers(0, 256, (720, 640, 3), dtype=np.uint8), mode="RGB")
    long_audio = rng.standard_normal(400_000).astype(np.float32)  # 1.6 MB
    short_audio = rng.standard_normal(1000).astype(np.float32)
    return (VideoData(frames, 2.0, {"source": "v"}), AudioData(long_audio, 16000, {"source": "a"}),
            ImageData(picture, {"source": "i"}), AudioData(short_audio, 16000, {"source": "s"}))


def test_large_arrays_go_through_shared_memory_and_come_back_equal_with_no_block_left():
    before = blocks()
    original = media()
    shipped = handoff.export(original)
    names = {v.name for item in shipped for v in vars(item).values() if isinstance(v, handoff.SharedArray)}
    assert len(names) == 3 and names <= blocks() - before  # video, long audio, image; the short clip stays
    assert shipped[3].waveform is original[3].waveform
    adopted = handoff.adopt(shipped)
    assert not (names & blocks())
    video, audio, image, short = adopted
    np.testing.assert_array_equal(video.frames, original[0].frames)
    assert video.frames.dtype == np.uint8 and video.fps == 2.0 and video.provenance == {"source": "v"}
    assert video.frames.flags.writeable and audio.waveform.flags.writeable  # torch.from_numpy takes them as they are
    np.testing.assert_array_equal(audio.waveform, original[1].waveform)
    assert audio.waveform.dtype == np.float32
    assert isinstance(image.image, np.ndarray) and image.pil().mode == "RGB"  # pixels over the block, no copy
    np.testing.assert_array_equal(image.image, np.asarray(original[2].image))
    np.testing.assert_array_equal(np.asarray(image.pil()), np.asarray(original[2].image))
    assert short is original[3]


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc/self/maps (Linux)")
def test_an_adopted_array_reads_the_block_itself_and_unmaps_it_when_dropped():
    def mapped(name: str) -> bool:
        return name in Path("/proc/self/maps").read_text()

    shipped = handoff.export(media())
    name = shipped[0].frames.name
    video = handoff.adopt(shipped)[0]
    assert mapped(name) and name not in blocks()  # no copy: the array is the mapping, whose name is already gone
    del video, shipped
    assert not mapped(name)


def test_a_result_nobody_reads_is_freed():
    shipped = handoff.export(media())
    names = {v.name for item in shipped for v in vars(item).values() if isinstance(v, handoff.SharedArray)}
    handoff.release(shipped)
    handoff.release(shipped)  # twice is harmless
    assert not (names & blocks())


def test_without_room_in_shared_memory_arrays_travel_pickled(monkeypatch):
    monkeypatch.setattr(handoff, "SHM_ROOT", "/nonexistent-shm")
    original = media()
    shipped = handoff.export(original)
    assert all(a is b for a, b in zip(shipped, original, strict=True))


def test_an_error_passes_through_untouched(tmp_path):
    error = prepare_item((MediaRef("audio", path=str(tmp_path / "missing.wav")),), MediaConfig(), None)
    assert handoff.export(error) is error and handoff.adopt(error) is error


def test_a_worker_process_hands_a_video_over(tmp_path):
    path = write_video(tmp_path / "clip.mp4", n_frames=40, fps=4, size=(320, 240))
    ref = (MediaRef("video", path=str(path)),)
    inline = prepare_item(ref, MediaConfig(), None)
    before = blocks()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as workers:
        shipped = workers.submit(handoff.export, inline).result()
    assert isinstance(shipped[0].frames, handoff.SharedArray)
    (video,) = handoff.adopt(shipped)
    np.testing.assert_array_equal(video.frames, inline[0].frames)
    assert tuple(video.frames[0, 0, 0]) == pytest.approx(frame_colour(0), abs=6)
    assert blocks() == before


def test_pool_consumer_that_stops_early_leaves_no_block(tmp_path):
    paths = []
    for i in range(6):
        paths.append(tmp_path / f"long{i}.wav")
        soundfile.write(paths[-1], sine(300.0, 16000, 30.0), 16000)  # 30 s float32: 1.9 MB decoded
    before = blocks()
    items = [(f"s{i}", [MediaRef("audio", path=str(p))], MediaConfig(), ()) for i, p in enumerate(paths)]
    with MediaPool(workers=2, cache_dir=None, max_in_flight=4) as pool:
        stream = pool.prepare(items)
        key, (audio,) = next(stream)
        assert key == "s0" and len(audio.waveform) == 480_000
        stream.close()  # the other items were submitted: their blocks must go when they finish
    pool_module._SHARED[2].submit(int).result()  # results come back in order: the abandoned items' are in
    for _ in range(50):  # ...and their callbacks run on the pool's own thread
        if blocks() == before:
            break
        time.sleep(0.1)
    assert blocks() == before
