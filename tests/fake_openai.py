"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for runner and hosted-model tests; `LocalServer`
and `QuietJSONHandler` are the parts any fake API server here is built from (the judge tests' server too)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietJSONHandler(BaseHTTPRequestHandler):
    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class LocalServer:
    """An HTTP server on a free port of 127.0.0.1 in a daemon thread; `base_url` ends in /v1."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedServer(LocalServer):
    """Chat completions whose HTTP status per sample follows a script keyed by the last text part: e.g.
    [429, 500, 200] fails twice, then answers; an unscripted key is answered at once. Records every request body
    and Authorization header."""

    def __init__(self, scripts: dict[str, list[int]]):
        self.scripts = {key: list(statuses) for key, statuses in scripts.items()}
        self.bodies: list[dict] = []
        self.auth: set[str | None] = set()
        lock = threading.Lock()
        server = self

        class Handler(QuietJSONHandler):
            def do_GET(self):  # noqa: N802 - no /version: a plain OpenAI-compatible server
                self.send_response(404)
                self.end_headers()

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = body["messages"][-1]["content"][-1]["text"]
                with lock:
                    server.bodies.append(body)
                    server.auth.add(self.headers.get("Authorization"))
                    script = server.scripts.setdefault(key, [200])
                    status = script.pop(0) if len(script) > 1 else script[0]
                payload = completion(key) if status == 200 else {"error": {"message": f"scripted {status}"}}
                self.send_json(status, payload, {"Retry-After": "0"} if status == 429 else None)

        super().__init__(Handler)

    def calls(self, key: str) -> int:
        return sum(body["messages"][-1]["content"][-1]["text"] == key for body in self.bodies)


def completion(key: str) -> dict:
    return {
        "choices": [{"message": {"role": "assistant", "content": f"answer to {key}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3},
    }
