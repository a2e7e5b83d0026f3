"""Every adapter on its bundled fixture: counts, ids, references, categories, prompts and message structure."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile
from PIL import Image

from evalkit.config import ConfigError
from evalkit.registry import task_spec
from evalkit.scoring.base import ScoreInput
from evalkit.scoring.choice import ChoiceQuestion
from evalkit.scoring.registry import build_scorer
from evalkit.task import load_task
from evalkit.types import MediaPart, TextPart, media_parts

ASR_PROMPT_EN = "Transcribe the English audio into text."
VIDEOMME_HEAD = (
    "Select the best answer to the following multiple-choice question based on the video. "
    "Respond with only the letter (A, B, C, or D) of the correct option.\n"
)


def check_structure(sample, kinds: list[str]) -> str:
    """One user message, no system message, media parts (of `kinds`) first, one text part last; returns the text."""
    assert [m.role for m in sample.messages] == ["user"]
    parts = sample.messages[0].parts
    assert [p.type for p in parts] == [*kinds, "text"]
    assert all(isinstance(p, MediaPart) for p in parts[:-1]) and isinstance(parts[-1], TextPart)
    return parts[-1].text


def decode_audio(ref) -> tuple[np.ndarray, int]:
    data = ref.data if ref.data is not None else Path(ref.path).read_bytes()
    return soundfile.read(io.BytesIO(data))


def test_librispeech(smoke_task):
    for name, ids, first_text in [
        ("librispeech_test_clean_smoke", ["9001-1-0000", "9001-1-0001"], "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"),
        ("librispeech_test_other_smoke", ["9002-2-0000", "9002-2-0001"], "A BIRD IN THE HAND IS WORTH TWO IN THE BUSH"),
    ]:
        loaded = load_task(smoke_task(name))
        assert [s.sample_id for s in loaded.samples] == ids
        assert loaded.samples[0].reference == first_text
        for sample in loaded.samples:
            assert check_structure(sample, ["audio"]) == ASR_PROMPT_EN
            assert sample.categories == {} and sample.task == name
            waveform, rate = decode_audio(media_parts(sample.messages)[0])
            assert rate == 16000 and 1.0 < len(waveform) / rate < 6.0  # real espeak-ng speech, FLAC inline
        assert loaded.provenance["source"] == "local"
        assert loaded.provenance["subsets"][name.split("_")[2]]["rows"] == 2


def test_fleurs_asr_prompts_and_reference_field(smoke_task):
    en = load_task(smoke_task("fleurs_en_smoke"))
    assert [s.sample_id for s in en.samples] == ["1900000000000000001", "1900000000000000002"]
    assert [s.reference for s in en.samples] == ["the cat sat on the mat", "it is raining today"]
    assert check_structure(en.samples[0], ["audio"]) == ASR_PROMPT_EN
    assert en.provenance["reference_field"] == "transcription"

    zh = load_task(smoke_task("fleurs_zh_smoke"))
    assert [s.reference for s in zh.samples] == ["猫坐在垫子上", "今天下雨了"]
    assert check_structure(zh.samples[1], ["audio"]) == "请将这段中文语音转换为纯文本。"

    task = smoke_task("fleurs_en_smoke")
    task.options = {**task.options, "reference_field": "raw_transcription"}
    assert [s.reference for s in load_task(task).samples] == ["The cat sat on the mat.", "It is raining today."]
    task.options = {**task.options, "reference_field": "text"}
    with pytest.raises(ConfigError, match="reference_field='text'; valid: transcription, raw_transcription"):
        load_task(task)


def test_fleurs_s2tt_pairs_by_sentence_id(smoke_task):
    loaded = load_task(smoke_task("fleurs_s2tt_en_zh_smoke"))
    assert [(s.sample_id, s.reference) for s in loaded.samples] == [
        ("1900000000000000001", "猫坐在垫子上。"),
        ("1900000000000000002", "今天下雨了。"),
    ]
    text = check_structure(loaded.samples[0], ["audio"])
    assert text == "Listen to the provided English speech and produce a translation in Chinese text."
    assert loaded.provenance["unpaired_source_rows"] == 0


def test_fleurs_avg19_holds_every_language_with_its_own_prompt():
    loaded_config = task_spec("fleurs_avg19_smoke").task_config()
    loaded = load_task(loaded_config)
    languages = [s.categories["language"] for s in loaded.samples]
    assert len(set(languages)) == 19 and len(loaded.samples) == 21  # en and zh hold two sentences each
    by_id = {s.sample_id: s for s in loaded.samples}
    assert check_structure(by_id["zh/0900000000000000002"], ["audio"]) == "请将这段中文语音转换为纯文本。"
    assert check_structure(by_id["th/9100000000000000001"], ["audio"]) == "Transcribe the Thai audio into text."
    assert by_id["th/9100000000000000001"].reference == "แมวนั่งอยู่บนเสื่อ"
    scorer = build_scorer(loaded_config.scorer.name, **loaded_config.scorer.options)
    scores = scorer.score([ScoreInput(s.sample_id, s.reference, s.reference, s.categories) for s in loaded.samples])
    assert scorer.aggregate(scores) == 0.0 and len(scorer.group_values(scores)) == 19


def test_fleurs_s2tt_pair_groups():
    loaded = load_task(task_spec("fleurs_s2tt_en2xx_smoke").task_config())
    pairs = {s.categories["pair"] for s in loaded.samples}
    assert "en_yue" not in pairs and "en_th" not in pairs and len(pairs) == 16
    # sentence 2 exists in en and zh alone: one en utterance pairs with zh only, the rest are counted unpaired
    assert len(loaded.samples) == 17 and loaded.provenance["unpaired_source_rows"]["en_de"] == 1
    de = next(s for s in loaded.samples if s.categories["pair"] == "en_de")
    assert (de.sample_id, de.reference, dict(de.categories)) == (
        "en_de/1900000000000000001", "Die Katze saß auf der Matte.", {"pair": "en_de", "target_language": "de"})
    assert check_structure(de, ["audio"]) == (
        "Listen to the provided English speech and produce a translation in German text.")
    task = task_spec("fleurs_s2tt_en2xx_smoke").task_config()
    task.options = {**task.options, "pairs": ["en_xx"]}
    with pytest.raises(ConfigError, match="options.pairs entry 'en_xx' is not <source>_<target>"):
        load_task(task)


def test_mmau(smoke_task):
    loaded = load_task(smoke_task("mmau_test_mini_smoke"))
    samples = {s.sample_id: s for s in loaded.samples}
    assert len(samples) == 3
    speech = samples["8d5a1c0e-0001-4e55-9a00-000000000001"]
    assert speech.reference == ChoiceQuestion(
        answer="seven", options={"A": "three", "B": "seven", "C": "nine", "D": "twelve"}
    )
    assert check_structure(speech, ["audio"]) == (
        "What number does the speaker say?\nChoose the correct answer from the following options:\n"
        "three\nseven\nnine\ntwelve"
    )
    assert [dict(s.categories) for s in loaded.samples] == [
        {"task": "speech", "difficulty": "easy"},
        {"task": "sound", "difficulty": "medium"},
        {"task": "music", "difficulty": "hard"},
    ]
    tone, rate = decode_audio(media_parts(samples["8d5a1c0e-0002-4e55-9a00-000000000002"].messages)[0])
    peak_hz = np.argmax(np.abs(np.fft.rfft(tone))) * rate / len(tone)
    assert abs(peak_hz - 440) < 2  # the fixture's answer ("440 Hz") is what the audio holds


def test_mmau_media_errors(smoke_task, tmp_path):
    task = smoke_task("mmau_test_mini_smoke")
    task.dataset.media_dir = None
    with pytest.raises(ConfigError, match="set dataset.media_dir"):
        load_task(task)
    empty = tmp_path / "audio"
    empty.mkdir()
    task.dataset.media_dir = str(empty)
    with pytest.raises(ConfigError, match=r"none of its 3 media files exist, e\.g\. \['" + str(empty)):
        load_task(task)


def test_mmmu_prompts_images_and_references(smoke_task):
    loaded = load_task(smoke_task("mmmu_val_smoke"))
    samples = {s.sample_id: s for s in loaded.samples}
    assert list(samples) == ["validation_Art_1", "validation_Math_1", "validation_Math_2"]  # subsets in config order

    choice = samples["validation_Math_1"]
    assert check_structure(choice, ["image"]) == (
        "Which shape is shown in <image 1>?\n\n(A) Square\n(B) Circle\n(C) Triangle\n(D) Star\n\n"
        "Answer with the option's letter from the given choices directly."
    )
    assert choice.reference == ChoiceQuestion(
        answer="B", options={"A": "Square", "B": "Circle", "C": "Triangle", "D": "Star"},
        question_type="multiple-choice",
    )
    assert dict(choice.categories) == {"subject": "Math", "discipline": "Science", "difficulty": "Easy"}

    open_question = samples["validation_Math_2"]
    assert check_structure(open_question, ["image"]) == (
        "How many black dots are in <image 1>?\n\nAnswer the question using a single word or phrase."
    )
    assert open_question.reference == ChoiceQuestion(answer="3", options={}, question_type="open")

    two = samples["validation_Art_1"]
    check_structure(two, ["image", "image"])
    red, blue = [Image.open(io.BytesIO(ref.data)).convert("RGB") for ref in media_parts(two.messages)]
    assert red.getpixel((32, 32)) == (255, 0, 0) and blue.getpixel((32, 32)) == (0, 0, 255)  # image_1, image_2 order
    assert dict(two.categories)["discipline"] == "Art and Design"


def test_mmmu_interleaved_places_images_at_their_tags(smoke_task):
    task = smoke_task("mmmu_val_smoke")
    task.options = {**task.options, "image_placement": "interleaved"}
    two = {s.sample_id: s for s in load_task(task).samples}["validation_Art_1"]
    parts = two.messages[0].parts
    assert [p.type for p in parts] == ["image", "text", "image", "text"]
    assert parts[1].text == "and"
    assert parts[3].text.startswith("are colour swatches. Which colour is shown in <image 2>?\n\n(A) Red")


def test_videomme(smoke_task):
    loaded = load_task(smoke_task("videomme_smoke"))
    assert [(s.sample_id, s.reference, s.cluster) for s in loaded.samples] == [
        ("001-1", "A", "smokeColours"), ("001-2", "C", "smokeColours"), ("002-1", "A", "smokeSquare"),
    ]
    first = loaded.samples[0]
    assert check_structure(first, ["video"]) == VIDEOMME_HEAD + (
        "What colour fills the screen at the start of the video?\nA. Red.\nB. Green.\nC. Blue.\nD. Yellow.\n"
        "The best answer is:"
    )
    assert dict(first.categories) == {"duration": "short", "domain": "Knowledge", "task_type": "Object Recognition"}
    assert Path(media_parts(first.messages)[0].path).name == "smokeColours.mp4"
    assert loaded.provenance["subtitles"] is False


def test_limit_takes_the_first_samples(smoke_task):
    loaded = load_task(smoke_task("videomme_smoke", limit=2))
    assert [s.sample_id for s in loaded.samples] == ["001-1", "001-2"]
    assert (loaded.provenance["samples"], loaded.provenance["samples_total"], loaded.provenance["limit"]) == (2, 3, 2)


CORRECT_PREDICTIONS = {
    "librispeech_test_clean_smoke": None,  # None: the reference itself
    "fleurs_zh_smoke": None,
    "fleurs_s2tt_en_zh_smoke": None,
    "mmau_test_mini_smoke": ["The speaker says seven.", "440 Hz", "three"],
    "mmmu_val_smoke": ["(C)", "The answer is (B).", "There are 3 dots."],
    "videomme_smoke": ["A", "C", "The answer is A."],
    "mmmu_pro_smoke": ["Answer: A", "The shape is a square.\nAnswer: B", "Answer: A"],
    "ai2d_test_smoke": ["B", "The answer is A."],
    "mmstar_smoke": ["(B) a circle", "C"],
    "hallusionbench_smoke": ["Yes, it is red.", "No."],
    "chartqa_test_smoke": ["2.05", "yes"],  # within 5%; text compared case-insensitively
    "countbench_smoke": ["3", "There are 4 dots."],
    "mlvu_smoke": ["(B) 3", "B"],
    "lvbench_smoke": ["(A) red", "C. blue"],
    "voicebench_mmsu_smoke": ["The answer is A.", *["a"] * 11],  # mcq.py's phrases, case-insensitive; 12 domains
    "voicebench_openbookqa_smoke": ["(B)"],
    "voicebench_bbh_smoke": ["Yes."],
    "voicebench_ifeval_smoke": ["apple"],  # no commas
    "voicebench_advbench_smoke": ["I'm sorry, I can't help with that."],  # a refusal is the right answer
}


@pytest.mark.parametrize("name", sorted(CORRECT_PREDICTIONS))
def test_references_fit_the_configured_scorer(smoke_task, name):
    """The adapter's reference shape is what the task's scorer reads: right answers score perfectly."""
    task = smoke_task(name)
    samples = load_task(task).samples
    predictions = CORRECT_PREDICTIONS[name] or [s.reference for s in samples]
    scorer = build_scorer(task.scorer.name, **task.scorer.options)
    items = [ScoreInput(s.sample_id, p, s.reference, s.categories) for s, p in zip(samples, predictions, strict=True)]
    best = 0.0 if scorer.lower_is_better else 100.0
    assert scorer.aggregate(scorer.score(items)) == pytest.approx(best)


def test_mathvista_query_reference_and_rule_stage(smoke_task):
    from evalkit.scoring.mathvista_extraction import MathVistaJudgedScorer

    samples = load_task(smoke_task("mathvista_testmini_smoke")).samples
    assert check_structure(samples[1], ["image"]).endswith("Choices:\n(A) red\n(B) blue")
    scorer = MathVistaJudgedScorer()
    items = [ScoreInput(s.sample_id, p, s.reference, s.categories)
             for s, p in zip(samples, ["3", "blue"], strict=True)]
    assert scorer.judge_requests(items) == [(), ()]  # the rules extract both: no judge needed
    assert scorer.aggregate(scorer.score_judged(items, [(), ()])) == 100.0


def test_mmmu_pro_settings_prompts_and_images(smoke_task):
    samples = load_task(smoke_task("mmmu_pro_smoke")).samples
    assert [s.sample_id for s in samples] == ["standard (10 options)/test_Math_1", "standard (10 options)/test_Art_2",
                                              "vision/test_Art_3"]
    standard = check_structure(samples[0], ["image"])
    assert standard.startswith("Which shape is shown in <image>?\nA. Circle\nB. Square\n")
    assert standard.endswith("J. Heart\nAnswer the preceding multiple choice question. The last line of your response "
                             "should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is "
                             "one of options. Think step by step before answering.")
    assert check_structure(samples[2], ["image"]).startswith("Write out the multiple-choice question in the image")
    direct = load_task(smoke_task("mmmu_pro_vision_smoke", options={"mode": "direct"})).samples[0]
    assert check_structure(direct, ["image"]).startswith("Answer with the option letter from the given choices")
    assert samples[2].categories["setting"] == "vision"


def test_hallusionbench_groups(smoke_task):
    samples = load_task(smoke_task("hallusionbench_smoke")).samples
    assert [s.reference.figure_group for s in samples] == ["illusion_0_0", "illusion_0_1"]
    assert {s.reference.question_group for s in samples} == {"illusion_0_0"}
    assert {s.cluster for s in samples} == {"illusion_0"}
