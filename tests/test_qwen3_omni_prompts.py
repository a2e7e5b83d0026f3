"""evalkit's Qwen3-Omni prompts against renderings of the real checkpoints' template published by others.

The checkpoints' own chat_template.json could not be read here (no hub access, and no copy in the searchable
corpora), so the references are the prompt strings that others wrote or printed for the real checkpoints:
- vLLM's Qwen3-Omni example (vllm-project/vllm, examples/offline_inference/qwen3_omni/only_thinker.py, commit
  382689b179f157881d59d97da9c2113b4b20ceea), written for Qwen/Qwen3-Omni-30B-A3B-Instruct: mixed audio, image and
  video; a video whose own audio track goes with it (use_audio_in_video: the prompt holds the video placeholder
  only, the processor interleaves the audio into it); two audios. Each with Qwen's default system text.
- The output of Qwen3OmniMoeProcessor.from_pretrained('Qwen/Qwen3-Omni-30B-A3B-Thinking').apply_chat_template
  printed in sujitnoronha/audio_reasoning_interspeech, docs/QWEN3_OMNI_CHAT_TEMPLATE_BUG_REPORT.md (commit
  784f0faf936fad85e3c75e4de61560f08ecfebc4): a system message given as a list of one text part, then audio and
  text.
The prompts are rendered by the tiny model's template (evalkit/tiny_model.py), which evalkit's tests and the
tiny model use in place of the real one; with a real checkpoint evalkit renders with that checkpoint's own template.
"""

from __future__ import annotations

import pytest

from evalkit.prompting import ChatTemplateRenderer
from evalkit.task import user_turn
from evalkit.types import MediaRef, Message, TextPart

AUDIO, AUDIO_2 = MediaRef("audio", path="a.wav"), MediaRef("audio", path="b.wav")
IMAGE, VIDEO = MediaRef("image", path="i.png"), MediaRef("video", path="v.mp4")
QWEN_SYSTEM = ("You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of perceiving "
               "auditory and visual inputs, as well as generating text and speech.")  # fmt: skip

AUDIO_TOKENS = "<|audio_start|><|audio_pad|><|audio_end|>"
IMAGE_TOKENS = "<|vision_start|><|image_pad|><|vision_end|>"
VIDEO_TOKENS = "<|vision_start|><|video_pad|><|vision_end|>"


def with_system(system: str, media: list[MediaRef], text: str) -> tuple[Message, ...]:
    return (Message("system", (TextPart(system),)), *user_turn(media, text))


def expected(system: str, user: str) -> str:
    return f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def renderer(tiny_model_dir) -> ChatTemplateRenderer:
    return ChatTemplateRenderer(str(tiny_model_dir))


MIXED = "What is recited in the audio? What is the content of this image? Why is this video funny?"
IN_VIDEO = "Describe the content of the video, then convert what the baby say into text."
TWO_AUDIOS = "Are these two audio clips the same?"


@pytest.mark.parametrize(("messages", "prompt"), [
    # vLLM's example, mixed modalities: every placeholder in part order, then the question
    (with_system(QWEN_SYSTEM, [AUDIO, IMAGE, VIDEO], MIXED),
     expected(QWEN_SYSTEM, AUDIO_TOKENS + IMAGE_TOKENS + VIDEO_TOKENS + MIXED)),
    # vLLM's example, audio in video: the request carries the video alone (use_audio_in_video)
    (with_system(QWEN_SYSTEM, [VIDEO], IN_VIDEO), expected(QWEN_SYSTEM, VIDEO_TOKENS + IN_VIDEO)),
    # vLLM's example, two audios one after the other
    (with_system(QWEN_SYSTEM, [AUDIO, AUDIO_2], TWO_AUDIOS), expected(QWEN_SYSTEM, AUDIO_TOKENS * 2 + TWO_AUDIOS)),
    # the Thinking checkpoint's template as printed: a one-part system list, audio, text
    (with_system("You are a helpful assistant.", [AUDIO], "What sound is this?"),
     expected("You are a helpful assistant.", AUDIO_TOKENS + "What sound is this?")),
])  # fmt: skip
def test_prompts_match_the_real_templates_published_renderings(renderer, messages, prompt: str) -> None:
    assert renderer.render(messages) == prompt



def test_the_audio_in_video_prompt_takes_the_tracks_audio_inside_the_video_block(renderer, tiny_model_dir) -> None:
    """Qwen3-Omni's processor (transformers) turns the video placeholder of such a prompt into one block of video
    and audio tokens, interleaved by time, between <|vision_start|><|audio_start|> and <|audio_end|><|vision_end|>;
    evalkit passes the track's audio as the audio input that follows its video."""
    import numpy as np

    from evalkit.prompting import load_processor

    processor = load_processor(str(tiny_model_dir))
    prompt = renderer.render(with_system(QWEN_SYSTEM, [VIDEO], IN_VIDEO))
    frames = np.zeros((4, 64, 64, 3), dtype=np.uint8)
    inputs = processor(text=[prompt], videos=[frames], audio=[np.zeros(16000, dtype=np.float32)],
                       sampling_rate=16000, fps=2.0, do_sample_frames=False, use_audio_in_video=True)  # fmt: skip
    text = processor.tokenizer.decode(inputs["input_ids"][0])
    block = text[text.index("<|vision_start|>"):text.index("<|vision_end|>") + len("<|vision_end|>")]
    assert block.startswith("<|vision_start|><|audio_start|>") and block.endswith("<|audio_end|><|vision_end|>")
    assert block.count("<|audio_pad|>") == 13  # one second of audio: 100 mel frames -> 13 tokens
    t, h, w = inputs["video_grid_thw"][0]
    assert block.count("<|video_pad|>") == t * h * w // 4  # the video's patches, 2 x 2 merged
    # interleaved by time: the first temporal patch's tokens (t=0) come before the first audio token
    assert block.index("<|audio_pad|>") == len("<|vision_start|><|audio_start|>") + len("<|video_pad|>") * h * w // 4
    assert text.endswith(IN_VIDEO + "<|im_end|>\n<|im_start|>assistant\n")
