"""A content-addressed cache of model responses, shared by all runs under one cache_dir.

The key hashes everything that can change an output: the model (revision, content fingerprint, processor and
chat-template fingerprint), the engine (name, version, precision or served model; never a server's address), the
rendered prompt, the media content and how it was decoded (sample rate, frame indices, sizes) and the decoding
parameters, and for spoken answers the talker's voice. So re-running a finished config never calls the model, while
a new prompt, fps, voice, engine version or model revision misses the cache.
Only successful responses are stored: a failure is retried next time. SQLite gives atomic, concurrent-safe
writes from the standard library. A spoken answer's audio is kept beside the database as a WAV file named by its
sha256 (content-addressed, so identical audio is stored once), and the response row names that file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evalkit.run_folder import atomic_write_bytes
from evalkit.spoken_audio import provenance, read_wav, wav_bytes
from evalkit.types import Response


def cache_key(
    model_identity: Mapping[str, Any],
    engine: Mapping[str, Any],
    prompt: str,
    media_provenance: Sequence[Mapping[str, Any]],
    decoding: Mapping[str, Any],
    use_audio_in_video: bool,
    voice: str | None = None,
) -> str:
    payload = {
        "model": model_identity,
        "engine": engine,
        "prompt": prompt,
        "media": media_provenance,
        "decoding": decoding,
        "use_audio_in_video": use_audio_in_video,
    }
    if voice is not None:  # text answers keep the keys they had before spoken output existed
        payload["voice"] = voice
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.speech_dir = path.parent / "speech"
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
        speech = fields.pop("speech", None)
        if speech is None:
            return Response(**fields)
        audio = self.speech_dir / f"{speech['sha256']}.wav"
        if not audio.is_file():  # the audio store was cleaned: a miss, so the sample is generated again
            return None
        return Response(**fields, speech=read_wav(audio, speech["voice"]))

    def has_scope(self, scope: str) -> bool:
        return self._db.execute("SELECT 1 FROM responses WHERE scope = ? LIMIT 1", (scope,)).fetchone() is not None

    def put_many(self, scope: str, items: list[tuple[str, Response]]) -> None:
        rows = [(key, scope, json.dumps(self._stored_fields(r), ensure_ascii=False))
                for key, r in items if not r.failed]
        if rows:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO responses (key, scope, response) VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def _stored_fields(self, response: Response) -> dict[str, Any]:
        fields = response.fields()
        if response.speech is not None:
            data = wav_bytes(response.speech)
            sha256 = provenance(data, response.speech)["sha256"]
            atomic_write_bytes(self.speech_dir / f"{sha256}.wav", data)  # content-addressed: stored once
            fields["speech"] = {"sha256": sha256, "voice": response.speech.voice}
        return fields

    def close(self) -> None:
        self._db.close()
