"""suite=scale's synthetic media: the real lengths and shapes, read back from the files, and a cache that a second
call reuses."""

from __future__ import annotations

import soundfile
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media.video import probe_video
from evalkit.scale_media import make_items
from evalkit.types import MediaRef


def test_speech_and_sound_lengths(tmp_path):
    speech = make_items("speech", 3, tmp_path)
    assert [round(soundfile.info(i.paths[0]).duration, 2) for i in speech] == [2.0, 16.0, 30.0]
    sound = make_items("sound", 2, tmp_path)
    info = soundfile.info(sound[1].paths[0])
    assert (info.duration, info.samplerate, info.channels) == (30.0, 44100, 2)


def test_images_one_to_three_per_prompt_at_mmmu_sizes(tmp_path):
    items = make_items("images", 3, tmp_path)
    assert [len(i.paths) for i in items] == [1, 2, 3]
    assert Image.open(items[0].paths[0]).size == (1280, 720)


def test_a_short_video_at_2_fps_and_the_cache_is_reused(tmp_path):
    (item,) = make_items("video", 1, tmp_path)
    header = probe_video(MediaRef("video", path=str(item.paths[0])))
    assert item.category == "short"
    assert (header.total_frames, header.fps, header.width, header.height) == (120, 2.0, 640, 360)
    stamp = item.paths[0].stat().st_mtime_ns
    assert make_items("video", 1, tmp_path)[0].paths[0].stat().st_mtime_ns == stamp
    assert MediaConfig().fps == header.fps  # fps 2 sampling finds every frame it asks for
