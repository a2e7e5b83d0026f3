"""The benchmark registry: one frozen `TaskSpec` per task, each defined by a module under tasks/.

A task module builds its spec (dataset, prompt, loader, scorer, official prediction format, the published rows it
reproduces, its smoke variant) and calls `register`; a family module (Fleurs) registers one spec per row of its
language table. Every module under tasks/ is imported on first lookup, so registering needs no central list.
A spec's `task_config()` is the TaskConfig a run starts from; user overrides (`tasks.<name>.<key>=value`) are
applied to that copy, which is what the run records.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.config import ConfigError, DatasetConfig, MediaConfig, ScorerConfig, TaskConfig

if TYPE_CHECKING:
    from evalkit.agents import Agent
    from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer
    from evalkit.task import LoadedTask

SMOKE_FIXTURES = "tests/fixtures/smoke"  # relative to the repository root, as dataset paths are
SMOKE_SUFFIX = "_smoke"
MODALITIES = ("text", "audio", "image", "video")
# Paper tables as results/reference/reported_scores.csv names them
ASR_TABLE = "audio->text (asr, s2tt)"
AUDIO_TABLE = "audio->text (understanding, music)"
VISION_TABLES = ("vision->text (instruct)", "vision->text (thinking)")
AV_INSTRUCT_TABLE = "audiovisual->text (instruct)"
AV_THINKING_TABLE = "audiovisual->text (thinking)"
TEXT_TABLES = ("text->text (instruct)", "text->text (thinking)")


@dataclass(frozen=True)
class ReportedKey:
    """One published number's place in results/reference/reported_scores.csv: its paper table and column."""

    table: str
    benchmark: str
    subset: str
    metric: str


def reported_in(tables: tuple[str, ...], benchmark: str, subset: str, metric: str) -> tuple[ReportedKey, ...]:
    """The same column in several paper tables (the paper prints Instruct and Thinking tables apart)."""
    return tuple(ReportedKey(table, benchmark, subset, metric) for table in tables)


@dataclass(frozen=True)
class OfficialFormat:
    """How `evalkit score` reads the benchmark's official prediction files."""

    read: Callable[[PredictionFiles], tuple[Scorer, list[ScoreInput]]]
    expected: str  # shown when a file does not fit
    takes: tuple[str, ...] = ()  # command-line options the format uses: "references", "normalizer"


@dataclass(frozen=True)
class SmokeVariant:
    """`<name>_smoke`: a few synthetic items in the benchmark's real schema, written by `make_fixture` into
    tests/fixtures/smoke/<fixture>/ (scripts/make_smoke_fixtures.py), run through the real loader and scorer."""

    fixture: str  # folder under tests/fixtures/smoke, shared by the specs of one family
    make_fixture: Callable[[Path], None]  # writes the fixture folder it is given
    local_path: str = ""  # under the fixture folder; "" is the folder itself
    media_dir: str | None = None  # under the fixture folder
    subsets: tuple[str, ...] | None = None  # None: the task's own
    media: Mapping[str, Any] = field(default_factory=dict)  # MediaConfig fields to change
    options: Mapping[str, Any] = field(default_factory=dict)  # task options to change
    max_new_tokens: int = 24


Loader = Callable[[TaskConfig], "LoadedTask"]
Check = Callable[[TaskConfig], None]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    title: str  # one line: the benchmark, its split and size
    modalities: tuple[str, ...]  # input kinds the model is given
    dataset: DatasetConfig
    scorer: ScorerConfig
    prompt: str = ""  # a format string over `prompt_fields`
    prompt_fields: tuple[str, ...] = ()
    load: Loader | None = None  # rows -> Samples; None for a score-only benchmark (`evalkit score` alone)
    check: Check | None = None  # cheap checks before any model loads (local files, columns, options)
    official_format: OfficialFormat | None = None
    reported: tuple[ReportedKey, ...] = ()  # the published numbers this task reproduces
    media: MediaConfig = field(default_factory=MediaConfig)
    max_new_tokens: int = 256
    options: Mapping[str, Any] = field(default_factory=dict)  # loader options, documented in the task module
    smoke: SmokeVariant | None = None
    agent: Agent | None = None  # the loop of samples whose requests depend on acting on answers (evalkit.agents)

    @property
    def runnable(self) -> bool:
        return self.load is not None

    def task_config(self) -> TaskConfig:
        """A fresh, overridable TaskConfig holding this spec's defaults."""
        return TaskConfig(
            name=self.name,
            dataset=copy.deepcopy(self.dataset),
            scorer=copy.deepcopy(self.scorer),
            prompt=self.prompt,
            media=copy.deepcopy(self.media),
            max_new_tokens=self.max_new_tokens,
            options=copy.deepcopy(dict(self.options)),
        )


@dataclass(frozen=True)
class AggregateMember:
    task: str
    scale: float = 1.0  # multiplies the task's value into the aggregate's units (VoiceBench: a 1..5 score x20)


@dataclass(frozen=True)
class TaskAggregate:
    """A published number made of other tasks' numbers: the plain mean of its members' official values, each
    scaled. The report computes it from a run's task scores; a member missing from the run, or not scored (a
    judged task without a judge), leaves it without a value, and the report names the members it lacks."""

    name: str
    title: str
    metric: str
    members: tuple[AggregateMember, ...]
    reported: tuple[ReportedKey, ...] = ()


_SPECS: dict[str, TaskSpec] = {}
_AGGREGATES: dict[str, TaskAggregate] = {}


def register(spec: TaskSpec) -> TaskSpec:
    """Add a spec, and its smoke variant when it has one."""
    for entry in (spec, *([_smoke_spec(spec)] if spec.smoke else [])):
        if entry.name in _SPECS:
            raise ValueError(f"task {entry.name!r} is registered twice")
        unknown = set(entry.modalities) - set(MODALITIES)
        if unknown:
            raise ValueError(f"task {entry.name!r}: unknown modalities {sorted(unknown)}; valid: {MODALITIES}")
        _SPECS[entry.name] = entry
    return spec


def register_aggregate(aggregate: TaskAggregate) -> TaskAggregate:
    """Add an aggregate, and its smoke twin (the same mean over the members' smoke variants, reported nowhere)."""
    smoke = dataclasses.replace(
        aggregate, name=aggregate.name + SMOKE_SUFFIX, title=f"smoke stand-in for {aggregate.name}", reported=(),
        members=tuple(dataclasses.replace(m, task=m.task + SMOKE_SUFFIX) for m in aggregate.members))
    for entry in (aggregate, smoke):
        if entry.name in _AGGREGATES or entry.name in _SPECS:
            raise ValueError(f"aggregate {entry.name!r} is registered twice, or shares a task's name")
        unknown = [m.task for m in entry.members if m.task not in _SPECS]
        if unknown:
            raise ValueError(f"aggregate {entry.name!r}: members {unknown} are not registered tasks (register them "
                             "first)")
        _AGGREGATES[entry.name] = entry
    return aggregate


def all_aggregates() -> dict[str, TaskAggregate]:
    """Every registered aggregate, by name in sorted order."""
    _import_task_modules()
    return dict(sorted(_AGGREGATES.items()))


def _smoke_spec(spec: TaskSpec) -> TaskSpec:
    smoke = spec.smoke
    assert smoke is not None
    folder = f"{SMOKE_FIXTURES}/{smoke.fixture}"
    dataset = dataclasses.replace(
        spec.dataset,
        local_path=f"{folder}/{smoke.local_path}".rstrip("/"),
        media_dir=f"{folder}/{smoke.media_dir}".rstrip("/") if smoke.media_dir is not None else None,
        subsets=list(smoke.subsets) if smoke.subsets is not None else list(spec.dataset.subsets),
    )
    return dataclasses.replace(
        spec,
        name=spec.name + SMOKE_SUFFIX,
        title=f"smoke stand-in for {spec.name}: the bundled fixture {folder}",
        dataset=dataset,
        media=dataclasses.replace(spec.media, **smoke.media),
        options={**spec.options, **smoke.options},
        max_new_tokens=smoke.max_new_tokens,
        official_format=None,
        smoke=None,
    )


def _import_task_modules() -> None:
    import tasks

    for info in pkgutil.iter_modules(tasks.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"tasks.{info.name}")


def all_specs() -> dict[str, TaskSpec]:
    """Every registered task, by name in sorted order."""
    _import_task_modules()
    return dict(sorted(_SPECS.items()))


def smoke_task_names() -> list[str]:
    return [name for name in all_specs() if name.endswith(SMOKE_SUFFIX)]


def task_spec(name: str) -> TaskSpec:
    specs = all_specs()
    if name not in specs:
        raise ConfigError(unknown_task_message(name, list(specs)))
    return specs[name]


def unknown_task_message(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown task {name!r}{hint}; valid tasks: {', '.join(valid)} (`evalkit tasks` describes them)"
