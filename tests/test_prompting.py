import pytest

from evalkit.prompting import ChatTemplateRenderer, to_hf_conversation
from evalkit.types import MediaPart, MediaRef, Message, TextPart

AUDIO = MediaPart(MediaRef("audio", path="clip.wav"))
IMAGE = MediaPart(MediaRef("image", data=b"\x89PNG"))
VIDEO = MediaPart(MediaRef("video", path="clip.mp4"))


def test_to_hf_conversation_keeps_part_order_and_kinds():
    messages = (
        Message("system", (TextPart("S"),)),
        Message("user", (IMAGE, TextPart("Q"), AUDIO, VIDEO)),
    )
    assert to_hf_conversation(messages) == [
        {"role": "system", "content": [{"type": "text", "text": "S"}]},
        {
            "role": "user",
            "content": [{"type": "image"}, {"type": "text", "text": "Q"}, {"type": "audio"}, {"type": "video"}],
        },
    ]


@pytest.fixture(scope="module")
def renderer(tiny_model_dir):
    return ChatTemplateRenderer(str(tiny_model_dir))


def test_audio_then_text_has_no_system_turn(renderer):
    prompt = renderer.render((Message("user", (AUDIO, TextPart("Transcribe the audio."))),))
    assert prompt == (
        "<|im_start|>user\n<|audio_start|><|audio_pad|><|audio_end|>Transcribe the audio.<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_system_turn_only_when_given_and_turns_in_order(renderer):
    messages = (
        Message("system", (TextPart("Be brief."),)),
        Message("user", (IMAGE, TextPart("What is it?"))),
        Message("assistant", (TextPart("A cat."),)),
        Message("user", (TextPart("Sure?"),)),
    )
    assert renderer.render(messages) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>What is it?<|im_end|>\n"
        "<|im_start|>assistant\nA cat.<|im_end|>\n"
        "<|im_start|>user\nSure?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_empty_conversation_and_missing_checkpoint_fail_clearly(renderer, tmp_path):
    with pytest.raises(ValueError, match="empty conversation"):
        renderer.render(())
    with pytest.raises(FileNotFoundError, match="check model.path"):
        ChatTemplateRenderer(str(tmp_path / "no-such-checkpoint"))
