"""Text renderings of a run report: Markdown (report.md), a tidy CSV, and LaTeX tables in the paper's layout.
`markdown_table` and the number formats are shared with `evalkit compare`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from evalkit.report.reference import Column
from evalkit.report.rows import INSIDE, PaperLayout, RunReport, TaskRow
from evalkit.run_folder import Interval


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


def interval_text(interval: Interval | None, digits: int = 2) -> str:
    return "—" if interval is None else f"[{interval.low:.{digits}f}, {interval.high:.{digits}f}]"


def metric_label(metric: str, lower_is_better: bool) -> str:
    return f"{metric} {'↓' if lower_is_better else '↑'}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in rows)])


def verdict_text(row: TaskRow) -> str:
    if row.verdict is None:
        return "—"
    return "yes" if row.verdict == INSIDE else "**no**"


def baseline_models(report: RunReport) -> list[str]:
    return list(dict.fromkeys(m for row in report.rows for m in row.baselines))


def render_markdown(report: RunReport) -> str:
    confidence = next((r.interval for r in report.rows if r.interval), None)
    ci_name = f"{confidence.confidence:.0%} CI" if confidence else "CI"
    baselines = baseline_models(report)
    # Ours: the official number (the benchmark's denominator); strict: every sample, failed and excluded ones
    # counted wrong. fallback: answers the official parser had to guess; unclosed: reasoning that never reached an
    # answer. Both are counted in the score and shown so a reader can judge it.
    headers = ["Task", "Metric", "Ours", ci_name, "strict", "n", "failed", "excluded", "fallback", "unclosed",
               "Qwen3-Omni (paper)", "Δ", "Paper in CI", *baselines]  # fmt: skip
    body = [
        [
            row.label,
            metric_label(row.score.metric, row.score.lower_is_better),
            number(row.score.value),
            interval_text(row.interval),
            number(row.score.strict_value),
            str(row.score.n),
            str(row.score.n_failed),
            str(row.score.n_excluded),
            str(row.score.n_fallback),
            str(row.score.n_reasoning_unclosed),
            number(row.qwen_value),
            signed(row.delta),
            verdict_text(row),
            *(number(row.baselines.get(m)) for m in baselines),
        ]
        for row in report.rows
    ]
    parts = [
        f"# Evaluation report: {report.title}",
        "",
        _method_line(report),
        "",
        "## Per task",
        "",
        markdown_table(headers, body),
    ]
    qwen_models = sorted({r.qwen_model for r in report.rows if r.qwen_model})
    if qwen_models:
        parts += ["", f"Qwen3-Omni (paper) is {', '.join(qwen_models)}; Δ = ours − paper in the metric's units."]
    if report.run.variant not in ("instruct", "thinking"):
        parts += [f"The paper has no {report.run.variant} numbers: this run is set beside the Instruct ones."]
    for layout in report.layouts:
        parts += ["", f"## Paper table: {layout.table.name}", "", _layout_markdown(report, layout)]
    return "\n".join(parts) + "\n"


def _method_line(report: RunReport) -> str:
    interval = next((r.interval for r in report.rows if r.interval), None)
    if interval is None:
        return "No confidence intervals (scores.json has none and samples.jsonl is absent)."
    return (
        f"Intervals: {interval.confidence:.0%} {interval.method}, {interval.iterations} resamples of the official "
        "number; the corpus metric is recomputed on every resample. Ours counts the benchmark's official denominator "
        "(excluded: samples its protocol leaves out); strict counts every sample, failed and excluded ones wrong."
    )


def _layout_markdown(report: RunReport, layout: PaperLayout) -> str:
    headers = ["Model", *(f"{c.label} ({metric_label(c.metric, c.lower_is_better)})" for c in layout.columns)]
    rows = [[model, *(number(layout.table.value(model, c)) for c in layout.columns)] for model in layout.table.models]
    rows.append([f"**ours: {report.run.model_name}**", *(_ours_cell(layout, c) for c in layout.columns)])
    rows.append(["paper Qwen3-Omni in our CI", *(verdict_text(layout.ours[c]) for c in layout.columns)])
    return markdown_table(headers, rows)


def _ours_cell(layout: PaperLayout, column: Column) -> str:
    row = layout.ours[column]
    return f"**{number(row.score.value)}** {interval_text(row.interval)}"


_CSV_FIELDS = (
    "table", "benchmark", "subset", "metric", "lower_is_better", "model", "source", "task",
    "value", "low", "high", "strict_value", "n", "n_failed", "n_excluded", "denominator", "verdict",
)  # fmt: skip


def render_csv(report: RunReport) -> str:
    """Tidy rows: one per (paper table, benchmark, model), ours included, plus our tasks outside the paper."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        column, table = row.column, row.table
        ours = {
            "table": table.name if table else "",
            "benchmark": column.benchmark if column else "",
            "subset": column.subset if column else "",
            "metric": row.score.metric,
            "lower_is_better": str(row.score.lower_is_better).lower(),
            "model": report.run.model_name,
            "source": "ours",
            "task": row.task,
            "value": repr(row.score.value),
            "low": repr(row.interval.low) if row.interval else "",
            "high": repr(row.interval.high) if row.interval else "",
            "strict_value": "" if row.score.strict_value is None else repr(row.score.strict_value),
            "n": row.score.n,
            "n_failed": row.score.n_failed,
            "n_excluded": row.score.n_excluded,
            "denominator": row.score.denominator,
            "verdict": row.verdict or "",
        }
        writer.writerow(ours)
        if table is None or column is None:
            continue
        for model in table.models:
            value = table.value(model, column)
            if value is not None:
                writer.writerow({**ours, "model": model, "source": "paper", "value": repr(value), "low": "", "high": "",
                                 "strict_value": "", "n": "", "n_failed": "", "n_excluded": "", "denominator": "",
                                 "verdict": ""})  # fmt: skip
    return out.getvalue()


_LATEX_SPECIALS = {c: "\\" + c for c in "&%$#_{}"} | {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                                                       "\\": r"\textbackslash{}"}  # fmt: skip


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text)


def render_latex(report: RunReport) -> str:
    """One booktabs table per paper table; needs \\usepackage{booktabs,amssymb}."""
    parts = [f"% evalkit report: {latex_escape(report.title)}", "% needs \\usepackage{booktabs,amssymb}"]
    for layout in report.layouts:
        spec = "l" + "c" * len(layout.columns)
        heads = " & ".join(
            latex_escape(c.label) + (r" $\downarrow$" if c.lower_is_better else "") for c in layout.columns
        )
        lines = [r"\begin{table}[t]", r"\centering", f"\\caption{{{latex_escape(layout.table.name)}}}",
                 f"\\begin{{tabular}}{{{spec}}}", r"\toprule", f"Model & {heads} \\\\", r"\midrule"]  # fmt: skip
        for model in layout.table.models:
            cells = " & ".join(number(layout.table.value(model, c)) for c in layout.columns)
            lines.append(f"{latex_escape(model)} & {cells} \\\\")
        lines.append(r"\midrule")
        ours = " & ".join(_latex_ours(layout.ours[c]) for c in layout.columns)
        lines.append(f"\\textbf{{Ours ({latex_escape(report.run.model_name)})}} & {ours} \\\\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _latex_ours(row: TaskRow) -> str:
    mark = {None: "", INSIDE: r" $\checkmark$"}.get(row.verdict, r" $\times$")
    interval = "" if row.interval is None else f" {{\\scriptsize[{row.interval.low:.1f}, {row.interval.high:.1f}]}}"
    return f"{number(row.score.value, 1)}{interval}{mark}"
