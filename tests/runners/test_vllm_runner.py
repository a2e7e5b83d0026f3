"""VLLMRunner on vLLM's CPU build with the tiny random Qwen3-Omni (float32): one LLM for the whole session.

Placeholder counts by hand: 1 s of 16 kHz audio is 100 feature frames -> 13 audio tokens; a 64x96 image is a
2x3 grid of 32-pixel merged patches -> 6 image tokens.
"""

from dataclasses import replace

import numpy as np
from vllm_helpers import require_vllm

require_vllm()

from vllm_helpers import cpu_runner_config, model_config, noise_image, parity_requests, prepare, sine  # noqa: E402

from evalkit.runners import build_runner  # noqa: E402
from evalkit.types import AudioData, Decoding, ImageData, MediaPart, MediaRef, TextPart, VideoData  # noqa: E402

AUDIO = MediaPart(MediaRef("audio", path="a.wav"))
IMAGE = MediaPart(MediaRef("image", path="i.png"))
VIDEO = MediaPart(MediaRef("video", path="v.mp4"))


def text_tokens(renderer, prepared) -> int:
    return len(renderer.processor.tokenizer(prepared.prompt)["input_ids"])


def test_each_modality_counts_its_media_tokens(vllm_runner, renderer):
    text = prepare(renderer, "t", (TextPart("Hello there."),), ())
    audio = prepare(renderer, "a", (AUDIO, TextPart("Transcribe.")), (sine(1.0, 440),))
    image = prepare(renderer, "i", (IMAGE, TextPart("Describe.")), (noise_image(0, (64, 96)),))
    responses = vllm_runner.generate([text, audio, image])
    # each media placeholder is one pad token in the rendered prompt, expanded by vLLM's processor
    assert [r.prompt_tokens for r in responses] == [
        text_tokens(renderer, text),
        text_tokens(renderer, audio) - 1 + 13,
        text_tokens(renderer, image) - 1 + 6,
    ]
    for response in responses:
        assert response.error is None
        assert response.output_tokens == len(response.token_ids) > 0
        assert response.finish_reason in ("stop", "length")
        assert response.latency_s > 0


def test_a_batch_goes_into_one_engine_together_and_greedy_repeats(vllm_runner, renderer, monkeypatch):
    requests = parity_requests(renderer)
    engine = vllm_runner.engine.llm.llm_engine
    events = []
    add, step = engine.add_request, engine.step
    monkeypatch.setattr(engine, "add_request", lambda *a, **k: events.append("add") or add(*a, **k))
    monkeypatch.setattr(engine, "step", lambda: events.append("step") or step())
    first = vllm_runner.generate(requests)
    assert events[:7] == ["add"] * 6 + ["step"]  # all six queued before the engine is stepped
    events.clear()
    second = vllm_runner.generate(requests)
    assert events.count("add") == 6
    assert [r.token_ids for r in first] == [r.token_ids for r in second]
    assert len({r.token_ids for r in first}) == 6  # six different inputs, six different outputs


def test_content_ids_spare_vllm_the_hashing_and_change_no_output(vllm_runner, renderer, monkeypatch):
    from vllm.multimodal.hasher import MultiModalHasher

    requests = parity_requests(renderer)  # prompts as text, media without ids: vLLM tokenizes and hashes
    # as a run hands them over: the preflight's token ids (vLLM 0.26 reads ids only beside them), content ids, and
    # images as the pixel arrays a decoding worker leaves them in
    def as_a_run_has_it(item, content_id: str):
        pixels = {"image": np.asarray(item.image)} if isinstance(item, ImageData) else {}
        return replace(item, content_id=content_id, **pixels)

    with_ids = [replace(r, prompt_token_ids=np.asarray(renderer.processor.tokenizer(r.prompt)["input_ids"], np.int32),
                        media=tuple(as_a_run_has_it(m, f"{r.sample.sample_id}-{k}") for k, m in enumerate(r.media)))
                for r in requests]
    assert sum(isinstance(m.image, np.ndarray) for r in with_ids for m in r.media if isinstance(m, ImageData)) == 3
    serialized = []
    serialize = MultiModalHasher.serialize_item
    monkeypatch.setattr(MultiModalHasher, "serialize_item",
                        classmethod(lambda cls, obj: serialized.append(type(obj)) or serialize(obj)))
    plain = vllm_runner.generate(requests)
    assert pixels_or_samples(serialized)  # without ids vLLM hashes the arrays themselves
    serialized.clear()
    by_id = vllm_runner.generate(with_ids)
    assert [r.token_ids for r in by_id] == [r.token_ids for r in plain]
    assert serialized and not pixels_or_samples(serialized)  # with them, only ids and settings
    # The id is what vLLM keys its caches by: image 2 under image 1's id answers as image 1 did.
    image_1 = with_ids[3]
    image_2 = replace(with_ids[4], prompt=image_1.prompt, prompt_token_ids=image_1.prompt_token_ids)
    impostor = replace(image_2, media=(replace(image_2.media[0], content_id=image_1.media[0].content_id),))
    honest, passed_off = vllm_runner.generate([image_2, impostor])
    assert passed_off.token_ids == by_id[3].token_ids != honest.token_ids


def pixels_or_samples(kinds: list[type]) -> bool:
    return any(issubclass(kind, np.ndarray) or kind.__module__.startswith("PIL") for kind in kinds)


def test_max_new_tokens_and_length_finish(vllm_runner, renderer):
    short = prepare(renderer, "s", (TextPart("Count."),), (), Decoding(max_new_tokens=3))
    [response] = vllm_runner.generate([short])
    assert response.output_tokens == 3 or response.finish_reason == "stop"
    if response.finish_reason == "length":
        assert len(response.token_ids) == 3


def test_seeded_sampling_is_reproducible_and_differs_from_greedy(vllm_runner, renderer):
    sampling = Decoding(max_new_tokens=16, do_sample=True, temperature=1.5, top_p=1.0, top_k=-1, seed=7)
    greedy = prepare(renderer, "g", (TextPart("Tell a story."),), ())
    sampled = replace(greedy, request=replace(greedy.request, decoding=sampling))
    first, second, plain = vllm_runner.generate([sampled, sampled, greedy])
    assert first.token_ids == second.token_ids
    assert first.token_ids != plain.token_ids


def test_bad_requests_fail_alone_with_clear_errors(vllm_runner, renderer):
    good = prepare(renderer, "good", (TextPart("Hi."),), ())
    clips = tuple(sine(0.5, hz) for hz in (300, 400, 500, 600))
    four_audio = prepare(renderer, "four", (AUDIO,) * 4 + (TextPart("Compare."),), clips)
    wrong_rate = AudioData(np.zeros(8000, np.float32), 8000, {"source": "silence"})
    eight_khz = prepare(renderer, "8k", (AUDIO, TextPart("Listen.")), (wrong_rate,))
    frames = np.zeros((4, 64, 64, 3), np.uint8)
    video = prepare(renderer, "video", (VIDEO, TextPart("Watch.")), (VideoData(frames, 2.0, {"source": "black"}),))
    responses = vllm_runner.generate([good, four_audio, eight_khz, video])
    assert responses[0].error is None and responses[0].token_ids
    assert "4 audio item(s), runner.limit_mm_per_prompt allows 3" in responses[1].error
    assert "audio at 8000 Hz, the model takes 16000 Hz" in responses[2].error
    assert "1 video item(s), runner.limit_mm_per_prompt allows 0" in responses[3].error


def test_info_names_the_engine_and_its_settings(vllm_runner):
    import vllm

    info = vllm_runner.info()
    assert (info.runner, info.dtype, info.device) == ("vllm", "float32", "cpu")
    assert info.details["vllm"] == vllm.__version__
    assert info.details["max_model_len"] == 2048 and info.details["enforce_eager"] is True
    assert info.details["limit_mm_per_prompt"] == {"audio": 3, "image": 3, "video": 0}
    assert info.details["kv_cache_memory_bytes"] == 1 << 30
    assert info.details["cpu_bridge"] is True
    assert len(info.model_hash) == 64


def test_data_parallel_replicas_pull_the_requests_and_match_one_engine(vllm_model_dir, vllm_runner, renderer):
    # Two CPU replicas in their own processes (the GPU slicing itself needs GPUs), each fed continuously.
    requests = parity_requests(renderer)
    replicas = build_runner(model_config(vllm_model_dir), cpu_runner_config(data_parallel_size=2), str(vllm_model_dir))
    transport = replicas.replicas
    try:
        got = replicas.generate(requests)
        info = replicas.info()
    finally:
        replicas.close()
    assert [r.token_ids for r in got] == [r.token_ids for r in vllm_runner.generate(requests)]
    assert info.details["replicas"]["count"] == 2 and info.details["feeding"] == "continuous"
    assert [p.exitcode for p in transport.processes] == [0, 0]  # closed cleanly


def test_the_gpu_recipe_is_adapted_on_the_cpu_build_and_says_so():
    from evalkit.hydra_config import load_run_config
    from evalkit.runners.vllm import cpu_adjusted

    recipe = load_run_config(["runner=vllm"]).runner
    adjusted, changes = cpu_adjusted(recipe)
    assert changes == {"enforce_eager": True, "gpu_memory_utilization": 0.5,
                       "limit_mm_per_prompt": {"image": 3, "video": 0, "audio": 3}}
    assert (adjusted.enforce_eager, adjusted.limit_mm_per_prompt["video"], adjusted.max_model_len) == (True, 0, 32768)
    assert cpu_adjusted(cpu_runner_config())[1] == {}  # runner=vllm_cpu already holds CPU settings
