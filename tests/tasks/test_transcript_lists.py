"""Local transcript lists (WenetSpeech, MIR-1K, Opencpop): Qwen's converted-list schema loads as it is, and bad
input stops before any model loads with the row or file named."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import soundfile

from evalkit.config import ConfigError
from evalkit.registry import SMOKE_FIXTURES, task_spec
from evalkit.task import check_task, load_task
from evalkit.types import media_parts


def _task(name, tmp_path, rows):
    config = task_spec(name).task_config()
    (tmp_path / "list.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    config.dataset.local_path, config.dataset.media_dir = str(tmp_path / "list.jsonl"), str(tmp_path)
    return config


def test_smoke_lists_load_with_the_lyrics_prompt():
    loaded = load_task(task_spec("opencpop_test_smoke").task_config())
    [sample] = loaded.samples
    assert (sample.sample_id, sample.reference) == ("wavs/2100000001.wav", "感受你的温柔")
    assert sample.messages[0].parts[-1].text.startswith("Transcribe the song lyrics into text without any punctuation")
    assert media_parts(sample.messages)[0].path.endswith(f"{SMOKE_FIXTURES}/opencpop_test/wavs/2100000001.wav")


def test_qwen_list_keys_and_ids(tmp_path):
    shutil.copy(f"{SMOKE_FIXTURES}/opencpop_test/wavs/2100000001.wav", tmp_path / "a.wav")
    config = _task("opencpop_test", tmp_path, [
        {"audio": "a.wav", "prompt": "ignored", "gt": "感受你", "source": "opencpop_test"},
        {"audio": "a.wav", "gt": "的温柔", "id": "2100000002"}])
    assert [s.sample_id for s in load_task(config).samples] == ["a.wav", "2100000002"]


def test_empty_reference_is_named(tmp_path):
    config = _task("wenetspeech_test_net", tmp_path, [{"audio": "a.wav", "gt": "好"}, {"audio": "b.wav", "gt": " "}])
    config.dataset.subsets = []
    with pytest.raises(ConfigError, match=r"row 2 \(b.wav\) of subset \(default\) has an empty reference 'gt'"):
        load_task(config)


def test_missing_media_dir_fails_before_the_model():
    with pytest.raises(ConfigError, match="set dataset.media_dir"):
        check_task(task_spec("mir1k").task_config())


def test_mir1k_refuses_stereo_clips(tmp_path):
    soundfile.write(tmp_path / "abjones_1_01.wav", np.zeros((1600, 2), dtype=np.int16), 16000)
    config = _task("mir1k", tmp_path, [{"audio": "abjones_1_01.wav", "gt": "月亮"}])
    with pytest.raises(ConfigError, match=r"abjones_1_01.wav is not mono; MIR-1K \(vocal-only\)"):
        load_task(config)
