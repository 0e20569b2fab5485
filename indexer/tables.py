"""Tables in an article: which lines are rows, their cells, and each row's caption and header.

Readers give a table row as one line with its cells joined by a tab (PDF ruled tables, DOCX and
HTML tables, the text conversions); a text file may align its cells with runs of spaces instead,
and a Markdown conversion prints pipes. Two steps:

    body lines  → table_row_lines: each row's cells cleaned one by one and joined by a tab (the
                  line cleaning that squeezes spaces next to CJK would merge them), blank cells kept
    paragraphs  → with_table_structure: a run of rows is caption (the short line above it, when
                  there is one) + header row + body rows; every row gets a TableRow
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol, TypeVar

from .models import TableRow
from .text import clean_line, ends_sentence, has_punctuation

TAB = "\t"
# A gap between space-aligned cells: two spaces or more, or a full-width space.
SPACE_GAP_RE = re.compile(r"[ \u3000]*\u3000[ \u3000]*| {2,}")
MIN_ALIGNED_CELLS = 3  # fewer cells than this on runs of spaces: a signature, a name list, not a table
MAX_ALIGNED_CELL_CHARS = 30  # a longer run between gaps is prose
PROSE_MARKS = "，。；！？"  # a run between gaps holding one is a clause of a sentence, not a cell
MAX_CAPTION_CHARS = 40
INDEX_TEXT_SEPARATOR = "｜"  # between caption and "header value" pairs in a row's index text
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


# ---- rows in the line stream ---------------------------------------------------------------


def _tab_cells(line: str) -> list[str]:
    return _ZERO_WIDTH_RE.sub("", line).rstrip("\r\n").split(TAB)


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _tab_rows(lines: list[str]) -> set[int]:
    """Lines that are tab-separated rows: two filled cells or more, and the rows next to them
    with one filled cell (a row under a merged cell: "\\t农村每人每年3600元"). A lone line with
    a leading tab and one cell is indentation."""
    strong = {i for i, s in enumerate(lines) if TAB in s and _filled(_tab_cells(s)) >= 2}
    rows = set(strong)
    for start in sorted(strong):
        for step in (-1, 1):
            j = start + step
            while 0 <= j < len(lines) and j not in rows and TAB in lines[j] and _filled(_tab_cells(lines[j])) >= 1:
                rows.add(j)
                j += step
    return rows


def _aligned_cells(line: str) -> list[str] | None:
    """The cells of a line whose cells are set apart by runs of spaces, or None when it reads as prose."""
    s = _ZERO_WIDTH_RE.sub("", line).strip(" \u3000\t\r\n")
    if TAB in s or s.startswith("|"):
        return None
    cells = SPACE_GAP_RE.split(s)
    if len(cells) < MIN_ALIGNED_CELLS:
        return None
    if any(len(c) > MAX_ALIGNED_CELL_CHARS or any(ch in c for ch in PROSE_MARKS) or ends_sentence(c) for c in cells):
        return None
    return cells


def _aligned_rows(lines: list[str]) -> dict[int, list[str]]:
    """Runs of two lines or more that split into the same number (≥3) of short cells on space gaps."""
    out: dict[int, list[str]] = {}
    i = 0
    while i < len(lines):
        first = _aligned_cells(lines[i])
        j = i + 1
        if first is not None:
            while j < len(lines) and (c := _aligned_cells(lines[j])) is not None and len(c) == len(first):
                j += 1
            if j - i >= 2:
                out.update({k: _aligned_cells(lines[k]) for k in range(i, j)})
                i = j
                continue
        i += 1
    return out


def clean_cells(cells: list[str]) -> str:
    """A row's cells cleaned one at a time and joined by a tab; blank cells stay."""
    return TAB.join(clean_line(c) for c in cells)


def table_row_lines(lines: list[str]) -> dict[int, str]:
    """Line index → the row as cells joined by a tab, for every line of the body that is a table row
    (tab-separated, or space-aligned); other lines are left to ordinary line cleaning."""
    out = {i: clean_cells(_tab_cells(lines[i])) for i in _tab_rows(lines)}
    for i, cells in _aligned_rows(lines).items():
        out.setdefault(i, clean_cells(cells))
    return {i: s for i, s in out.items() if s.strip()}


def is_table_row(s: str) -> bool:
    """A row after line cleaning: only rows keep a tab; a Markdown row is "| a | b |"."""
    return (TAB in s and bool(s.strip())) or (s.startswith("|") and s.count("|") >= 3)


def table_cells(s: str) -> tuple[str, ...]:
    if TAB not in s and s.startswith("|"):
        return tuple(c.strip() for c in s.strip().strip("|").split("|"))
    return tuple(c.strip() for c in s.split(TAB))


# ---- structure over paragraphs -------------------------------------------------------------


class _Para(Protocol):
    text: str
    kind: str


P = TypeVar("P", bound=_Para)


def is_caption(p: _Para) -> bool:
    """A short plain line right above a table's header: "“十四五”时期聊城市经济社会发展主要指标"."""
    t = p.text.strip()
    return p.kind == "text" and 0 < len(t) <= MAX_CAPTION_CHARS and not has_punctuation(t) and not ends_sentence(t)


def _inherited(cells: tuple[str, ...], above: tuple[str, ...]) -> tuple[str, ...]:
    """For the blank leading cells of a row (a merged cell printed once above), the value above."""
    out = [""] * len(cells)
    for k, cell in enumerate(cells[:-1]):
        if cell:
            break
        out[k] = above[k] if k < len(above) else ""
    return tuple(out) if any(out) else ()


def with_table_structure(paras: list[P]) -> list[P]:
    """Each run of two rows or more as a table: the header row (kind table_header), its caption
    (table_caption) and the body rows (table_row), each row with its TableRow. A lone row keeps
    kind table_row and no structure. The paragraphs must carry `kind`, `text` and `table`."""
    out = list(paras)
    i = 0
    while i < len(out):
        if out[i].kind != "table_row":
            i += 1
            continue
        j = i
        while j < len(out) and out[j].kind == "table_row":
            j += 1
        if j - i >= 2:
            caption = None
            if i > 0 and is_caption(out[i - 1]):
                caption = out[i - 1].text.strip()
                out[i - 1] = replace(out[i - 1], kind="table_caption")
            header = table_cells(out[i].text)
            out[i] = replace(out[i], kind="table_header", table=TableRow(caption, header, header))
            above: tuple[str, ...] = ()
            for k in range(i + 1, j):
                cells = table_cells(out[k].text)
                inherited = _inherited(cells, above)
                out[k] = replace(out[k], table=TableRow(caption, header, cells, inherited))
                above = tuple(c or (inherited[n] if n < len(inherited) else "") for n, c in enumerate(cells))
        i = j
    return out


def row_index_text(row: TableRow) -> str:
    """What retrieval indexes for a body row: "caption｜类别 民生福祉｜指标 基本养老保险参保人数(万人)｜…"
    (the header name before each filled cell, inherited cells included)."""
    parts = [row.caption] if row.caption else []
    parts += [f"{name} {value}" if name and name != value else value for name, value in row.labelled_cells()]
    return INDEX_TEXT_SEPARATOR.join(parts)
