"""The speech-generation loader (tasks/tts.py) on SEED-TTS eval's meta.lst format."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from tasks.tts import load_samples, parse_line


def _task(meta: Path, scorer: str = "tts_wer") -> TaskConfig:
    return TaskConfig(name="t", dataset=DatasetConfig(hub_id="", local_path=str(meta)),
                      scorer=ScorerConfig(scorer, {"language": "en"}), prompt="Say: {text}",
                      options={"language": "en", "voice": "Ethan"})  # fmt: skip


def test_meta_lines_of_two_four_and_five_fields(tmp_path: Path) -> None:
    assert parse_line("u1|hello there", tmp_path, "x") == ("u1", "hello there", None)
    prompted = ("u2", "say this", str(tmp_path / "wavs/p.wav"))
    assert parse_line("u2|prompt words|wavs/p.wav|say this", tmp_path, "x") == prompted
    assert parse_line("u3|p|/abs/p.wav|say that|gt.wav", tmp_path, "x") == ("u3", "say that", "/abs/p.wav")
    with pytest.raises(ConfigError, match=r"meta.lst:7: 3 '\|'-separated fields"):
        parse_line("a|b|c", tmp_path, "meta.lst:7")


def test_samples_carry_the_text_language_and_prompt_speaker(tmp_path: Path) -> None:
    (tmp_path / "p.wav").write_bytes(b"RIFF")
    meta = tmp_path / "meta.lst"
    meta.write_text("u1|prompt|p.wav|The cat sat.\nu2|Just text.\n", encoding="utf-8")
    samples = load_samples(_task(meta)).samples
    assert [s.sample_id for s in samples] == ["u1", "u2"]
    assert samples[0].reference == {"text": "The cat sat.", "language": "en", "prompt_audio": str(tmp_path / "p.wav")}
    assert samples[0].messages[0].parts[0].text == "Say: The cat sat."
    with pytest.raises(ConfigError, match=r"meta.lst:2: speaker similarity needs the prompt speaker's audio"):
        load_samples(_task(meta, "speaker_similarity"))
