"""The front of a gazette issue: cover and masthead (issue number) and the table of contents.

The TOC is not content, but its page numbers tell which article a moved block (上接第Y页)
belongs to, so it is parsed into entries with page ranges.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import GazetteIssue
from .text import normalize_docnum, strip_spaces

_TOC_HEAD_RE = re.compile(r"^目\s*录$")
# an entry line ends with its page: "聊政字〔2020〕15号 12", "…… 23", "…号\t48"
_PAGE_TAIL_RE = re.compile(r"^(?P<body>.*?)(?:[\s\t]*[.…·．]{2,}[\s\t]*|[\s\t]+)(?P<page>\d{1,3})$")
_ISSUE_RE = re.compile(r"(\d{4})年?第([\d\-－—]+)期")
_TOTAL_RE = re.compile(r"总第([\d\-－—]+)期")
MASTHEAD_KEYS = ("主管主办", "编辑出版", "电话", "邮编", "地址", "E-mail", "刊号", "LIAOCHENG", "RENMIN")


@dataclass(frozen=True)
class TocEntry:
    title: str
    docnum: str | None
    page: int
    last_page: int | None  # the page before the next entry starts; None for the last entry

    def holds_page(self, page: int) -> bool:
        return self.page <= page and (self.last_page is None or page <= self.last_page)


@dataclass(frozen=True)
class FrontMatter:
    issue: GazetteIssue | None
    toc: list[TocEntry]
    body_start: int  # index of the first body line
    is_gazette_issue: bool  # has the cover title of a gazette


def _issue_from_text(text: str) -> GazetteIssue | None:
    flat = strip_spaces(text)
    m = _ISSUE_RE.search(flat)
    if not m:
        return None
    total = _TOTAL_RE.search(flat)
    dash = lambda s: re.sub(r"[－—]", "-", s)  # noqa: E731
    return GazetteIssue(year=int(m[1]), number=dash(m[2]), total=dash(total[1]) if total else "")


def _page_line(line: str) -> tuple[str, int] | None:
    m = _PAGE_TAIL_RE.match(line.strip())
    if not m or not m["body"].strip():
        return None
    return m["body"].strip(" \t.…·．"), int(m["page"])


def _toc_entries(lines: list[str], start: int) -> tuple[list[tuple[str, str | None, int]], int]:
    """Raw (title, docnum, page) entries from the line after 目录, and the index where the TOC ends."""
    entries: list[tuple[str, str | None, int]] = []
    pending: list[str] = []
    i = start
    while i < len(lines):
        s = lines[i].strip()
        i += 1
        if not s or s.startswith("◎") or _TOC_HEAD_RE.match(s) or s in ("目", "录"):
            continue
        paged = _page_line(s)
        if paged:
            body, page = paged
            docnum = normalize_docnum(body)
            title = "".join(pending) if docnum else "".join(pending) + body
            entries.append((strip_spaces(title), docnum, page))
            pending = []
            continue
        # a title line must be followed (within 3 non-empty lines) by a paged line
        ahead = [x.strip() for x in lines[i : i + 8] if x.strip() and not _TOC_HEAD_RE.match(x.strip())][:3]
        if any(_page_line(x) for x in ahead) and len(pending) < 3:
            pending.append(s)
            continue
        return entries, i - 1
    return entries, i


def is_cover_title(line: str) -> bool:
    """A gazette's cover title, "聊城市人民政府公报": short, no punctuation. A document that only
    mentions a 公报 in a sentence ("…统计公报显示，…") is no gazette issue."""
    s = strip_spaces(line)
    return s.endswith("公报") and len(s) <= 24 and not any(ch in s for ch in "，。；：！？、,;:《》")


def parse_front_matter(lines: list[str]) -> FrontMatter:
    """Issue number, TOC entries with page ranges, and where the body starts."""
    head = lines[: min(len(lines), 80)]
    toc_at = next((i for i, s in enumerate(head) if _TOC_HEAD_RE.match(s.strip()) or s.strip() == "目"), None)
    is_issue = any(is_cover_title(s) for s in head[:30])
    if toc_at is None:
        # No TOC: a standalone document. Skip a cover/masthead if there is one.
        issue = _issue_from_text("\n".join(head[:30])) if is_issue else None
        start = 0
        if is_issue:
            start = max((i + 1 for i, s in enumerate(head[:40]) if any(k in s for k in MASTHEAD_KEYS)), default=0)
        return FrontMatter(issue=issue, toc=[], body_start=start, is_gazette_issue=is_issue)
    issue = _issue_from_text("\n".join(lines[:toc_at]))
    raw, end = _toc_entries(lines, toc_at + 1)
    toc = [
        TocEntry(title, docnum, page, raw[k + 1][2] - 1 if k + 1 < len(raw) else None)
        for k, (title, docnum, page) in enumerate(raw)
    ]
    return FrontMatter(issue=issue, toc=toc, body_start=end, is_gazette_issue=is_issue)
