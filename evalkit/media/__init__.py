"""Media decoding: MediaRef -> AudioData / ImageData / VideoData, pure functions of (source bytes, MediaConfig).

`decode` turns one reference into one decoded item; `decode_all` turns a request's references into what the
engine receives, in message order, adding a video's audio track right after the video when
config.use_audio_in_video is set (the official process_mm_info lists audio files and video audio tracks
together in message order, so an engine takes the AudioData items in order as its audio inputs).
Every failure is a MediaError that names the file.
"""

from __future__ import annotations

from typing import Sequence

from evalkit.config import MediaConfig
from evalkit.media.audio import decode_audio, decode_video_audio
from evalkit.media.image import decode_image
from evalkit.media.source import MediaError, source_sha256
from evalkit.media.video import decode_video
from evalkit.types import MediaData, MediaRef

__all__ = ["MediaError", "decode", "decode_all"]

_DECODERS = {"audio": decode_audio, "image": decode_image, "video": decode_video}


def decode(ref: MediaRef, config: MediaConfig, sha256: str | None = None) -> MediaData:
    """Decode one item; `sha256` of the source bytes may be passed when already known."""
    digest = sha256 or source_sha256(ref)
    return _DECODERS[ref.kind](ref, config, digest)


def decode_all(refs: Sequence[MediaRef], config: MediaConfig) -> tuple[MediaData, ...]:
    decoded: list[MediaData] = []
    for ref in refs:
        digest = source_sha256(ref)
        decoded.append(decode(ref, config, digest))
        if ref.kind == "video" and config.use_audio_in_video:
            decoded.append(decode_video_audio(ref, config, digest))
    return tuple(decoded)
