"""Regenerate tests/fixtures/smoke/: for every registered task with a smoke variant, its fixture maker writes a
few synthetic items in the real dataset's schema, with known answers, under tests/fixtures/smoke/<fixture>/ (a
family of tasks shares one folder). The makers live in the task modules (tasks/); evalkit.smoke_fixtures says
what they need (espeak-ng, sox, Pillow, PyAV) and why the bytes repeat.

    python scripts/make_smoke_fixtures.py            # rewrites tests/fixtures/smoke/
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from evalkit.config import REPO_ROOT
from evalkit.registry import SMOKE_FIXTURES, all_specs

OUT = REPO_ROOT / SMOKE_FIXTURES


def fixture_makers() -> dict[str, Callable[[Path], None]]:
    """One maker per fixture folder; the tasks of a family name the same one."""
    makers: dict[str, Callable[[Path], None]] = {}
    for spec in all_specs().values():
        if spec.smoke is None:
            continue
        known = makers.setdefault(spec.smoke.fixture, spec.smoke.make_fixture)
        if known is not spec.smoke.make_fixture:
            raise ValueError(f"fixture folder {spec.smoke.fixture!r} has two makers (task {spec.name})")
    return makers


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    for folder, make in sorted(fixture_makers().items()):
        (OUT / folder).mkdir(parents=True)
        make(OUT / folder)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
