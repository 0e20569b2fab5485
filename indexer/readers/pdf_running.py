"""Running headers, footers and page numbers: found by repetition, taken off the pages.

A line at the top or bottom edge of a page that repeats across the pages is furniture, not text of
the issue: the same text, or the same text with only a number changed (page numbers). Headers that
alternate between odd and even pages (the issue's name, the section) are counted per parity, and a
header that changes with the section is known by where it stands: where the repeated ones do.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from .pdf_model import MIN_TEXT_CHARS, Char, PageText

BAND = 0.2  # running headers and footers are looked for in this fraction of the page at top and bottom
BAND_ROWS = 3  # … among this many lines from the edge
REPEAT_SHARE = 0.4  # … and must repeat on this share of the pages with text (or 0.6 of the same parity)


def _row_key(row: list[Char]) -> str:
    """A header/footer line's identity: its text without spaces, every number as #."""
    return re.sub(r"\d+", "#", "".join(c.c for c in row))


def _edge_rows(pt: PageText) -> list[tuple[str, int]]:
    """(position, index) of the rows that may be a running header or footer, outermost first."""
    n = len(pt.rows)
    out = []
    for k in range(min(BAND_ROWS, n)):
        if max(c.bottom for c in pt.rows[k]) <= BAND * pt.height:
            out.append(("top", k))
    for k in range(n - 1, max(n - 1 - BAND_ROWS, -1), -1):
        if min(c.top for c in pt.rows[k]) >= (1 - BAND) * pt.height:
            out.append(("bottom", k))
    return out


@dataclass
class RunningLines:
    """What repeats at the page edges: texts (numbers as #) and where such lines stand."""

    keys: set[tuple[str, str]] = field(default_factory=set)  # (top|bottom, text)
    places: list[tuple[str, float, float]] = field(default_factory=list)  # (top|bottom, top y, size)

    def __contains__(self, row: tuple[str, list[Char]]) -> bool:
        pos, chars = row
        if (pos, _row_key(chars)) in self.keys:
            return True
        # a header that changes with the section ("市政府文件", "政务动态") stands where the others do
        top, size = min(c.top for c in chars), median(c.size for c in chars)
        return any(p == pos and abs(top - y) <= 1.5 and size <= s + 0.5 for p, y, s in self.places)


def running_lines(pages: list[PageText]) -> RunningLines:
    """The lines that repeat at the top or bottom of the pages (a running header, a footer, page numbers)."""
    found = RunningLines()
    texty = [p for p in pages if len(p.chars) >= MIN_TEXT_CHARS]
    if len(texty) < 2:
        return found
    seen: Counter = Counter()
    parity: Counter = Counter()
    for p in texty:
        keys = {(pos, _row_key(p.rows[k])) for pos, k in _edge_rows(p)}
        seen.update(keys)
        parity.update((p.number % 2, *key) for key in keys)
    n_parity = Counter(p.number % 2 for p in texty)
    for key, n in seen.items():
        if n >= 2 and n >= REPEAT_SHARE * len(texty):
            found.keys.add(key)
    for (par, *key), n in parity.items():  # headers that alternate between odd and even pages
        if n >= 3 and n >= 0.6 * n_parity[par]:
            found.keys.add(tuple(key))
    places: Counter = Counter()
    for p in texty:
        for pos, k in _edge_rows(p):
            row = p.rows[k]
            if (pos, _row_key(row)) in found.keys:
                places[(pos, round(min(c.top for c in row)), round(median(c.size for c in row), 1))] += 1
    # where a repeated line stands on most pages (not a page where a body line happens to repeat)
    found.places = [(pos, float(y), size) for (pos, y, size), n in places.items() if n >= 2 and n >= REPEAT_SHARE * len(texty)]
    return found


def drop_running_lines(pt: PageText, repeated: RunningLines) -> int:
    """Take the repeated edge rows off the page, outermost first, stopping at the first body line."""
    drop: set[int] = set()
    for side in ("top", "bottom"):
        for pos, k in _edge_rows(pt):
            if pos != side:
                continue
            if (pos, pt.rows[k]) not in repeated:
                break
            drop.add(k)
    if drop:
        gone = {id(c) for k in drop for c in pt.rows[k]}
        pt.chars = [c for c in pt.chars if id(c) not in gone]
        pt.rows = [r for k, r in enumerate(pt.rows) if k not in drop]
    return len(drop)
