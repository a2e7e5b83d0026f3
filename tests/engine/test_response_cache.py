from pathlib import Path

from evalkit.response_cache import ResponseCache, cache_key
from evalkit.types import Response

MODEL = {"path": "/m", "revision": None, "content_hash": "abc"}
MEDIA = [{"sha256": "f00", "sample_rate": 16000}]
DECODING = {"max_new_tokens": 8, "do_sample": False}


def key(**changes) -> str:
    args = {"model_identity": MODEL, "engine": "transformers:float32", "prompt": "<|im_start|>user\nhi",
            "media_provenance": MEDIA, "decoding": DECODING, "use_audio_in_video": False}
    args.update(changes)
    return cache_key(**args)


def test_key_changes_with_everything_that_can_change_an_output() -> None:
    base = key()
    assert key() == base
    variants = [
        key(prompt="<|im_start|>user\nhello"),
        key(media_provenance=[{"sha256": "f00", "sample_rate": 8000}]),
        key(media_provenance=[{"sha256": "f00", "frame_indices": [0, 15]}]),
        key(decoding={"max_new_tokens": 9, "do_sample": False}),
        key(model_identity={**MODEL, "content_hash": "abd"}),
        key(engine="vllm:float32"),
        key(use_audio_in_video=True),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_round_trip_and_failures_are_not_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "r.sqlite")
    ok = Response(text="hello", prompt_tokens=3, output_tokens=2, latency_s=0.1, finish_reason="stop",
                  token_ids=(1, 2))
    assert not cache.has_scope("model-a")
    cache.put_many("model-a", [("k1", ok), ("k2", Response(text=None, error="OOM"))])
    cache.close()
    reopened = ResponseCache(tmp_path / "r.sqlite")
    assert reopened.get("k1") == ok
    assert reopened.get("k2") is None
    assert reopened.has_scope("model-a") and not reopened.has_scope("model-b")
