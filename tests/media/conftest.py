"""Fixtures for the media tests; the file makers live in media_fixtures.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from media_fixtures import sine


@pytest.fixture
def stereo_sine_wav(tmp_path: Path) -> Path:
    """2.5 s of a 1 kHz tone at 44.1 kHz, stereo (left = right)."""
    tone = sine(1000.0, 44100, 2.5)
    path = tmp_path / "sine_44k_stereo.wav"
    soundfile.write(path, np.stack([tone, tone], axis=1), 44100)
    return path
