"""One self-contained HTML page per run: inline CSS and SVG, no scripts, nothing fetched. Every string that comes
from a model, a dataset or a file is escaped, so a model that answers with markup shows as text."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from evalkit.report.rows import INSIDE, PaperLayout, RunReport, TaskRow
from evalkit.report.tables import baseline_models, interval_text, metric_label, number, signed
from evalkit.run_folder import SampleRecord
from evalkit.stats import sample_correct

MAX_SAMPLES_SHOWN = 200  # per task; the page stays small enough to open on any machine
SAMPLE_COLUMNS = ("sample", "error", "answer", "extracted", "reference", "stats", "prompt")
MAX_TEXT = 2000  # characters of a prompt or answer before it is cut

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#1d2330;
padding:0 16px}h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #dde;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6d9e0;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f1f3f7}td:first-child,th:first-child{text-align:left}.ours td{background:#eef5ff;font-weight:600}
.in{color:#11763a}.out{color:#b3261e;font-weight:600}.muted{color:#6b7280}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #e3e6ec;border-radius:6px;padding:8px}
.chart h3{font-size:14px;margin:0 0 4px}details{margin:6px 0}summary{cursor:pointer;font-weight:600}
.samples td,.samples th{text-align:left;max-width:380px;white-space:pre-wrap;word-break:break-word;font-size:12.5px}
code{font-size:12.5px}
"""


def render_html(report: RunReport) -> str:
    title = escape(f"Evaluation report: {report.title}")
    body = [f"<h1>{title}</h1>", _summary(report), "<h2>Ours vs published</h2>", _charts(report)]
    body += [_layout(report, layout) for layout in report.layouts]
    body += ["<h2>Failures and wrong answers</h2>", _samples(report)]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _verdict_cell(row: TaskRow) -> str:
    if row.verdict is None:
        return "<td class='muted'>—</td>"
    return "<td class='in'>inside</td>" if row.verdict == INSIDE else "<td class='out'>outside</td>"


def _summary(report: RunReport) -> str:
    baselines = baseline_models(report)
    heads = ["Task", "Metric", "Ours", "CI", "strict", "n", "failed", "excluded", "Qwen3-Omni (paper)", "Δ",
             "Paper in CI", *baselines]  # fmt: skip
    lines = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in heads) + "</tr>"]
    for row in report.rows:
        cells = [row.label, metric_label(row.score.metric, row.score.lower_is_better), number(row.score.value),
                 interval_text(row.interval), number(row.score.strict_value), str(row.score.n),
                 str(row.score.n_failed), str(row.score.n_excluded), number(row.qwen_value),
                 signed(row.delta)]  # fmt: skip
        tail = "".join(f"<td>{number(row.baselines.get(m))}</td>" for m in baselines)
        lines.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + _verdict_cell(row) + tail + "</tr>")
    return "\n".join(lines) + "</table>"


def _charts(report: RunReport) -> str:
    # a task not scored has no bar
    charts = (_chart(report, row, row.score.value) for row in report.rows if row.score.value is not None)
    return "<div class='charts'>" + "".join(charts) + "</div>"


def _chart(report: RunReport, row: TaskRow, ours: float) -> str:
    """Horizontal bars: ours (the row's value) with its interval as a whisker, then each published number of the
    same column."""
    bars: list[tuple[str, float, str]] = [(f"ours: {report.run.model_name}", ours, "#2f6fde")]
    if row.qwen_value is not None and row.qwen_model:
        bars.append((row.qwen_model, row.qwen_value, "#8a93a6"))
    bars += [(model, value, "#c3c8d4") for model, value in row.baselines.items()]
    top = max([v for _, v, _ in bars] + ([row.interval.high] if row.interval else []) + [1e-9]) * 1.1
    label_w, plot_w, bar_h, gap = 210, 230, 16, 8
    height = len(bars) * (bar_h + gap) + 10

    def x(value: float) -> float:
        return label_w + plot_w * max(value, 0.0) / top

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_w + plot_w + 60}' height='{height}' role='img'>"]
    for i, (name, value, colour) in enumerate(bars):
        y = 5 + i * (bar_h + gap)
        parts.append(
            f"<text x='{label_w - 6}' y='{y + 12}' text-anchor='end' font-size='11'>{escape(name[:34])}</text>"
        )
        parts.append(f"<rect x='{label_w}' y='{y}' width='{x(value) - label_w:.1f}' height='{bar_h}' fill='{colour}'/>")
        label_x = x(max(value, row.interval.high)) if i == 0 and row.interval is not None else x(value)
        parts.append(f"<text x='{label_x + 5:.1f}' y='{y + 12}' font-size='11'>{value:.2f}</text>")
        if i == 0 and row.interval is not None:
            lo, hi, mid = x(row.interval.low), x(row.interval.high), y + bar_h / 2
            parts.append(f"<path d='M{lo:.1f} {mid}H{hi:.1f}M{lo:.1f} {y + 3}V{y + bar_h - 3}M{hi:.1f} {y + 3}"
                         f"V{y + bar_h - 3}' stroke='#0b1f44' stroke-width='1.5'/>")  # fmt: skip
    parts.append("</svg>")
    caption = f"{row.task} · {metric_label(row.score.metric, row.score.lower_is_better)}"
    return f"<div class='chart'><h3>{escape(caption)}</h3>{''.join(parts)}</div>"


def _layout(report: RunReport, layout: PaperLayout) -> str:
    heads = ["Model", *(f"{c.label} ({metric_label(c.metric, c.lower_is_better)})" for c in layout.columns)]
    lines = [f"<h2>Paper table: {escape(layout.table.name)}</h2><table><tr>"
             + "".join(f"<th>{escape(h)}</th>" for h in heads) + "</tr>"]  # fmt: skip
    for model in layout.table.models:
        cells = "".join(f"<td>{number(layout.table.value(model, c))}</td>" for c in layout.columns)
        lines.append(f"<tr><td>{escape(model)}</td>{cells}</tr>")
    ours = "".join(
        f"<td>{number(layout.ours[c].score.value)} "
        f"<span class='muted'>{interval_text(layout.ours[c].interval)}</span></td>"
        for c in layout.columns
    )
    lines.append(f"<tr class='ours'><td>ours: {escape(report.run.model_name)}</td>{ours}</tr>")
    verdicts = "".join(_verdict_cell(layout.ours[c]) for c in layout.columns)
    lines.append(f"<tr><td>paper Qwen3-Omni in our CI</td>{verdicts}</tr>")
    return "\n".join(lines) + "</table>"


def problem_records(records: list[SampleRecord]) -> list[SampleRecord]:
    """Failed samples first, then wrong answers; for error-rate tasks, the samples with the most errors."""
    failed = [r for r in records if r.failed]
    wrong = [r for r in records if not r.failed and sample_correct(r.to_sample_score()) is False]
    with_errors = sorted(
        (r for r in records if not r.failed and sample_correct(r.to_sample_score()) is None and r.stats.get("errors")),
        key=lambda r: -r.stats["errors"],
    )
    return failed + wrong + with_errors


def _samples(report: RunReport) -> str:
    if not report.run.has_samples:
        return "<p class='muted'>samples.jsonl is absent: no per-sample view.</p>"
    blocks = []
    for row in report.rows:
        problems = problem_records(report.run.records(row.task))
        shown = problems[:MAX_SAMPLES_SHOWN]
        note = f" (first {len(shown)} shown)" if len(shown) < len(problems) else ""
        summary = f"{row.task}: {row.score.n_failed} failed, {len(problems)} to look at{note}"
        rows = "".join(_sample_row(r) for r in shown)
        heads = "<tr>" + "".join(f"<th>{head}</th>" for head in SAMPLE_COLUMNS) + "</tr>"
        blocks.append(
            f"<details><summary>{escape(summary)}</summary><table class='samples'>{heads}{rows}</table></details>"
        )
    return "\n".join(blocks)


def _sample_row(record: SampleRecord) -> str:
    answer = record.answer if record.answer is not None else (record.response or {}).get("text")
    stats = " ".join(f"{k}={v:g}" for k, v in sorted(record.stats.items()))
    cells = [record.sample_id, record.error or "", _cut(answer), _cut(record.extracted),
             _cut(_as_text(record.reference)), stats]  # fmt: skip
    prompt = f"<details><summary>prompt</summary>{escape(_cut(record.prompt))}</details>"
    return "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + f"<td>{prompt}</td></tr>"


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _cut(text: str | None) -> str:
    if text is None:
        return ""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + f" … ({len(text) - MAX_TEXT} more characters)"
