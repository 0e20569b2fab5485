"""Logical paragraphs of an article body: hard line breaks joined, headings tracked as a path.

Input: the cleaned body lines of one article (header lines already taken off); a table row is
its cells joined by a tab (indexer.tables).
Output: RawParagraphs (heading_path, text, kind; a table row's structure, a 大事记 item's day) in
reading order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .articles import ISSUER_RE
from .chronicle import day_heading, is_day_heading, title_month
from .models import TableRow
from .tables import is_table_row, table_cells, with_table_structure
from .numerals import HEADING_NUMERALS
from .text import ends_sentence, has_punctuation, is_date_line, strip_spaces

# (level, pattern) — a lower level is a larger unit. 篇 > 章 > 节 > 条; 一、 > （一） > 1. > （1）
MARKERS: list[tuple[int, re.Pattern]] = [
    (1, re.compile(rf"^第[{HEADING_NUMERALS}]+篇")),
    (2, re.compile(rf"^第[{HEADING_NUMERALS}]+章")),
    (3, re.compile(rf"^第[{HEADING_NUMERALS}]+节")),
    (4, re.compile(rf"^第[{HEADING_NUMERALS}]+条")),
    (5, re.compile(rf"^[{HEADING_NUMERALS}]+、")),
    (6, re.compile(rf"^[（(][{HEADING_NUMERALS}]+[)）]")),
    (7, re.compile(r"^\d{1,2}\s*[.．、](?!\d{1,2}[.．、])")),
    (8, re.compile(r"^[（(]\d{1,2}[)）]")),
]
BOX_RE = re.compile(r"^专栏\s*\d+")
ANNEX_RE = re.compile(r"^附件\s*\d*\s*[：:]?")
EMBEDDED_SUFFIXES = ("办法", "方案", "措施", "制度", "纲要", "规划", "章程", "细则", "规定", "计划", "意见", "规则", "标准", "清单", "指标体系")
TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{2,}")


@dataclass(frozen=True)
class RawParagraph:
    heading_path: tuple[str, ...]
    text: str
    kind: str
    table: TableRow | None = None
    day: str | None = None  # 大事记: ISO date of the day it is listed under
    day_end: str | None = None  # the last day of a range heading


def marker_level(s: str) -> int | None:
    for level, rx in MARKERS:
        if rx.match(s):
            return level
    if BOX_RE.match(s):
        return 5
    return None


def is_heading_line(s: str) -> bool:
    """A structural marker followed by a short title and no punctuation: "一、工作目标", "第一章 总则"."""
    level = marker_level(s)
    if level is None or level == 4:  # 第X条 always carries its text
        return False
    rest = re.sub(r"^(第[^篇章节]+[篇章节]|[^、）)．.]+[、）)．.]|专栏\s*\d+[：:]?)", "", s, count=1)
    return len(rest) <= 30 and not any(ch in "，。；：、！？,;:" for ch in rest)


def is_embedded_title(s: str) -> bool:
    """A standalone title of a document carried inside a notice (…办法, …方案, …纲要)."""
    t = strip_spaces(s)
    return (
        4 <= len(t) <= 60
        and not has_punctuation(t)
        and not ends_sentence(t)
        and t.endswith(EMBEDDED_SUFFIXES)
        and marker_level(t) is None
    )


def _is_standalone(s: str) -> bool:
    """Lines never joined to a neighbour: dates, signatures, headings without punctuation, table rows."""
    if is_date_line(s) or is_table_row(s) or ISSUER_RE.match(s) or s.startswith("市长"):
        return True
    if is_embedded_title(s):
        return True
    if s.startswith("——") and not has_punctuation(s):  # a report's "——date 在…会议上" line
        return True
    if len(s) <= 15 and not has_punctuation(s) and re.search(r"(市长|主任|书记|主席)", s):  # a speaker line
        return True
    return is_heading_line(s)


def _starts_unit(s: str, chronicle: bool) -> bool:
    if marker_level(s) is not None or ANNEX_RE.match(s) or s.startswith(("△", "——")):
        return True
    return chronicle and is_day_heading(s)


# A heading-like item line at least this long, among sentence items, is a cut sentence; shorter
# labels ("一、总体要求") stay headings whatever their neighbours are.
MIN_CUT_ITEM_CHARS = 12


def _nearest_siblings(lines: list[str], i: int, level: int) -> list[str]:
    """The previous and next lines of the same marker level as line i, within its parent unit."""
    out: list[str] = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines):
            lv = marker_level(lines[j])
            if lv is not None and lv < level:
                break
            if lv == level:
                out.append(lines[j])
                break
            j += step
    return out


def broken_item_lines(lines: list[str], chronicle: bool = False) -> set[int]:
    """Indexes of numbered lines that look like headings but are list items cut by a line break.

    "二、全市城市特困人员基本生活标准提高" ∥ "到每人每月660元，…": short and unpunctuated like a
    heading, yet its neighbouring items ("一、…提高到每人每月…元。") are sentences, and the next
    line continues it. Headings come in lists of headings.
    """
    broken: set[int] = set()
    for i, s in enumerate(lines[:-1]):
        level = marker_level(s)
        if level is None or not is_heading_line(s) or ends_sentence(s) or len(strip_spaces(s)) < MIN_CUT_ITEM_CHARS:
            continue
        nxt = lines[i + 1]
        if _is_standalone(nxt) or _starts_unit(nxt, chronicle):
            continue
        siblings = _nearest_siblings(lines, i, level)
        if siblings and not any(is_heading_line(x) for x in siblings):
            broken.add(i)
    return broken


def join_lines(lines: list[str], chronicle: bool = False) -> list[str]:
    """Join hard line breaks: a line continues when it ends mid-sentence and the next is no new unit."""
    # a table row keeps its blank leading and trailing cells: only rows hold a tab
    kept = [raw if is_table_row(raw) else raw.strip() for raw in lines if raw.strip() and not TABLE_SEP_RE.match(raw.strip())]
    broken = broken_item_lines(kept, chronicle)
    out: list[str] = []
    open_ = False
    for i, s in enumerate(kept):
        if out and open_ and not _is_standalone(s) and not _starts_unit(s, chronicle):
            out[-1] += s
        else:
            out.append(s)
        standalone = _is_standalone(out[-1]) and not (i in broken and out[-1] == s)
        standalone = standalone or (chronicle and out[-1] == s and _is_day_line(s))
        open_ = not ends_sentence(out[-1]) and not standalone
    return out


def _is_day_line(s: str) -> bool:
    """A 大事记 day heading alone on its line ("7日", "4月7日"): the day's items follow on their own lines."""
    m = day_heading(s, (2000, 1))  # any month: only the shape is asked
    return m is not None and m.standalone


def _heading_label(s: str, level: int) -> str:
    """The label a paragraph contributes to the heading path: the marker and its short title."""
    if level == 4:  # 第X条 is a unit with its text on the same line: the path takes the number only
        return re.match(rf"^第[{HEADING_NUMERALS}]+条", s)[0]
    head = re.split(r"[。：:；]", s, maxsplit=1)[0]
    return head if len(head) <= 30 else head[:30] + "…"


def _drop_near_duplicates(paras: list[str]) -> list[str]:
    """The conversion sometimes repeats the end of a paragraph as a paragraph of its own."""
    out: list[str] = []
    for p in paras:
        if len(p) >= 12 and ends_sentence(p) and any(p in q for q in out[-3:]):
            continue
        out.append(p)
    return out


def _kind(s: str, chronicle: bool) -> str:
    if is_table_row(s):
        return "table_row"
    if is_date_line(s) or ISSUER_RE.match(s) or s.startswith("市长："):
        return "signature"
    if chronicle:
        return "chronicle"
    level = marker_level(s)
    if is_heading_line(s) or is_embedded_title(s):
        return "heading"
    return "list_item" if level is not None and level >= 5 else "text"


def build_paragraphs(lines: list[str], root: str, chronicle: bool = False) -> list[RawParagraph]:
    """Paragraphs with heading paths. `root` heads every path (the article title); a 大事记's
    title names the month its day headings are in."""
    texts = _drop_near_duplicates(join_lines(lines, chronicle))
    out: list[RawParagraph] = []
    stack: list[tuple[int, str]] = []  # (level, label)
    base = (root,)
    month = title_month(root) if chronicle else None
    day = None  # the chronicle.DayHeading the items are under
    table_header: str | None = None
    for s in texts:
        kind = _kind(s, chronicle)
        if chronicle and kind == "signature" and (heading := day_heading(s, month)) and heading.first[:7] == _month_iso(month):
            kind = "chronicle"  # a date line of the chronicle's own month heads a day; another one signs
        if kind == "table_row":
            cells = table_cells(s)
            if table_header is None:
                table_header = s
            elif table_cells(table_header) == cells:
                continue  # the header row repeated on every printed page
        else:
            table_header = None
        if kind == "heading" and is_embedded_title(s) and marker_level(s) is None:
            base, stack = (root, strip_spaces(s)) if strip_spaces(s) != root else (root,), []
            out.append(RawParagraph(base, s, kind))
            continue
        if chronicle:
            heading = day_heading(s, month) if kind != "signature" else None
            if heading:
                day = heading
            path = base + ((day.label,) if day else ())
            if kind == "signature":
                out.append(RawParagraph(path, s, kind))
            else:
                out.append(RawParagraph(path, s, "chronicle", day=day.first if day else None, day_end=day.last if day else None))
            continue
        level = marker_level(s)
        if ANNEX_RE.match(s) and not has_punctuation(s.split("：", 1)[-1] if "：" in s else ""):
            stack = [(0, ANNEX_RE.match(s)[0].rstrip("：:") or "附件")]
        elif level is not None and kind not in ("signature", "table_row"):  # a row's "一、…" cell heads no section
            stack = [(lv, lab) for lv, lab in stack if lv < level]
            stack.append((level, _heading_label(s, level)))
        out.append(RawParagraph(base + tuple(lab for _, lab in stack), s, kind))
    return with_table_structure(out)


def _month_iso(month: tuple[int, int] | None) -> str | None:
    return f"{month[0]:04d}-{month[1]:02d}" if month else None
