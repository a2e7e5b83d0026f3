"""LibriSpeech ASR (openslr/librispeech_asr; configs clean/other, split test: 2,620 / 2,939 utterances).

Reference: the `text` column (upper-case, no punctuation). Prompt fields: {source_language} from
options.source_language. Sample ids are the utterance ids ("1089-134686-0000").
"""

from __future__ import annotations

from evalkit import datasets_io
from evalkit.config import TaskConfig
from evalkit.task import LoadedTask, format_prompt, media_cell, user_turn
from evalkit.types import Sample

PROMPT_FIELDS = ("source_language",)
COLUMNS = ("id", "audio", "text")


def check(config: TaskConfig) -> None:
    datasets_io.check(config.dataset, COLUMNS)


def load_samples(config: TaskConfig) -> LoadedTask:
    loaded = datasets_io.load(config.dataset, COLUMNS, {"audio": "audio"})
    text = format_prompt(config, config.prompt, source_language=config.options.get("source_language", "English"))
    samples = [
        Sample(
            task=config.name,
            sample_id=row["id"],
            messages=user_turn([media_cell("audio", row["audio"], f"{config.name} row {row['id']}")], text),
            reference=row["text"],
        )
        for part in loaded.parts
        for row in part.rows
    ]
    return LoadedTask(samples, loaded.provenance)
