"""The worker pool: input order kept, one failure does not stop the stream, memory bounded, and the on-disk
cache: a second pass decodes nothing, entries are written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from media_fixtures import sine

import evalkit.media
from evalkit.config import MediaConfig
from evalkit.media import MediaError
from evalkit.media.cache import DecodedCache, decoded_key
from evalkit.media.pool import MediaPool
from evalkit.types import AudioData, MediaRef

CONFIG = MediaConfig()


def tone_files(folder: Path, count: int) -> list[Path]:
    """File i lasts (i + 1) / 10 s at 8 kHz, so its decoded length (1600 * (i + 1)) identifies it."""
    paths = []
    for i in range(count):
        path = folder / f"tone{i}.wav"
        soundfile.write(path, sine(300.0, 8000, (i + 1) / 10), 8000)
        paths.append(path)
    return paths


def items_for(paths: list[Path]):
    return [(f"s{i}", [MediaRef("audio", path=str(p))], CONFIG, ()) for i, p in enumerate(paths)]


@pytest.mark.parametrize("workers", [0, 2])
def test_order_kept_and_a_failure_in_the_middle_is_yielded(tmp_path, workers):
    paths = tone_files(tmp_path, 7)
    paths[3].unlink()
    with MediaPool(workers=workers, cache_dir=None) as pool:
        results = list(pool.prepare(items_for(paths)))
    assert [key for key, _ in results] == [f"s{i}" for i in range(7)]
    for i, (_, result) in enumerate(results):
        if i == 3:
            assert isinstance(result, MediaError) and "tone3.wav: file not found" in str(result)
        else:
            (audio,) = result
            assert isinstance(audio, AudioData) and len(audio.waveform) == 1600 * (i + 1)


def test_at_most_max_in_flight_items_are_taken_ahead(tmp_path):
    paths = tone_files(tmp_path, 9)
    pulled = 0

    def source():
        nonlocal pulled
        for item in items_for(paths):
            pulled += 1
            yield item

    with MediaPool(workers=2, cache_dir=None, max_in_flight=3) as pool:
        for consumed, _ in enumerate(pool.prepare(source()), start=1):
            assert pulled - consumed <= 3 - 1  # the one being handed over no longer counts
    assert pulled == 9


def test_an_item_with_several_media_keeps_their_order(tmp_path):
    paths = tone_files(tmp_path, 3)
    refs = [MediaRef("audio", path=str(p)) for p in reversed(paths)]
    with MediaPool(workers=0, cache_dir=None) as pool:
        ((_, result),) = list(pool.prepare([("only", refs, CONFIG, ())]))
    assert [len(a.waveform) for a in result] == [4800, 3200, 1600]


def test_second_pass_decodes_nothing(tmp_path, monkeypatch):
    paths = tone_files(tmp_path, 3)
    calls = []
    real = evalkit.media._DECODERS["audio"]
    monkeypatch.setitem(evalkit.media._DECODERS, "audio", lambda *args: calls.append(args[0]) or real(*args))
    pool = MediaPool(workers=0, cache_dir=tmp_path / "cache")
    first = list(pool.prepare(items_for(paths)))
    assert len(calls) == 3
    second = list(pool.prepare(items_for(paths)))
    assert len(calls) == 3  # all three came from the cache
    for (_, (a,)), (_, (b,)) in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.waveform, b.waveform)
        assert b.provenance == a.provenance  # a cache hit is indistinguishable from a decode
    list(pool.prepare([("s0", [MediaRef("audio", path=str(paths[0]))], MediaConfig(sample_rate=8000), ())]))
    assert len(calls) == 4  # another sample rate is another entry


@pytest.mark.parametrize("workers", [0, 2])
def test_content_ids_name_the_decoded_arrays(tmp_path, workers):
    """Equal ids exactly where the arrays are equal: the same bytes under another name and the same settings share
    one; other bytes or another sample rate do not; decoded or read from the cache, an item keeps its id."""
    paths = tone_files(tmp_path, 2)
    twin = tmp_path / "twin.wav"
    twin.write_bytes(paths[0].read_bytes())
    other_rate = ("rate", [MediaRef("audio", path=str(paths[0]))], MediaConfig(sample_rate=8000), ())
    items = [*items_for([*paths, twin]), other_rate]
    with MediaPool(workers=workers, cache_dir=None) as pool:
        ids = [media[0].content_id for _, media in pool.prepare(items)]
    with MediaPool(workers=workers, cache_dir=tmp_path / "cache") as pool:
        assert [media[0].content_id for _, media in pool.prepare(items)] == ids  # decoded into the cache
        assert [media[0].content_id for _, media in pool.prepare(items)] == ids  # read from it
    first, second, twin_id, resampled = ids
    assert len(first) == 64 and first == twin_id
    assert len({first, second, resampled}) == 3
    assert first == decoded_key(evalkit.media.source_sha256(MediaRef("audio", path=str(paths[0]))), "audio", CONFIG)


def test_cache_entries_not_rewritten_by_worker_processes(tmp_path):
    paths = tone_files(tmp_path, 4)
    cache = tmp_path / "cache"
    with MediaPool(workers=2, cache_dir=cache) as pool:
        first = list(pool.prepare(items_for(paths)))
        entries = {p: p.stat().st_mtime_ns for p in (cache / "decoded").rglob("*.npz")}
        assert len(entries) == 4
        second = list(pool.prepare(items_for(paths)))
    assert {p: p.stat().st_mtime_ns for p in (cache / "decoded").rglob("*.npz")} == entries
    for (_, (a,)), (_, (b,)) in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.waveform, b.waveform)


def test_store_is_atomic(tmp_path, monkeypatch):
    cache = DecodedCache(tmp_path)
    audio = AudioData(waveform=np.ones(160, np.float32), sample_rate=16000, provenance={"sha256": "x"})
    key = decoded_key("x" * 64, "audio", CONFIG)

    def fail_midway(handle, **arrays):
        handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        cache.store(key, audio)
    assert not cache.path(key).exists() and not list(tmp_path.rglob("*.tmp"))
    monkeypatch.undo()
    cache.store(key, audio)
    assert cache.load(key, MediaRef("audio", path="elsewhere.wav")).provenance["source"] == "elsewhere.wav"
    assert not list(tmp_path.rglob("*.tmp"))


def test_file_hash_is_remembered_per_path_size_and_mtime(tmp_path):
    (path,) = tone_files(tmp_path, 1)
    cache = DecodedCache(tmp_path / "cache")
    ref = MediaRef("audio", path=str(path))
    first = cache.sha256(ref)
    assert len(list((tmp_path / "cache" / "hashes").iterdir())) == 1
    soundfile.write(path, sine(300.0, 8000, 0.3), 8000)  # new content, new size and mtime
    assert cache.sha256(ref) != first
    assert len(list((tmp_path / "cache" / "hashes").iterdir())) == 2
