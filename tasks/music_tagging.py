"""Music tagging: GTZAN genre (accuracy) and MTG-Jamendo genre / moodtheme / instrument / top50 and
MagnaTagATune (micro-F1), one table of benchmarks registering one task each.

None of these has a hub copy with the evaluation split the paper uses (MARBLE's splits: GTZAN's fault-filtered
test split of 290 clips, MTG-Jamendo split-0 test, MagnaTagATune's standard test split of the top-50 tags), so
each loads a local jsonl that the user writes from the official split files: set dataset.local_path to it and
dataset.media_dir to the folder its `audio` paths are relative to. Rows: `id`, `audio` (a path), `tags` (the
clip's tag names as the split files spell them, without MTG-Jamendo's "genre---" style prefixes; GTZAN: one
genre). The vocabulary offered in the prompt is the benchmark's full tag set: the fixed list below for GTZAN, the
sorted union of the split's tags for the others (every tag of each MTG-Jamendo category occurs in split-0 test).

Prompts are evalkit's (Qwen publishes none for these): the tag names, then "answer with tag names only,
separated by commas". The free-text-to-tags parsing is the scorer's explicit `parsing` option (evalkit.scoring.
music_tags): `mention` by default, `list` for the stricter reading; both are recorded with the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit import datasets_io
from evalkit.config import ConfigError, DatasetConfig, ScorerConfig, TaskConfig
from evalkit.registry import AUDIO_TABLE, SmokeVariant, TaskSpec, register, reported_in
from evalkit.scoring.music_tags import TagReference
from evalkit.smoke_fixtures import sox_synth
from evalkit.task import LoadedTask, format_prompt, media_dir, media_file, require_media, user_turn
from evalkit.types import Sample

COLUMNS = ("id", "audio", "tags")
GTZAN_GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")
GENRE_PROMPT = ("Which genre is this music? Choose one of: {vocabulary}.\n"
                "Answer with the genre name only.")
TAGS_PROMPT = ("Which of these {kind} tags describe this music? Tags: {vocabulary}.\n"
               "Answer with the matching tag names only, separated by commas.")


@dataclass(frozen=True)
class TaggingBenchmark:
    name: str
    title: str
    benchmark: str  # as reported_scores.csv names it
    subset: str
    kind: str  # what the tags describe, for the prompt
    fixed_vocabulary: tuple[str, ...] = ()  # empty: the split's own tag set


BENCHMARKS = (
    TaggingBenchmark("gtzan", "GTZAN genre, fault-filtered test split (290 clips)", "GTZAN", "", "genre",
                     GTZAN_GENRES),
    TaggingBenchmark("mtg_jamendo_genre", "MTG-Jamendo genre, split-0 test (87 tags)", "MTG-Jamendo", "genre",
                     "genre"),
    TaggingBenchmark("mtg_jamendo_moodtheme", "MTG-Jamendo mood/theme, split-0 test (56 tags)", "MTG-Jamendo",
                     "moodtheme", "mood or theme"),
    TaggingBenchmark("mtg_jamendo_instrument", "MTG-Jamendo instrument, split-0 test (40 tags)", "MTG-Jamendo",
                     "instrument", "instrument"),
    TaggingBenchmark("mtg_jamendo_top50", "MTG-Jamendo top-50 tags, split-0 test", "MTG-Jamendo", "top50", "music"),
    TaggingBenchmark("magnatagatune", "MagnaTagATune top-50 tags, standard test split", "MagnaTagATune", "", "music"),
)  # fmt: skip


def _benchmark(config: TaskConfig) -> TaggingBenchmark:
    return next(b for b in BENCHMARKS if config.name.removesuffix("_smoke") == b.name)


def check(config: TaskConfig) -> None:
    if config.dataset.local_path is None:
        raise ConfigError(f"task {config.name!r} has no hub copy with the paper's split: set "
                          f"tasks.{config.name}.dataset.local_path to its jsonl (rows: id, audio, tags)")
    media_dir(config)
    datasets_io.check(config.dataset, COLUMNS)


def _tags(config: TaskConfig, row: dict[str, Any]) -> tuple[str, ...]:
    tags = row["tags"] if isinstance(row["tags"], list) else [row["tags"]]
    if not tags:
        raise ConfigError(f"{config.name} clip {row['id']}: no tags; every clip of the test split has at least one")
    return tuple(tags)


def load_samples(config: TaskConfig) -> LoadedTask:
    benchmark = _benchmark(config)
    folder = media_dir(config)
    rows = [row for part in datasets_io.load(config.dataset, COLUMNS).parts for row in part.records()]
    labels = {str(row["id"]): _tags(config, row) for row in rows}
    vocabulary = benchmark.fixed_vocabulary or tuple(sorted({t for tags in labels.values() for t in tags}))
    unknown = {t for tags in labels.values() for t in tags} - set(vocabulary)
    if unknown:
        raise ConfigError(f"{config.name}: tags {sorted(unknown)[:5]} are not in its vocabulary {vocabulary}")
    text = format_prompt(config, config.prompt, kind=benchmark.kind, vocabulary=", ".join(vocabulary))
    samples = [Sample(task=config.name, sample_id=str(row["id"]),
                      messages=user_turn([media_file("audio", folder, row["audio"])], text),
                      reference=TagReference(labels[str(row["id"])], vocabulary))
               for row in rows]  # fmt: skip
    require_media(config, samples)
    return LoadedTask(samples, {"media_dir": str(folder), "vocabulary_size": len(vocabulary)})


def make_smoke_fixture(folder: Path) -> None:
    """Three tone clips per benchmark, each tagged; the names come from the real vocabularies."""
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    clips = {"low": ("0.8", "sine", "220"), "high": ("0.8", "square", "880"), "sweep": ("0.8", "sine", "300-900")}
    for name, effects in clips.items():
        sox_synth(folder / "audio" / f"{name}.wav", *effects)
    tags = {
        "gtzan": [["classical"], ["metal"], ["pop"]],
        "mtg_jamendo_genre": [["classical", "ambient"], ["rock"], ["electronic", "poprock"]],
        "mtg_jamendo_moodtheme": [["calm"], ["energetic"], ["happy", "film"]],
        "mtg_jamendo_instrument": [["piano"], ["electricguitar", "drums"], ["synthesizer"]],
        "mtg_jamendo_top50": [["classical", "piano"], ["rock", "guitar"], ["electronic", "synthesizer"]],
        "magnatagatune": [["classical", "piano", "slow"], ["rock", "guitar", "loud"], ["techno", "synth"]],
    }
    for benchmark, clip_tags in tags.items():
        rows = [{"id": f"{benchmark}-{clip}", "audio": f"audio/{clip}.wav", "tags": t}
                for clip, t in zip(clips, clip_tags, strict=True)]
        (folder / f"{benchmark}.jsonl").write_text("".join(f"{json.dumps(r)}\n" for r in rows))


for _b in BENCHMARKS:
    register(TaskSpec(
        name=_b.name,
        title=f"{_b.title} (local jsonl + audio folder)",
        modalities=("audio",),
        dataset=DatasetConfig(hub_id="", split="test"),
        scorer=ScorerConfig("music_genre" if _b.fixed_vocabulary else "music_tags", {"parsing": "mention"}),
        prompt=GENRE_PROMPT if _b.fixed_vocabulary else TAGS_PROMPT,
        prompt_fields=("kind", "vocabulary"),
        load=load_samples,
        check=check,
        reported=reported_in((AUDIO_TABLE,), _b.benchmark, _b.subset,
                             "accuracy" if _b.fixed_vocabulary else "micro_f1"),
        max_new_tokens=128,
        smoke=SmokeVariant(fixture="music_tagging", make_fixture=make_smoke_fixture, local_path=f"{_b.name}.jsonl",
                           media_dir=""),
    ))
