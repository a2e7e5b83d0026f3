"""Media decoding: MediaRef -> AudioData / ImageData / VideoData, pure functions of (source bytes, MediaConfig).

`decode` turns one reference into one decoded item; `tracks` names the items one reference yields: a video's
audio track follows the video when config.use_audio_in_video is set (the official process_mm_info lists audio
files and video audio tracks together in message order, so an engine takes the AudioData items in order as its
audio inputs). media.pool decodes a request's references through them, in message order.
Every failure is a MediaError that names the file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from evalkit.config import MediaConfig
from evalkit.media.audio import decode_audio, decode_video_audio
from evalkit.media.image import decode_image
from evalkit.media.qwen_rules import VideoPlan
from evalkit.media.source import MediaError, source_sha256
from evalkit.media.video import decode_video
from evalkit.types import MediaData, MediaRef

__all__ = ["MediaError", "decode", "tracks"]

Decoder = Callable[[MediaRef, MediaConfig, str], MediaData]
_DECODERS: dict[str, Decoder] = {"audio": decode_audio, "image": decode_image, "video": decode_video}


def decode(ref: MediaRef, config: MediaConfig, sha256: str | None = None) -> MediaData:
    """Decode one item; `sha256` of the source bytes may be passed when already known."""
    digest = sha256 or source_sha256(ref)
    return _DECODERS[ref.kind](ref, config, digest)


def tracks(ref: MediaRef, config: MediaConfig, plan: VideoPlan | None = None) -> list[tuple[str, Decoder]]:
    """The decoded items one reference yields, named: its own kind (a video decoded to `plan` when given, the
    token-budget preflight's), then "video_audio" for a video's audio track when config.use_audio_in_video is
    set."""
    if ref.kind != "video":
        return [(ref.kind, _DECODERS[ref.kind])]
    own: list[tuple[str, Decoder]] = [("video", partial(decode_video, plan=plan))]
    if config.use_audio_in_video:
        own.append(("video_audio", decode_video_audio))
    return own
