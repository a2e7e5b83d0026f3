"""A hosted chat-completions model (GPT-4o, Gemini through its OpenAI-compatible endpoint): no local files at all.

Messages go to the API as content parts: audio as `input_audio` (base64 WAV), images as `image_url` data URLs,
and a video as its sampled frames, each an `image_url` in order (such APIs take images, not video files), followed
by its audio track as `input_audio` when the task sets use_audio_in_video. The API applies the model's own chat
format, so the prompt evalkit records (and keys the response cache on) is the message list itself, with media
parts shown by kind.
"""

from __future__ import annotations

import json

from evalkit.profiles.base import ModelProfile, PromptRenderer
from evalkit.prompting import to_hf_conversation
from evalkit.types import Message


class ChatMessagesRenderer:
    def render(self, messages: tuple[Message, ...], language: str | None) -> str:
        if not messages:
            raise ValueError("cannot render an empty conversation")
        return json.dumps(to_hf_conversation(messages), ensure_ascii=False)


class HostedChatProfile(ModelProfile):
    name = "hosted_chat"
    description = "a hosted chat-completions API (GPT-4o, Gemini), no local processor"
    modalities = frozenset({"text", "audio", "image", "video"})
    runners = frozenset({"openai"})
    local_processor = False
    chat_video = "frames"

    def renderer(self, model_path: str, revision: str | None) -> PromptRenderer:
        return ChatMessagesRenderer()


PROFILE = HostedChatProfile()
