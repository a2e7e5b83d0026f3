"""Decoding against known answers: tones of known frequency and length, videos whose frame i is painted with a
colour that encodes i, images of known size; and the errors for missing, corrupt and empty files."""

from __future__ import annotations

import av
import numpy as np
import pytest
import soundfile
from media_fixtures import colour_index, sine, write_audio_pyav, write_video
from PIL import Image

from evalkit.config import MediaConfig
from evalkit.media import MediaError, decode, video
from evalkit.media.pool import prepare_item
from evalkit.types import AudioData, MediaRef, VideoData

CONFIG = MediaConfig()


def peak_hz(waveform: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(waveform))
    return float(np.argmax(spectrum)) * rate / len(waveform)


def test_stereo_44k_wav_to_16k_mono(stereo_sine_wav):
    audio = decode(MediaRef("audio", path=str(stereo_sine_wav)), CONFIG)
    assert audio.sample_rate == 16000 and audio.waveform.dtype == np.float32 and audio.waveform.ndim == 1
    assert len(audio.waveform) == 40000  # 2.5 s at 16 kHz, already whole 160-sample frames
    assert abs(peak_hz(audio.waveform, 16000) - 1000.0) < 0.5
    assert audio.provenance["original_sample_rate"] == 44100 and audio.provenance["original_channels"] == 2
    assert audio.provenance["resampler"] == "soxr HQ" and audio.provenance["duration_s"] == 2.5


def test_matches_librosa_load_as_official_utils_do(stereo_sine_wav):
    librosa = pytest.importorskip("librosa")
    official, _ = librosa.load(str(stereo_sine_wav), sr=16000)
    ours = decode(MediaRef("audio", path=str(stereo_sine_wav)), CONFIG).waveform
    np.testing.assert_allclose(ours, official[: len(ours)], atol=1e-6)


def test_trimmed_to_whole_feature_frames(tmp_path):
    path = tmp_path / "odd.wav"
    soundfile.write(path, sine(440.0, 44100, 1.0)[:44100].tolist() + [0.0] * 300, 44100)  # 16108.8 samples at 16 kHz
    audio = decode(MediaRef("audio", path=str(path)), CONFIG)
    assert len(audio.waveform) == 16000 and audio.provenance["trimmed_samples"] in (108, 109)


def test_inline_bytes_decode_like_the_file(stereo_sine_wav):
    from_file = decode(MediaRef("audio", path=str(stereo_sine_wav)), CONFIG)
    inline = decode(MediaRef("audio", data=stereo_sine_wav.read_bytes()), CONFIG)
    np.testing.assert_array_equal(from_file.waveform, inline.waveform)
    assert inline.provenance["sha256"] == from_file.provenance["sha256"]
    assert inline.provenance["source"].endswith("inline bytes>")


@pytest.mark.parametrize(("codec", "suffix", "decoder"), [("libmp3lame", "mp3", "soundfile"), ("aac", "m4a", "pyav")])
def test_compressed_audio(tmp_path, codec, suffix, decoder):
    path = write_audio_pyav(tmp_path / f"tone.{suffix}", codec, 44100, 2.0, freq=1000.0)
    audio = decode(MediaRef("audio", path=str(path)), CONFIG)
    assert audio.provenance["decoder"] == decoder  # libsndfile has no AAC: PyAV takes over
    assert abs(len(audio.waveform) - 32000) <= 2 * 1152 * 16000 / 44100 and len(audio.waveform) % 160 == 0
    assert abs(peak_hz(audio.waveform, 16000) - 1000.0) < 1.0


def test_video_frames_at_2fps_are_the_official_indices(tmp_path):
    path = write_video(tmp_path / "count.mp4", n_frames=100, fps=10)
    clip = decode(MediaRef("video", path=str(path)), CONFIG)
    expected = [0, 5, 10, 16, 21, 26, 31, 36, 42, 47, 52, 57, 63, 68, 73, 78, 83, 89, 94, 99]  # linspace(0, 99, 20)
    assert clip.provenance["frame_indices"] == expected
    assert [colour_index(frame[20, 20]) for frame in clip.frames] == expected
    assert clip.frames.dtype == np.uint8 and clip.frames.shape == (20, 288, 384, 3)  # 64x48 raised to min_pixels
    assert clip.fps == 2.0 and clip.provenance["duration_s"] == 10.0 and clip.provenance["source_frames"] == 100


@pytest.mark.parametrize(
    ("n_frames", "max_frames", "expected"),
    [
        (100, 8, [0, 14, 28, 42, 57, 71, 85, 99]),  # frame cap
        (10, 768, [0, 3, 6, 9]),  # 1 s -> 2 frames, raised to min_frames 4
        (25, 768, [0, 8, 16, 24]),  # 2.5 s -> 5, floored to 4
    ],
)
def test_video_cap_and_min_frames(tmp_path, n_frames, max_frames, expected):
    path = write_video(tmp_path / "clip.mp4", n_frames=n_frames, fps=10)
    clip = decode(MediaRef("video", path=str(path)), MediaConfig(max_frames=max_frames))
    assert [colour_index(frame[20, 20]) for frame in clip.frames] == expected
    assert clip.fps == pytest.approx(len(expected) / (n_frames / 10))


def test_seeking_and_decoding_through_give_the_same_frames(tmp_path, monkeypatch):
    path = write_video(tmp_path / "sparse.mp4", n_frames=100, fps=10, gop=10)
    sparse = MediaConfig(max_frames=4)  # frames 0, 33, 66, 99: far apart relative to a 10-frame keyframe interval
    seeking = decode(MediaRef("video", path=str(path)), sparse)
    monkeypatch.setattr(video, "SEEK_COST_FRAMES", 10**9)
    through = decode(MediaRef("video", path=str(path)), sparse)
    assert seeking.provenance["seeks"] == 3 and through.provenance["seeks"] == 0
    np.testing.assert_array_equal(seeking.frames, through.frames)
    assert [colour_index(frame[20, 20]) for frame in seeking.frames] == [0, 33, 66, 99]


def test_parallel_segments_give_the_frames_of_one_pass_with_b_frames(tmp_path, monkeypatch):
    path = write_video(tmp_path / "dense.mp4", n_frames=300, fps=10, gop=10, bframes=3)
    segmented = decode(MediaRef("video", path=str(path)), CONFIG)  # 60 frames, ~6 keyframes apart: many segments
    monkeypatch.setattr(video, "SEEK_COST_FRAMES", 10**9)
    one_pass = decode(MediaRef("video", path=str(path)), CONFIG)
    assert segmented.provenance["seeks"] >= 10 and one_pass.provenance["seeks"] == 0
    np.testing.assert_array_equal(segmented.frames, one_pass.frames)
    assert [colour_index(frame[20, 20]) for frame in segmented.frames] == segmented.provenance["frame_indices"]


def test_b_frames_skipped_when_unwanted_and_decoded_when_wanted(tmp_path):
    path = write_video(tmp_path / "bframes.mp4", n_frames=100, fps=10, bframes=3)  # non-reference B-frames
    with av.open(str(path)) as container:
        kinds = {frame.pict_type for frame in container.decode(video=0)}
    assert av.video.frame.PictureType.B in kinds
    clip = decode(MediaRef("video", path=str(path)), CONFIG)
    assert [colour_index(frame[20, 20]) for frame in clip.frames] == clip.provenance["frame_indices"]
    assert len(clip.frames) == 20


def test_video_matches_qwen_omni_utils(tmp_path):
    official = pytest.importorskip("qwen_omni_utils.v2_5.vision_process")
    path = write_video(tmp_path / "count.mp4", n_frames=100, fps=10)
    ele = {
        "video": str(path),
        "fps": 2.0,
        "min_frames": 4,
        "max_frames": 768,
        "min_pixels": CONFIG.min_pixels,
        "max_pixels": CONFIG.max_pixels,
    }
    (frames, meta), sample_fps = official.fetch_video(
        ele, image_patch_size=16, return_video_sample_fps=True, return_video_metadata=True
    )
    ours = decode(MediaRef("video", path=str(path)), CONFIG)
    assert list(meta["frames_indices"]) == ours.provenance["frame_indices"] and sample_fps == ours.fps
    reference = frames.permute(0, 2, 3, 1).round().clamp(0, 255).numpy()
    assert reference.shape == ours.frames.shape
    assert np.abs(reference.astype(int) - ours.frames.astype(int)).max() <= 1


def test_video_audio_track_follows_the_video(tmp_path):
    path = write_video(tmp_path / "av.mp4", n_frames=20, fps=10, audio_rate=44100)
    clip, track = prepare_item((MediaRef("video", path=str(path)),), MediaConfig(use_audio_in_video=True), None)
    assert isinstance(clip, VideoData) and isinstance(track, AudioData)
    assert track.provenance["track"] == "video audio track" and track.provenance["original_channels"] == 2
    assert 2.0 <= track.provenance["duration_s"] <= 2.1 and abs(peak_hz(track.waveform, 16000) - 440.0) < 1.0
    assert len(prepare_item((MediaRef("video", path=str(path)),), CONFIG, None)) == 1


def test_image_resized_only_when_over_the_cap():
    big = Image.new("RGB", (640, 480), (10, 20, 30))
    import io

    buffer = io.BytesIO()
    big.save(buffer, format="PNG")
    capped = decode(MediaRef("image", data=buffer.getvalue()), MediaConfig(image_max_pixels=100000))
    # beta = sqrt(307200 / 100000) = 1.7527: floor(480 / beta / 32) = 8, floor(640 / beta / 32) = 11 blocks
    assert capped.image.size == (352, 256) and capped.provenance["original_size"] == [640, 480]
    kept = decode(MediaRef("image", data=buffer.getvalue()), CONFIG)
    assert kept.image.size == (640, 480) and kept.provenance["resized"] is False


def test_rgba_composited_on_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(path)
    image = decode(MediaRef("image", path=str(path)), CONFIG).image
    assert image.mode == "RGB" and image.getpixel((0, 0)) == (255, 255, 255)


@pytest.mark.parametrize("kind", ["audio", "image", "video"])
def test_missing_file_is_named(tmp_path, kind):
    path = tmp_path / f"absent.{kind}"
    with pytest.raises(MediaError, match=rf"{kind} .*absent\.{kind}: file not found"):
        decode(MediaRef(kind, path=str(path)), CONFIG)


@pytest.mark.parametrize(("kind", "suffix"), [("audio", "wav"), ("image", "png"), ("video", "mp4")])
def test_corrupt_file_is_named(tmp_path, kind, suffix):
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(MediaError, match=rf"broken\.{suffix}: not decodable"):
        decode(MediaRef(kind, path=str(path)), CONFIG)


def test_zero_length_audio(tmp_path):
    path = tmp_path / "empty.wav"
    soundfile.write(path, np.zeros((0, 1), np.float32), 16000)
    with pytest.raises(MediaError, match=r"empty\.wav: zero-length audio"):
        decode(MediaRef("audio", path=str(path)), CONFIG)


def test_audio_only_file_as_video(tmp_path):
    path = write_audio_pyav(tmp_path / "voice.m4a", "aac", 16000, 1.0)
    with pytest.raises(MediaError, match=r"voice\.m4a: no video stream"):
        decode(MediaRef("video", path=str(path)), CONFIG)


def test_single_frame_video(tmp_path):
    path = write_video(tmp_path / "still.mp4", n_frames=1, fps=10)
    with pytest.raises(MediaError, match=r"still\.mp4: only 1 frame"):
        decode(MediaRef("video", path=str(path)), CONFIG)


def test_video_without_audio_track_when_audio_is_wanted(tmp_path):
    path = write_video(tmp_path / "mute.mp4", n_frames=10, fps=10)
    error = prepare_item((MediaRef("video", path=str(path)),), MediaConfig(use_audio_in_video=True), None)
    assert isinstance(error, MediaError) and "mute.mp4: the video has no audio track" in str(error)
