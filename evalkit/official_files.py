"""Reading a registered task's official prediction files (`evalkit score`): the reader its spec names, with the
command-line options it takes, and every unreadable file reported with the format expected."""

from __future__ import annotations

from evalkit.config import ConfigError
from evalkit.registry import OfficialFormat, all_specs
from evalkit.scoring.base import PredictionFiles, ScoreInput, Scorer


class PredictionFormatError(ValueError):
    """A predictions or references file that cannot be read as the task's official format."""

    def __init__(self, files: str, expected: str, reason: str) -> None:
        super().__init__(f"cannot read {files}: {reason}\nexpected: {expected}")


def scorable_tasks() -> dict[str, OfficialFormat]:
    """Tasks whose official prediction files `evalkit score` reads, with their formats."""
    return {name: spec.official_format for name, spec in all_specs().items() if spec.official_format is not None}


def read_official(task: str, files: PredictionFiles) -> tuple[Scorer, list[ScoreInput]]:
    """The scorer and items of `task`'s official prediction file(s)."""
    formats = scorable_tasks()
    if task not in formats:
        raise ConfigError(f"unknown task {task!r}; valid tasks: {', '.join(formats)}")
    fmt = formats[task]
    given = {"references": files.references, "normalizer": files.normalizer}
    for option, value in given.items():
        if value is not None and option not in fmt.takes:
            raise ConfigError(f"--{option} does not apply to {task!r}'s prediction files ({fmt.expected})")
    try:
        return fmt.read(files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SyntaxError) as error:
        where = str(files.predictions)
        if files.references is not None:
            where += f" (references {files.references})"
        raise PredictionFormatError(where, fmt.expected, f"{type(error).__name__}: {error}") from error
