"""The data that flows through a run, in order:

    Sample (from a task adapter) -> Request (chat messages + decoding) -> PreparedRequest (media decoded,
    prompt rendered) -> Response (from a runner) -> scored record in samples.jsonl

Everything here is small, typed and immutable; media stay references until the media stage decodes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

MediaKind = Literal["audio", "image", "video"]
Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class MediaRef:
    """Where a media item comes from: a local file path, or inline bytes carried by the dataset row."""

    kind: MediaKind
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.path is None) == (self.data is None):
            raise ValueError("a MediaRef needs exactly one of path or data")

    @property
    def label(self) -> str:
        return self.path if self.path is not None else f"<{len(self.data or b'')} inline bytes>"


@dataclass(frozen=True)
class TextPart:
    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True)
class MediaPart:
    media: MediaRef

    @property
    def type(self) -> MediaKind:
        return self.media.kind


Part = TextPart | MediaPart


@dataclass(frozen=True)
class Message:
    role: Role
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Sample:
    """One benchmark item as the adapter loaded it.

    `reference` is whatever the task's scorer compares against (a transcript, an option letter, choices);
    `categories` are the official breakdown keys (subject, task, difficulty, duration, ...); `cluster` names
    the unit samples share (e.g. the video of several Video-MME questions) for clustered bootstrap intervals.
    `draw` numbers the repeats of a problem asked several times (AIME's mean over k samples): a repeat's request
    seed is the run seed plus its draw, so sampled repeats differ and each is reproducible.
    A later turn of a multi-turn conversation names the turn it continues in `follows`: its request is that turn's
    conversation, the model's answer to it, then `messages` (evalkit.turns builds it once that answer exists).
    """

    task: str
    sample_id: str
    messages: tuple[Message, ...]
    reference: Any
    categories: Mapping[str, str] = field(default_factory=dict)
    cluster: str | None = None
    draw: int = 0
    follows: str | None = None  # the sample id of the earlier turn this one continues; None: an opening turn


@dataclass(frozen=True)
class Decoding:
    """Decoding parameters as sent to the engine. Greedy is temperature 0 / do_sample False."""

    max_new_tokens: int
    do_sample: bool = False
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = -1
    repetition_penalty: float = 1.0
    seed: int = 1234

    @property
    def policy(self) -> str:
        return "sampling" if self.do_sample else "greedy"


@dataclass(frozen=True)
class Request:
    sample: Sample
    decoding: Decoding
    use_audio_in_video: bool = False
    language: str | None = None  # the task's spoken language, for models whose prompt names it (Whisper)
    voice: str | None = None  # a speech-generation task's talker voice; None: the answer is text only


# Each decoded item's `content_id`: a digest of its source bytes and of every setting that shaped the decoded array
# (media.cache.decoded_key), so equal ids mean equal arrays. An engine that caches by content uses it instead of
# hashing the pixels again; "" where no id is known (the engine then hashes the array itself).


@dataclass(frozen=True)
class AudioData:
    waveform: np.ndarray = field(repr=False)  # float32 mono
    sample_rate: int
    provenance: Mapping[str, Any]  # source label, sha256, original rate/channels, duration_s
    content_id: str = ""


@dataclass(frozen=True)
class ImageData:
    # a PIL.Image.Image in RGB, or its pixels as a (H, W, 3) uint8 array where it came from a decoding worker
    image: Any = field(repr=False)
    provenance: Mapping[str, Any]
    content_id: str = ""

    def pil(self) -> Any:
        """The image as a PIL RGB image (built from the pixels where it travelled as an array)."""
        if isinstance(self.image, np.ndarray):
            from PIL import Image

            return Image.fromarray(self.image)
        return self.image


@dataclass(frozen=True)
class VideoData:
    frames: np.ndarray = field(repr=False)  # uint8 (T, H, W, 3)
    fps: float  # effective sampling rate of `frames`
    provenance: Mapping[str, Any]  # source fps, duration, frame indices, frame cap, ...
    content_id: str = ""


MediaData = AudioData | ImageData | VideoData


@dataclass(frozen=True)
class HeldMedia:
    """A request's media decoded elsewhere (a Ray worker node, evalkit.cluster.ray_media): each item's provenance
    here, for the response cache key and the record; the decoded arrays behind `data`, an ObjectRef."""

    provenance: tuple[Mapping[str, Any], ...]
    data: Any


@dataclass(frozen=True)
class PreparedRequest:
    """A request ready for an engine: the prompt rendered with the model's chat template and the media decoded
    in the order their parts appear in the messages."""

    request: Request
    prompt: str
    media: tuple[MediaData, ...]
    cache_key: str
    # the prompt's token ids where the preflight counted them (each media placeholder one token): an engine that
    # takes ids skips tokenizing the prompt a second time
    prompt_token_ids: np.ndarray | None = field(default=None, repr=False, compare=False)
    # cluster=ray: the media decoded on a worker node and left there (`media` is then empty until the replica actor
    # that answers takes them)
    held_media: HeldMedia | None = field(default=None, repr=False, compare=False)

    @property
    def sample(self) -> Sample:
        return self.request.sample

    @property
    def provenance(self) -> list[dict[str, Any]]:
        """Each decoded item's provenance, in order, wherever the items are."""
        if self.held_media is not None:
            return [dict(p) for p in self.held_media.provenance]
        return [dict(m.provenance) for m in self.media]


@dataclass(frozen=True)
class Speech:
    """What the talker said: mono float32 samples in [-1, 1] at `sample_rate`, in `voice`."""

    waveform: np.ndarray = field(repr=False)
    sample_rate: int
    voice: str


@dataclass(frozen=True)
class Response:
    text: str | None
    error: str | None = None
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    latency_s: float | None = None
    finish_reason: str | None = None
    token_ids: tuple[int, ...] | None = None
    speech: Speech | None = field(default=None, repr=False)  # a speech-generation request's audio

    @property
    def failed(self) -> bool:
        return self.error is not None

    def fields(self) -> dict[str, Any]:
        """The JSON-able fields (the audio itself is saved as a file, never inlined)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "speech"}


@dataclass(frozen=True)
class NotReady:
    """Yielded by a request stream whose next request is still being prepared (its media decoding in a worker): a
    streaming runner steps its engine meanwhile and asks again, so generation starts with the first ready request
    instead of after the slowest decode. `wait()` blocks until the request is ready."""

    preparing: Future

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the request is ready, having waited at most `timeout` seconds (None: until it is)."""
        done, _ = wait([self.preparing], timeout)
        return bool(done)


def media_parts(messages: tuple[Message, ...]) -> list[MediaRef]:
    """Media references in the order they appear, which is the order engines expect them."""
    return [p.media for m in messages for p in m.parts if isinstance(p, MediaPart)]
