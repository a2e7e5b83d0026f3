"""An OpenAI-compatible judge server on 127.0.0.1 for tests: `GET /v1/models` lists the models it was given,
`POST /v1/chat/completions` answers with `answer(body) -> (status, message)`; every request body is recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from fake_openai import LocalServer, QuietJSONHandler

KEY_ENV = "EVALKIT_TEST_JUDGE_KEY"  # the tests' judge key variable
KEY = "sk-judge-test"
Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]  # body -> (HTTP status, choice message)


def user_text(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"][-1]["text"]


class FakeJudgeServer(LocalServer):
    def __init__(self, models: list[str], answer: Answer, api_key: str | None = None):
        self.models, self.answer, self.api_key = models, answer, api_key
        self.bodies: list[dict[str, Any]] = []
        lock = threading.Lock()
        fake = self

        class Handler(QuietJSONHandler):
            def _authorized(self) -> bool:
                if fake.api_key is None or self.headers.get("Authorization") == f"Bearer {fake.api_key}":
                    return True
                self.send_json(401, {"error": {"message": "invalid api key"}})
                return False

            def do_GET(self):  # noqa: N802
                if not self._authorized():
                    return
                if self.path == "/v1/models":
                    self.send_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in fake.models]})
                else:
                    self.send_json(404, {"error": {"message": "not found"}})

            def do_POST(self):  # noqa: N802
                if not self._authorized():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    fake.bodies.append(body)
                status, message = fake.answer(body)
                finish = message.pop("finish_reason", "stop")
                self.send_json(status, {"choices": [{"index": 0, "message": {"role": "assistant", **message},
                                                     "finish_reason": finish}], "usage": {}}
                               if status == 200 else {"error": {"message": f"status {status}"}})

        super().__init__(Handler)
