"""The days of a 大事记 (chronicle month): each day heading dates the items under it.

A chronicle lists a month's events by day: "7日，…" (or "2-3日，", "18日-19日，", "4月7日，", a
heading line "7日" or a date line), then "△…" items of the same day. The year and month come from
the document's title, 聊城市人民政府大事记（2020年4月）; a heading that names its month wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .text import ARABIC_DATE_LINE_RE

_RANGE_DASH = "-—–－~至"
# A day heading at the start of an item or alone on its line; the separator after it is a comma
# or the end of the line.
DAY_HEADING_RE = re.compile(
    r"^(?P<label>(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日?"
    rf"(?:\s*[{_RANGE_DASH}]\s*(?:(?P<m2>\d{{1,2}})\s*月\s*)?(?P<d2>\d{{1,2}}))?\s*日)(?P<sep>[，,、]|\s*$)"
)
TITLE_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")


@dataclass(frozen=True)
class DayHeading:
    label: str  # as printed: "7日", "12—13日", "4月7日"
    first: str  # ISO date
    last: str | None  # ISO date of a range's last day; None for one day
    standalone: bool  # the heading is the whole line ("7日", a date line): items follow on their own lines


def title_month(title: str) -> tuple[int, int] | None:
    """(year, month) of a chronicle from its title: "聊城市人民政府大事记（2020年4月）" → (2020, 4)."""
    m = TITLE_MONTH_RE.search(title)
    return (int(m[1]), int(m[2])) if m else None


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:  # "31日" in a month of 30 days: a misprint, left undated
        return None


def day_heading(s: str, month: tuple[int, int] | None) -> DayHeading | None:
    """The day heading a chronicle paragraph starts with, dated in `month` unless it names its own
    month or year; None when it starts with none, or when its date cannot be told."""
    m = DAY_HEADING_RE.match(s)
    if not m:
        return None
    year = int(m["y"]) if m["y"] else (month[0] if month else None)
    mon = int(m["m"]) if m["m"] else (month[1] if month else None)
    if year is None or mon is None:
        return None
    first = _iso(year, mon, int(m["d"]))
    if first is None:
        return None
    last = _iso(year, int(m["m2"]) if m["m2"] else mon, int(m["d2"])) if m["d2"] else None
    standalone = not m["sep"].strip()
    if standalone and m["y"] and not ARABIC_DATE_LINE_RE.match(s):
        return None
    return DayHeading(m["label"].strip(), first, last, standalone)


def is_day_heading(s: str) -> bool:
    """Whether a line starts a chronicle day (its date aside)."""
    return bool(DAY_HEADING_RE.match(s))


def day_words(first: str, last: str | None = None) -> str:
    """A day as the text writes it, for indexing: "2020-04-14" → "2020年4月14日"; a range
    "2023年8月2日至3日"."""
    y, m, d = (int(x) for x in first.split("-"))
    out = f"{y}年{m}月{d}日"
    if last:
        y2, m2, d2 = (int(x) for x in last.split("-"))
        out += f"至{m2}月{d2}日" if m2 != m else f"至{d2}日"
    return out
