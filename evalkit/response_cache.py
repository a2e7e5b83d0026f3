"""A content-addressed cache of model responses, shared by all runs under one cache_dir.

The key hashes everything that can change an output: the model (revision, content fingerprint, processor and
chat-template fingerprint), the engine (name, version, precision or served model; never a server's address), the
rendered prompt, the media content and how it was decoded (sample rate, frame indices, sizes) and the decoding
parameters. So re-running a finished config never calls the model, while a new prompt, fps, engine version or
model revision misses the cache.
Only successful responses are stored: a failure is retried next time. SQLite gives atomic, concurrent-safe
writes from the standard library.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any, Mapping

from evalkit.types import Response


def cache_key(
    model_identity: Mapping[str, Any],
    engine: Mapping[str, Any],
    prompt: str,
    media_provenance: list[Mapping[str, Any]],
    decoding: Mapping[str, Any],
    use_audio_in_video: bool,
) -> str:
    payload = {
        "model": model_identity,
        "engine": engine,
        "prompt": prompt,
        "media": media_provenance,
        "decoding": decoding,
        "use_audio_in_video": use_audio_in_video,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # `scope` names the model and engine that answered, so a run can ask whether it may find answers here
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, scope TEXT NOT NULL, response TEXT NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS responses_scope ON responses (scope)")

    def get(self, key: str) -> Response | None:
        row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        fields = json.loads(row[0])
        if fields.get("token_ids") is not None:
            fields["token_ids"] = tuple(fields["token_ids"])
        return Response(**fields)

    def has_scope(self, scope: str) -> bool:
        return self._db.execute("SELECT 1 FROM responses WHERE scope = ? LIMIT 1", (scope,)).fetchone() is not None

    def put_many(self, scope: str, items: list[tuple[str, Response]]) -> None:
        rows = [(key, scope, json.dumps(asdict(r), ensure_ascii=False)) for key, r in items if not r.failed]
        if rows:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO responses (key, scope, response) VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
