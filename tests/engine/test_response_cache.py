import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from evalkit.hydra_config import load_run_config
from evalkit.pipeline import engine_identity
from evalkit.provenance import model_identity
from evalkit.response_cache import ResponseCache, cache_key
from evalkit.types import Response

MODEL = {"path": "/m", "revision": None, "content_hash": "abc"}
MEDIA = [{"sha256": "f00", "sample_rate": 16000}]
DECODING = {"max_new_tokens": 8, "do_sample": False}
ENGINE = {"name": "vllm:bfloat16", "version": "vllm 0.11.0"}


def key(**changes) -> str:
    args = {"model_identity": MODEL, "engine": ENGINE, "prompt": "<|im_start|>user\nhi",
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
        key(engine={**ENGINE, "name": "transformers:bfloat16"}),
        key(engine={**ENGINE, "version": "vllm 0.11.1"}),  # a new engine version misses
        key(model_identity={**MODEL, "revision": "abc123"}),
        key(model_identity={**MODEL, "processor_hash": "p2"}),
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


def test_processor_and_chat_template_are_fingerprinted(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "chat_template.jinja").write_text("{{ messages }}")
    before = model_identity(str(tmp_path), "r1")
    (tmp_path / "chat_template.jinja").write_text("{{ messages }}\n")
    after = model_identity(str(tmp_path), "r1")
    assert before["processor_hash"] != after["processor_hash"] and before["revision"] == "r1"


class _VersionServer:
    """A local server answering /version as `vllm serve` does, on a free port."""

    def __init__(self, version: str):
        body = json.dumps({"version": version}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                self.send_response(200 if self.path == "/version" else 404)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _server_engine(base_url: str) -> dict:
    return engine_identity(load_run_config(["runner=openai", f"runner.base_url={base_url}",
                                            "runner.served_model=Qwen/Qwen3-Omni-30B-A3B-Instruct"]))


@pytest.mark.parametrize(("version_b", "same"), [("0.11.0", True), ("0.12.0", False)])
def test_a_restarted_server_on_a_new_port_hits_unless_its_version_changed(version_b: str, same: bool) -> None:
    with _VersionServer("0.11.0") as url_a, _VersionServer(version_b) as url_b:
        engine_a, engine_b = _server_engine(url_a), _server_engine(url_b)
    assert url_a != url_b and engine_a["version"] == "0.11.0"
    assert engine_a["name"] == "openai:Qwen/Qwen3-Omni-30B-A3B-Instruct"  # the served model, not the address
    assert (key(engine=engine_a) == key(engine=engine_b)) is same


def test_a_local_engine_is_keyed_with_its_installed_version(monkeypatch) -> None:
    import evalkit.pipeline

    cfg = load_run_config(["runner=transformers"])
    installed = engine_identity(cfg)
    assert installed["version"].startswith("transformers ") and installed["name"].startswith("transformers:")
    monkeypatch.setattr(evalkit.pipeline, "engine_version", lambda runner: "transformers 99.0")  # an upgrade
    assert key(engine=engine_identity(cfg)) != key(engine=installed)
