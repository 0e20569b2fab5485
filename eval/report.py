"""Write a benchmark Report as report.json, report.md and a self-contained report.html.

The HTML has inline CSS and inline SVG charts drawn here; no scripts, no external resources.
Every piece of text that goes into HTML or SVG passes through `esc`.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from eval import metrics as M
from eval.dataset import Question
from eval.results import QuestionResult, Report

MISS_K = 5  # "gold … not in top 5", the default number of passages an answer is built from

# (metric key, column label, format): ratio → 0.000, ms → 0.0, count → integer
Column = tuple[str, str, str]
RETRIEVAL_COLUMNS: list[Column] = [
    ("recall@1", "R@1", "ratio"),
    ("recall@3", "R@3", "ratio"),
    ("recall@5", "R@5", "ratio"),
    ("recall@10", "R@10", "ratio"),
    ("mrr", "MRR", "ratio"),
    ("evidence@5", "Ev@5", "ratio"),
    ("evidence@10", "Ev@10", "ratio"),
]
ANSWER_COLUMNS: list[Column] = [
    ("answered", "answered", "count"),
    ("citation_precision", "Cite P", "ratio"),
    ("citation_recall", "Cite R", "ratio"),
    ("quote_faithfulness", "Quote faith", "ratio"),
    ("fact_recall", "Fact R", "ratio"),
    ("cited_gold", "cited right doc", "ratio"),
    ("first_cited_gold", "first cite right", "ratio"),
    ("quote_evidence", "quotes hold ev", "ratio"),
    ("first_quote_evidence", "first quote ev", "ratio"),
    ("answer_facts", "answer figures", "ratio"),
    ("refused_answerable", "refused answerable", "count"),
    ("answered_unanswerable", "answered unanswerable", "count"),
    ("refusal_precision", "Refuse P", "ratio"),
    ("refusal_recall", "Refuse R", "ratio"),
    ("refusal_f1", "Refuse F1", "ratio"),
]
LATENCY_COLUMNS: list[Column] = [
    ("ask_p50_ms", "ask p50 ms", "ms"),
    ("ask_p95_ms", "ask p95 ms", "ms"),
    ("search_p50_ms", "search p50 ms", "ms"),
    ("search_p95_ms", "search p95 ms", "ms"),
]
GENERATION_COLUMNS: list[Column] = [
    ("shown_figures_ok", "shown figures in quotes", "ratio"),
    ("unsourced_figure_answers", "answers w/ unsourced figure", "count"),
    ("first_token_p50_ms", "first token p50 ms", "ms"),
    ("first_token_p95_ms", "first token p95 ms", "ms"),
    ("generated", "generated", "count"),
    ("check_pass", "check pass", "ratio"),
    ("gen_figures_ok", "gen sentences: figures in quotes", "ratio"),
    ("generated_shown", "generated shown", "count"),
    ("fallbacks", "fallbacks", "count"),
    ("llm_errors", "LLM errors", "count"),
]
ERROR_COLUMNS: list[Column] = [("search_errors", "search err", "count"), ("ask_errors", "ask err", "count")]
OVERALL_COLUMNS: list[Column] = (
    [("questions", "n", "count")] + RETRIEVAL_COLUMNS + ANSWER_COLUMNS + LATENCY_COLUMNS + GENERATION_COLUMNS
    + ERROR_COLUMNS
)
KIND_COLUMNS: list[Column] = [("questions", "n", "count")] + RETRIEVAL_COLUMNS + ANSWER_COLUMNS
LOWER_IS_BETTER = {"ask_p50_ms", "ask_p95_ms", "search_p50_ms", "search_p95_ms", "first_token_p50_ms",
                   "first_token_p95_ms", "unsourced_figure_answers", "fallbacks", "llm_errors"}

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948"]


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def format_value(value, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "ratio":
        return f"{value:.3f}"
    if fmt == "ms":
        return f"{value:.1f}"
    return str(int(value))


# ---------------------------------------------------------------- misses

def describe_failures(q: Question, r: QuestionResult, k: int = MISS_K) -> list[str]:
    """What went wrong for one question in one system, one phrase per problem."""
    out = []
    if r.search.error:
        out.append(f"search failed: {r.search.error}")
    if r.ask.error:
        out.append(f"ask failed: {r.ask.error}")
    out += _retrieval_failures(q, r, k)
    out += _answer_failures(q, r)
    return out


def _retrieval_failures(q: Question, r: QuestionResult, k: int) -> list[str]:
    out = []
    if r.gold_ranks is not None:
        missing = [_gold_miss(g, rank, k) for g, rank in zip(q.gold_docnums, r.gold_ranks)
                   if rank is None or rank > k]
        if missing:
            got = ", ".join(d.label for d in r.documents[:k]) or "nothing"
            out.append(f"{'; '.join(missing)}; got {got}")
    if r.evidence_ranks is not None:
        lost = [_snippet(e) for e, rank in zip(q.evidence, r.evidence_ranks) if rank is None or rank > k]
        if lost:
            out.append(f"evidence not retrieved in top {k} chunks: " + ", ".join(lost))
    return out


def _gold_miss(gold: str, rank: int | None, k: int) -> str:
    where = f" (document rank {rank})" if rank else ""
    return f"gold {gold} not in top {k}{where}"


def _answer_failures(q: Question, r: QuestionResult) -> list[str]:
    if r.ask.error:
        return []
    out = []
    cited = M.distinct_documents(r.ask.citations)
    if q.answerable and not r.ask.answered:
        out.append("refused an answerable question")
    if not q.answerable and r.ask.answered:
        out.append("answered an unanswerable one; cited " + (_labels(cited) or "nothing"))
    if r.citation_precision is not None and r.citation_precision < 1:
        wrong = [d for d in cited if not M.matches_gold(d, q.gold_docnums)]
        out.append("cited non-gold " + _labels(wrong) if wrong else "cited nothing")
    if r.citation_recall is not None and r.citation_recall < 1:
        uncited = [g for g in q.gold_docnums if not any(M.matches_gold(d, [g]) for d in cited)]
        out.append("gold not cited: " + ", ".join(uncited))
    for c, ok in zip(r.ask.citations, r.quotes_verbatim):
        if not ok:
            out.append(f"quote [{c.n}] not verbatim in {c.docnum or c.title}: {_snippet(c.quote)}")
    lacking = [f for f, ok in zip(r.facts, r.facts_found) if not ok]
    if lacking:
        out.append("answer lacks " + ", ".join(lacking))
    return out


def _labels(docs: Sequence[M.DocRef]) -> str:
    return ", ".join(d.label for d in docs)


def _snippet(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return f"«{text[:n]}…»" if len(text) > n else f"«{text}»"


def misses(report: Report) -> list[dict]:
    """One row per (system, question) with at least one failure, systems in report order."""
    rows = []
    by_id = {q.id: q for q in report.questions}
    for system in report.systems:
        for r in report.results[system]:
            q = by_id[r.question_id]
            failures = describe_failures(q, r)
            if failures:
                rows.append({"system": system, "id": q.id, "kind": q.kind,
                             "question": q.question, "failures": failures})
    return rows


# ---------------------------------------------------------------- JSON

def report_json(report: Report) -> dict:
    """Everything: settings, metrics overall and per kind, misses, questions, per-question results."""
    return {
        "meta": report.meta,
        "systems": report.systems,
        "notes": report.notes,
        "dataset_errors": report.dataset_errors,
        "metric_definitions": M.METRIC_DEFINITIONS,
        "overall": report.overall,
        "by_kind": report.by_kind,
        "misses": misses(report),
        "questions": [asdict(q) for q in report.questions],
        "results": {s: [result_json(r) for r in rs] for s, rs in report.results.items()},
    }


def result_json(r: QuestionResult) -> dict:
    """A per-question result; chunk texts are left out (chunk_id names them)."""
    d = asdict(r)
    for chunk in d["search"]["chunks"]:
        chunk.pop("text", None)
    d["documents"] = [doc._asdict() for doc in r.documents]
    d["mrr"] = M.reciprocal_rank(r.gold_ranks) if r.gold_ranks is not None else None
    return d


# ---------------------------------------------------------------- Markdown

def render_markdown(report: Report) -> str:
    parts = ["# Benchmark report", "", *_meta_lines(report, md=True), ""]
    if report.notes:
        parts += ["## Notes", "", *[f"- {_md(n)}" for n in report.notes], ""]
    parts += ["## Overall", "", _md_table(*_overall_rows(report)), ""]
    for system in report.systems:
        parts += [f"## By kind — {_md(system)}", "", _md_table(*_kind_rows(report, system)), ""]
    parts += ["## Misses", ""]
    rows = misses(report)
    parts += [_md_table(*_miss_rows(rows, sep="; ")) if rows else "No misses.", ""]
    if report.dataset_errors:
        parts += ["## Malformed question lines", "", *[f"- {_md(e)}" for e in report.dataset_errors], ""]
    parts += ["## Metric definitions", ""]
    parts += [f"- **{_md(k)}** — {_md(v)}" for k, v in M.METRIC_DEFINITIONS.items()]
    return "\n".join(parts) + "\n"


def _md(text) -> str:
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", " "))


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _meta_lines(report: Report, md: bool) -> list[str]:
    m = report.meta
    items = [
        ("created", m.get("created")),
        ("run", m.get("backend")),
        ("questions file", m.get("questions_file")),
        ("questions", m.get("questions")),
        ("systems", ", ".join(report.systems)),
        ("retrieval depth", f"search k={m.get('search_k')}, misses judged at top {MISS_K}"),
        ("malformed lines skipped", len(report.dataset_errors)),
    ]
    items = [(k, v) for k, v in items if v is not None]
    return [f"- {k}: {_md(v)}" for k, v in items] if md else [f"{k}: {v}" for k, v in items]


def _table_rows(label: str, names: Sequence[str], metrics: dict, columns: Sequence[Column]):
    headers = [label] + [c[1] for c in columns]
    rows = [[n] + [format_value(metrics[n].get(key), fmt) for key, _, fmt in columns] for n in names]
    return headers, rows


def _overall_rows(report: Report):
    return _table_rows("system", report.systems, report.overall, OVERALL_COLUMNS)


def _kind_rows(report: Report, system: str):
    kinds = report.by_kind[system]
    return _table_rows("kind", list(kinds), kinds, KIND_COLUMNS)


def _miss_rows(rows: Sequence[dict], sep: str):
    headers = ["system", "id", "kind", "question", "what failed"]
    return headers, [[r["system"], r["id"], r["kind"], r["question"], sep.join(r["failures"])] for r in rows]


def overall_text_table(report: Report) -> str:
    """The overall metrics for a terminal: one row per metric, one column per system."""
    headers = ["metric"] + report.systems
    rows = [[label] + [format_value(report.overall[s].get(key), fmt) for s in report.systems]
            for key, label, fmt in OVERALL_COLUMNS]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i else str(c).ljust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def side_by_side_table(reports: dict[str, Report]) -> str:
    """Several question files' overall metrics in one table: a column per (file, system)."""
    columns = [(name, r, s) for name, r in reports.items() for s in r.systems]
    headers = ["metric"] + [f"{name}:{s}" for name, _, s in columns]
    rows = [[label] + [format_value(r.overall[s].get(key), fmt) for _, r, s in columns]
            for key, label, fmt in OVERALL_COLUMNS]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i else str(c).ljust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


# ---------------------------------------------------------------- SVG charts

def nice_ticks(max_value: float, target: int = 5) -> list[float]:
    """Round tick values from 0 to at least max_value, about `target` steps."""
    if not max_value or max_value <= 0 or math.isnan(max_value):
        max_value = 1.0
    raw = max_value / target
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [round(i * step, 10) for i in range(math.ceil(max_value / step - 1e-9) + 1)]


def grouped_bar_svg(title: str, groups: Sequence[str], series: dict[str, Sequence[float | None]],
                    width: int = 580, height: int = 300) -> str:
    """Bars of values in [0, 1]: one group per metric, one bar per system."""
    left, right, top, bottom = 44, 12, 52, 32
    pw, ph = width - left - right, height - top - bottom
    gw = pw / max(len(groups), 1)
    bw = gw * 0.8 / max(len(series), 1)
    y = lambda v: top + ph * (1 - v)  # noqa: E731
    out = [_svg_open(width, height, title), _svg_text(left, 18, title, cls="title")]
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{width - right}" y2="{y(t):.1f}" class="grid"/>')
        out.append(_svg_text(left - 6, y(t) + 4, f"{t:g}", anchor="end"))
    for gi, group in enumerate(groups):
        x0 = left + gi * gw + gw * 0.1
        for si, (name, values) in enumerate(series.items()):
            out.append(_bar(x0 + si * bw, bw, values[gi], y, name, group, PALETTE[si % len(PALETTE)]))
        out.append(_svg_text(left + gi * gw + gw / 2, height - 10, group, anchor="middle"))
    out.append(_legend(list(series), left, 34))
    out.append("</svg>")
    return "\n".join(out)


def _bar(x: float, w: float, value: float | None, y, name: str, group: str, color: str) -> str:
    label = "n/a" if value is None else f"{value:.2f}"  # the tables carry 3 decimals
    if value is None:
        return _svg_text(x + w / 2, y(0) - 4, "n/a", anchor="middle", cls="small")
    h = max(y(0) - y(value), 0.5)
    return (f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{max(w - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{color}"><title>{esc(name)} {esc(group)}: {value:.3f}</title></rect>'
            + _svg_text(x + w / 2 - 1, y(value) - 3, label, anchor="middle", cls="small"))


def _legend(names: Sequence[str], x: float, y: float) -> str:
    out = []
    for i, name in enumerate(names):
        cx = x + i * 110
        out.append(f'<rect x="{cx}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(_svg_text(cx + 14, y, name))
    return "\n".join(out)


def box_plot_svg(title: str, data: dict[str, Sequence[float]], unit: str = "ms",
                 width: int = 580) -> str:
    """Horizontal box plots, one row per system: whiskers min–max, box quartiles, median, p95 mark."""
    left, right, top, bottom, row_h = 80, 190, 40, 34, 34
    height = top + row_h * max(len(data), 1) + bottom
    ticks = nice_ticks(max((max(v) for v in data.values() if v), default=1.0))
    pw = width - left - right
    x = lambda v: left + pw * v / ticks[-1]  # noqa: E731
    out = [_svg_open(width, height, title), _svg_text(left, 18, title, cls="title")]
    axis_y = top + row_h * max(len(data), 1)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{axis_y}" class="grid"/>')
        out.append(_svg_text(x(t), axis_y + 14, f"{t:g}", anchor="middle"))
    out.append(_svg_text(left + pw / 2, axis_y + 28, unit, anchor="middle", cls="small"))
    for i, (name, values) in enumerate(data.items()):
        cy = top + row_h * i + row_h / 2
        out.append(_svg_text(left - 8, cy + 4, name, anchor="end"))
        out.append(_box(values, x, cy, PALETTE[i % len(PALETTE)], width - right + 8, unit))
    out.append("</svg>")
    return "\n".join(out)


def _box(values: Sequence[float], x, cy: float, color: str, text_x: float, unit: str) -> str:
    if not values:
        return _svg_text(text_x, cy + 4, "no data", cls="small")
    lo, q1, med, q3, p95, hi = (M.percentile(values, p) for p in (0, 25, 50, 75, 95, 100))
    summary = f"p50 {med:.1f} · p95 {p95:.1f} {unit} (n={len(values)})"
    return "\n".join([
        f'<line x1="{x(lo):.1f}" y1="{cy}" x2="{x(hi):.1f}" y2="{cy}" stroke="#555"/>',
        f'<line x1="{x(lo):.1f}" y1="{cy - 6}" x2="{x(lo):.1f}" y2="{cy + 6}" stroke="#555"/>',
        f'<line x1="{x(hi):.1f}" y1="{cy - 6}" x2="{x(hi):.1f}" y2="{cy + 6}" stroke="#555"/>',
        f'<rect x="{x(q1):.1f}" y="{cy - 10}" width="{max(x(q3) - x(q1), 1):.1f}" height="20" '
        f'fill="{color}" fill-opacity="0.55" stroke="{color}"><title>{esc(summary)}</title></rect>',
        f'<line x1="{x(med):.1f}" y1="{cy - 10}" x2="{x(med):.1f}" y2="{cy + 10}" stroke="#111" stroke-width="2"/>',
        f'<path d="M{x(p95):.1f},{cy - 14} l-4,-6 h8 z" fill="#111"><title>p95 {p95:.1f} {esc(unit)}</title></path>',
        _svg_text(text_x, cy + 4, summary, cls="small"),
    ])


def _svg_open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">')


def _svg_text(x: float, y: float, text, anchor: str = "start", cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}>{esc(text)}</text>'


def charts_svg(report: Report) -> list[str]:
    """The report's charts: recall@k, evidence@k, answer quality, ask and search latency."""
    systems = report.systems
    ov = report.overall
    ks = M.RECALL_KS
    answer_keys = [("citation_precision", "Cite P"), ("citation_recall", "Cite R"),
                   ("quote_faithfulness", "Quote"), ("fact_recall", "Fact R"), ("refusal_f1", "Refuse F1")]
    return [
        grouped_bar_svg("Document recall@k", [f"R@{k}" for k in ks],
                        {s: [ov[s].get(f"recall@{k}") for k in ks] for s in systems}),
        grouped_bar_svg("Evidence recall@k", [f"Ev@{k}" for k in ks],
                        {s: [ov[s].get(f"evidence@{k}") for k in ks] for s in systems}),
        grouped_bar_svg("Answer quality", [label for _, label in answer_keys],
                        {s: [ov[s].get(key) for key, _ in answer_keys] for s in systems}),
        box_plot_svg("Ask latency", {s: _latencies(report, s, "ask") for s in systems}),
        box_plot_svg("Search latency", {s: _latencies(report, s, "search") for s in systems}),
    ]


def _latencies(report: Report, system: str, call: str) -> list[float]:
    return [getattr(r, call).ms for r in report.results[system] if getattr(r, call).ms is not None]


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top}th{background:#f4f4f4;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.best{font-weight:700;background:#eef6ee}
table.misses td:nth-child(4){min-width:14rem}table.misses ul{margin:0;padding-left:1.1rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts svg{border:1px solid #eee;background:#fff}
svg text{font-size:12px;fill:#333}svg text.title{font-size:14px;font-weight:600}svg text.small{font-size:10px}
svg .grid{stroke:#e5e5e5}ul.meta{color:#555}dl dt{font-weight:600}dl dd{margin:0 0 .5rem 1rem}
"""


def render_html(report: Report) -> str:
    body = ["<h1>Benchmark report</h1>", _html_list(_meta_lines(report, md=False), "meta")]
    if report.notes:
        body += ["<h2>Notes</h2>", _html_list(report.notes)]
    body += ["<h2>Overall</h2>", _html_overall(report)]
    body += ["<h2>Charts</h2>", '<div class="charts">', *charts_svg(report), "</div>"]
    for system in report.systems:
        body += [f"<h2>By kind — {esc(system)}</h2>", _html_table(*_kind_rows(report, system))]
    rows = misses(report)
    body += ["<h2>Misses</h2>", _html_misses(rows) if rows else "<p>No misses.</p>"]
    if report.dataset_errors:
        body += ["<h2>Malformed question lines</h2>", _html_list(report.dataset_errors)]
    body += ["<h2>Metric definitions</h2>", _html_definitions()]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>Benchmark report</title>\n<style>" + _CSS + "</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _html_list(items: Sequence[str], cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<ul{c}>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                best: Sequence[set[int]] | None = None) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(_html_cell(c, j, best[j] if best else set(), i) for j, c in enumerate(row)) + "</tr>"
        for i, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_cell(text: str, col: int, best_rows: set[int], row: int) -> str:
    classes = (["num"] if col else []) + (["best"] if row in best_rows else [])
    c = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{c}>{esc(text)}</td>"


def _html_overall(report: Report) -> str:
    headers, rows = _overall_rows(report)
    best = [set()] + [_best_rows(report, key, fmt) for key, _, fmt in OVERALL_COLUMNS]
    return _html_table(headers, rows, best)


def _best_rows(report: Report, key: str, fmt: str) -> set[int]:
    """Rows holding the best value of a metric column, when there is a comparison to make."""
    if fmt == "count" or len(report.systems) < 2:
        return set()
    values = [report.overall[s].get(key) for s in report.systems]
    defined = [v for v in values if v is not None]
    if not defined:
        return set()
    target = min(defined) if key in LOWER_IS_BETTER else max(defined)
    return {i for i, v in enumerate(values) if v == target}


def _html_misses(rows: Sequence[dict]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("system", "id", "kind", "question", "what failed"))
    body = "".join(
        f"<tr><td>{esc(r['system'])}</td><td>{esc(r['id'])}</td><td>{esc(r['kind'])}</td>"
        f"<td>{esc(r['question'])}</td><td>{_html_list(r['failures'])}</td></tr>"
        for r in rows
    )
    return f'<table class="misses"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _html_definitions() -> str:
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in M.METRIC_DEFINITIONS.items())
    return f"<dl>{items}</dl>"


# ---------------------------------------------------------------- files

def write_reports(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """report.json, report.md and report.html in out_dir (created); their paths by format."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
