"""The talker's audio as files: 16-bit PCM mono WAV at the model's own rate (Qwen3-Omni: 24 kHz), and the
provenance a run records for every spoken answer (voice, rate, duration, sha256). The run folder and the response
cache write the bytes (atomically)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from evalkit.types import Speech

SUBTYPE = "PCM_16"


def wav_bytes(speech: Speech) -> bytes:
    """The WAV file's bytes. Samples outside [-1, 1] (a random talker's) are clipped, as any 16-bit writer must."""
    buffer = io.BytesIO()
    samples = np.clip(np.asarray(speech.waveform, dtype=np.float32).reshape(-1), -1.0, 1.0)
    soundfile.write(buffer, samples, speech.sample_rate, subtype=SUBTYPE, format="WAV")
    return buffer.getvalue()


def provenance(data: bytes, speech: Speech) -> dict[str, Any]:
    n_samples = int(np.asarray(speech.waveform).size)
    return {
        "voice": speech.voice,
        "sample_rate": speech.sample_rate,
        "n_samples": n_samples,
        "duration_s": round(n_samples / speech.sample_rate, 4),
        "format": f"wav {SUBTYPE} mono",
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def read_wav(path: Path, voice: str) -> Speech:
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=False)
    return Speech(waveform=samples, sample_rate=int(rate), voice=voice)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
