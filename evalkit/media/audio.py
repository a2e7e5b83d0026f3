"""Audio -> 16 kHz mono float32, the way the official `process_mm_info` does it (librosa.load: channel mean,
then soxr high-quality resampling), trimmed to whole feature frames.

soundfile reads wav/flac/ogg/mp3; PyAV reads what libsndfile cannot (m4a/aac, opus in mp4, video audio tracks).
"""

from __future__ import annotations

from typing import BinaryIO

import av
import numpy as np
import soundfile
import soxr

from evalkit.config import MediaConfig
from evalkit.media.source import media_error, open_source
from evalkit.types import AudioData, MediaRef

FEATURE_HOP = 160  # samples per feature frame at 16 kHz; a partial last frame can make engines disagree by one
RESAMPLER = "soxr HQ"  # librosa.load's default res_type "soxr_hq", which the official utils use


def decode_audio(ref: MediaRef, config: MediaConfig, sha256: str) -> AudioData:
    try:
        samples, rate = _read_soundfile(open_source(ref))
        decoder = "soundfile"
    except soundfile.LibsndfileError as sf_error:
        try:
            samples, rate = _read_pyav(open_source(ref))
        except (av.error.FFmpegError, IndexError) as av_error:
            raise media_error(
                ref,
                f"not decodable as audio (soundfile: {sf_error}; PyAV: {av_error})",
                "re-encode it (e.g. `ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`) or check that it is not truncated",
            ) from av_error
        decoder = "pyav"
    return _finish(ref, config, samples, rate, {"sha256": sha256, "decoder": decoder, "track": "audio file"})


def probe_audio(ref: MediaRef, config: MediaConfig) -> int:
    """The samples decode_audio yields, from the header where libsndfile reads the file, else by decoding it."""
    try:
        info = soundfile.info(open_source(ref))
    except soundfile.LibsndfileError:
        return len(decode_audio(ref, config, sha256="").waveform)
    return decoded_length(ref, info.frames, info.samplerate, config)


def decode_video_audio(ref: MediaRef, config: MediaConfig, sha256: str) -> AudioData:
    """The audio track of a video (use_audio_in_video), decoded like an audio file."""
    try:
        samples, rate = _read_pyav(open_source(ref))
    except IndexError:
        raise media_error(ref, "the video has no audio track", "set use_audio_in_video=false for this task") from None
    except av.error.FFmpegError as error:
        raise media_error(ref, f"audio track not decodable ({error})", "re-encode the video") from error
    return _finish(ref, config, samples, rate, {"sha256": sha256, "decoder": "pyav", "track": "video audio track"})


def _finish(ref: MediaRef, config: MediaConfig, samples: np.ndarray, rate: int, facts: dict) -> AudioData:
    """(n, channels) float32 at `rate` -> mono at config.sample_rate, trimmed to whole feature frames."""
    if samples.shape[0] == 0:
        raise media_error(ref, "zero-length audio (no samples)", "drop this sample or replace the file")
    mono = samples[:, 0] if samples.shape[1] == 1 else samples.mean(axis=1, dtype=np.float32)
    if rate != config.sample_rate:
        mono = soxr.resample(mono, rate, config.sample_rate, quality="HQ")
    kept = whole_frames(ref, len(mono), config.sample_rate)
    waveform = np.ascontiguousarray(mono[:kept], dtype=np.float32)
    provenance = {
        "source": ref.label,
        **facts,
        "original_sample_rate": int(rate),
        "original_channels": int(samples.shape[1]),
        "original_duration_s": samples.shape[0] / rate,
        "duration_s": kept / config.sample_rate,
        "trimmed_samples": len(mono) - kept,
        "resampler": RESAMPLER if rate != config.sample_rate else "none",
    }
    return AudioData(waveform=waveform, sample_rate=config.sample_rate, provenance=provenance)


def decoded_length(ref: MediaRef, n_samples: int, rate: int, config: MediaConfig) -> int:
    """The samples decode_audio yields for `n_samples` at `rate`, known from a header without decoding: soxr's
    output length (n x target / rate, halves rounded up), trimmed to whole feature frames."""
    resampled = n_samples if rate == config.sample_rate else (2 * n_samples * config.sample_rate + rate) // (2 * rate)
    return whole_frames(ref, resampled, config.sample_rate)


def whole_frames(ref: MediaRef, n_samples: int, sample_rate: int) -> int:
    kept = n_samples // FEATURE_HOP * FEATURE_HOP
    if kept == 0:
        raise media_error(
            ref,
            f"shorter than one feature frame ({n_samples} samples at {sample_rate} Hz)",
            "drop this sample or replace the file",
        )
    return kept


def _read_soundfile(source: str | BinaryIO) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(source, dtype="float32", always_2d=True)
    return samples, int(rate)


def _read_pyav(source: str | BinaryIO) -> tuple[np.ndarray, int]:
    """All samples of the first audio stream as float32 (n, channels), at the stream's own rate.
    Raises IndexError when there is no audio stream."""
    with av.open(source, mode="r") as container:
        stream = container.streams.audio[0]
        to_float = av.AudioResampler(format="fltp")  # planar float, same rate and layout
        chunks = [out.to_ndarray() for frame in container.decode(stream) for out in to_float.resample(frame)]
        chunks += [out.to_ndarray() for out in to_float.resample(None)]
        rate = stream.rate
        channels = stream.layout.nb_channels
    if not chunks:
        return np.zeros((0, channels), np.float32), rate
    return np.concatenate(chunks, axis=1).T.astype(np.float32, copy=False), rate
