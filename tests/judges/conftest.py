"""A fake judge server per test (closed afterwards) and judge configs pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_judge_server import KEY, KEY_ENV, Answer, FakeJudgeServer


@pytest.fixture
def start_judge_server(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    servers: list[FakeJudgeServer] = []
    monkeypatch.setenv(KEY_ENV, KEY)

    def start(models: list[str], answer: Answer) -> FakeJudgeServer:
        server = FakeJudgeServer(models, answer, api_key=KEY)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
