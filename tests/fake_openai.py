"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for runner and hosted-model tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    """Chat completions whose HTTP status per sample follows a script keyed by the last text part: e.g.
    [429, 500, 200] fails twice, then answers; an unscripted key is answered at once. Records every request body
    and Authorization header."""

    def __init__(self, scripts: dict[str, list[int]]):
        self.scripts = {key: list(statuses) for key, statuses in scripts.items()}
        self.bodies: list[dict] = []
        self.auth: set[str | None] = set()
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
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
                data = json.dumps(payload).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def calls(self, key: str) -> int:
        return sum(body["messages"][-1]["content"][-1]["text"] == key for body in self.bodies)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(key: str) -> dict:
    return {
        "choices": [{"message": {"role": "assistant", "content": f"answer to {key}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3},
    }
