"""Chat messages -> the prompt string a model sees, rendered by the checkpoint's own chat template.

Media parts become placeholders ({"type": "audio"} ...) that the template turns into the model's start/pad/end
tokens; the processor later expands each pad to one token per audio frame / vision patch. Nothing is added that
the messages do not hold: no system turn unless a system message is given.
"""

from __future__ import annotations

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


class ChatTemplateRenderer:
    """Renders prompts with the chat template of the checkpoint at `model_path` (folder or hub id)."""

    def __init__(self, model_path: str, revision: str | None = None):
        from transformers import AutoProcessor

        try:
            self.processor = AutoProcessor.from_pretrained(model_path, revision=revision)
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
