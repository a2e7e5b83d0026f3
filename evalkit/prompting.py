"""Chat messages -> the prompt string a model sees, rendered by the checkpoint's own chat template.

Media parts become placeholders ({"type": "audio"} ...) that the template turns into the model's start/pad/end
tokens; the processor later expands each pad to one token per audio frame / vision patch. Nothing is added that
the messages do not hold: no system turn unless a system message is given.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from evalkit.types import MediaPart, Message, TextPart


def to_hf_conversation(messages: tuple[Message, ...]) -> list[dict[str, Any]]:
    """Typed messages in Hugging Face chat format, parts in order; media carry only their kind."""
    conversation = []
    for message in messages:
        content: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, TextPart):
                content.append({"type": "text", "text": part.text})
            elif isinstance(part, MediaPart):
                content.append({"type": part.type})
            else:
                raise TypeError(f"unknown message part {part!r}; expected TextPart or MediaPart")
        conversation.append({"role": message.role, "content": content})
    return conversation


def load_processor(model_path: str, revision: str | None = None) -> Any:
    """The checkpoint's processor, loaded once per process while its files are unchanged: loading parses the whole
    model config (~0.25 s for Qwen3-Omni), which every run in one process (a suite, a benchmark) would repeat.
    Callers only read it."""
    return _processor(model_path, revision, _files_state(Path(model_path)))


def _files_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of a local folder's top-level files (empty for a hub id)."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((f.name, s.st_size, s.st_mtime_ns) for f in folder.iterdir() if f.is_file()
                        for s in (f.stat(),)))


@lru_cache(maxsize=4)
def _processor(model_path: str, revision: str | None, files: tuple[tuple[str, int, int], ...]) -> Any:
    from transformers import AutoProcessor

    del files  # part of the cache key only
    return AutoProcessor.from_pretrained(model_path, revision=revision)


class ChatTemplateRenderer:
    """Renders prompts with the chat template of the checkpoint at `model_path` (folder or hub id)."""

    def __init__(self, model_path: str, revision: str | None = None):
        try:
            self.processor = load_processor(model_path, revision)
        except OSError as exc:
            raise FileNotFoundError(
                f"cannot load the processor (chat template) of {model_path!r}: {exc}; "
                "check model.path, or download the checkpoint first"
            ) from exc
        if not getattr(self.processor, "chat_template", None):
            raise ValueError(f"{model_path!r} ships no chat template; evalkit needs the checkpoint's own template")

    def render(self, messages: tuple[Message, ...], language: str | None = None) -> str:
        del language  # the messages carry the instruction; the template does not name the language
        if not messages:
            raise ValueError("cannot render an empty conversation")
        return self.processor.apply_chat_template(
            to_hf_conversation(messages), add_generation_prompt=True, tokenize=False
        )
