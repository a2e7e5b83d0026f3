"""Local speech test sets given as transcript lists, for those without a hub copy (WenetSpeech, MIR-1K, Opencpop).

A list is JSON lines (or a JSON array) of {"audio": <file under dataset.media_dir>, "gt": <reference text>}: the
schema of Qwen's converted eval files (QwenLM/Qwen2-Audio eval_audio/EVALUATION.md, `*_eval.jsonl` with keys audio,
prompt, gt, source), so those files work as they are. Other keys are ignored (the prompt is the task's); an "id"
key, when present, names the sample, else the audio path does. With several subsets, dataset.local_path is a
folder holding `<subset>.jsonl` each.

Bad input stops the run before the model loads: a missing list or media folder, a missing column, an empty
reference (named by its row), or no audio file found at all; a few missing audio files fail their samples alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, TaskConfig
from evalkit.task import LoadedTask, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

COLUMNS = ("audio", "gt")


def check(config: TaskConfig) -> None:
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _sample_id(row: dict[str, Any]) -> str:
    return str(row.get("id") or row["audio"])


def load_transcripts(config: TaskConfig, prompt: Callable[[str], str]) -> LoadedTask:
    """One sample per row; `prompt(subset)` is the text after the audio."""
    folder = media_dir(config)
    loaded = datasets_io.load(config.dataset, COLUMNS)
    samples = []
    for part in loaded.parts:
        text = prompt(part.subset)
        for number, row in enumerate(part.rows, 1):
            if not str(row["gt"] or "").strip():
                raise ConfigError(f"task {config.name!r}: row {number} ({row['audio']}) of subset "
                                  f"{part.subset or '(default)'} has an empty reference 'gt'; fix or remove it")
            samples.append(Sample(task=config.name, sample_id=_sample_id(row), reference=row["gt"],
                                  messages=user_turn([media_file("audio", folder, row["audio"])], text)))
    require_media(config, samples)
    return LoadedTask(samples, {**loaded.provenance, "media_dir": str(folder)})


def write_smoke_list(folder: Any, name: str, items: list[tuple[str, str, Callable[[Any], None]]]) -> None:
    """A smoke fixture: `name` (a .jsonl under folder) listing (audio path, gt, maker) items, audio made by maker."""
    import json

    lines = []
    for audio, gt, make in items:
        (folder / audio).parent.mkdir(parents=True, exist_ok=True)
        make(folder / audio)
        lines.append(json.dumps({"audio": audio, "prompt": "", "gt": gt, "source": name.removesuffix(".jsonl")},
                                ensure_ascii=False))
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
