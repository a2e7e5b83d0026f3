"""Reports in the paper's layout: `write_report` (called at the end of every run) and `render` (for the CLI)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from evalkit.report.html import render_html
from evalkit.report.rows import RunReport, build_report
from evalkit.report.tables import render_csv, render_latex, render_markdown
from evalkit.run_folder import atomic_write_text, load_run

RENDERERS: dict[str, tuple[str, Callable[[RunReport], str]]] = {
    "md": ("report.md", render_markdown),
    "csv": ("report.csv", render_csv),
    "tex": ("report.tex", render_latex),
    "html": ("report.html", render_html),
}


def render(run_dir: Path, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; valid: {', '.join(RENDERERS)}")
    return RENDERERS[fmt][1](build_report(load_run(run_dir)))


def write_report(run_dir: Path, formats: Sequence[str] = ("md",)) -> list[Path]:
    """Write report.<format> into the run folder for each format; returns the paths written."""
    unknown = [f for f in formats if f not in RENDERERS]
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; valid: {', '.join(RENDERERS)}")
    report = build_report(load_run(Path(run_dir)))
    written = []
    for fmt in formats:
        name, renderer = RENDERERS[fmt]
        path = Path(run_dir) / name
        atomic_write_text(path, renderer(report))
        written.append(path)
    return written
