"""Splitting a gazette body into articles, and putting moved tails (下转/上接) back.

Works on cleaned lines (blank lines kept). An article starts at one of four header shapes:
a 文号 alone on a line (with the letterhead/title lines just before it), a 令 number
("…令" then "第 N 号"), a 大事记 heading, or a work-report heading followed by "——".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .frontmatter import TocEntry
from .text import (
    CJK,
    DECREE_RE,
    MOVED_FROM_RE,
    MOVED_TO_RE,
    ends_sentence,
    has_punctuation,
    is_date_line,
    is_docnum_line,
    normalize_docnum,
    space_article_number,
    strip_spaces,
    unbracket,
)

LETTERHEAD_RE = re.compile(rf"^(?:[{CJK}]{{2,24}}(人民政府|办公室|办公厅|委员会|人民政府令)|国务院)(文件)?$")
# A signer line: an organ (…人民政府, …办公室, …局, 国务院). It also ends a moved block.
ISSUER_RE = re.compile(rf"^(?:[{CJK}（）()]{{2,30}}(人民政府|办公室|委员会|管委会|局|厅)|(中华人民共和国)?国务院)$")
TITLE_SUFFIXES = ("通知", "决定", "意见", "通报", "批复", "通告", "公告", "命令", "函", "规定", "报告")
DECREE_NUM_RE = re.compile(r"^[（(〔]?第\s*\d+\s*号[)）〕]?$")
ITEM_RE = re.compile(r"^(\d{1,2})\s*[.．、](?!\d{1,2}[.．、])")


@dataclass
class Article:
    kind: str  # docnum | decree | chronicle | report | document (a standalone file with no 文号 line)
    lines: list[str]  # cleaned lines of the article, header included, blank lines kept
    docnum: str | None = None
    toc: TocEntry | None = None
    notes: list[str] = field(default_factory=list)
    start: int = 0  # index of the article's first line in the body it was cut from
    # Standalone files only: the lines above the header (a title printed above a 令 number) and the
    # fields of a web page's metadata table (标题, 发文字号, 成文日期, 发文机关), read as fallbacks.
    preamble: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


# Verbs a title is built on besides 关于: "…办公厅转发市财政局…办法的通知", "国务院印发《…》的通知".
TITLE_VERBS = ("关于", "转发", "批转", "印发")


def is_title_line(s: str) -> bool:
    return any(v in s for v in TITLE_VERBS) and s.endswith(TITLE_SUFFIXES) and not ends_sentence(s) and not has_punctuation(s)


def _prev_nonblank(lines: list[str], i: int) -> int | None:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 else None


def _next_nonblank(lines: list[str], i: int) -> int | None:
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j if j < len(lines) else None


def decree_line(s: str) -> str:
    """A 令 number line without spaces and brackets: "威海市人民政府令（第 88 号）" → "威海市人民政府令第88号"."""
    flat = unbracket(strip_spaces(s))
    return re.sub(r"[（(〔](第\d+号)[)）〕]$", r"\1", flat)


def _wrapped_title_start(lines: list[str], i: int) -> int | None:
    """The first line of a title printed over two or three lines right above line i, or None.

    "余姚市人民政府关于印发余姚市" / "城区公共自行车管理办法的通知": no line alone is a title,
    their join is; the top line carries 关于 or is an issuer's name.
    """
    block: list[int] = []
    j = _prev_nonblank(lines, i)
    while j is not None and len(block) < 3:
        s = lines[j]
        if has_punctuation(s) or ends_sentence(s) or is_date_line(s) or is_docnum_line(s) or len(s) > 40:
            break
        block.insert(0, j)
        j = _prev_nonblank(lines, j)
    for k in range(len(block)):
        top = lines[block[k]]
        if ("关于" in top or LETTERHEAD_RE.match(top)) and is_title_line("".join(lines[b] for b in block[k:])):
            return block[k]
    return None


def _header_at(lines: list[str], i: int) -> tuple[int, str, str | None] | None:
    """If an article header is anchored at line i: (start line, kind, docnum)."""
    s = lines[i]
    if is_docnum_line(s):
        start, j, taken = i, _prev_nonblank(lines, i), 0
        while j is not None and taken < 3 and (LETTERHEAD_RE.match(lines[j]) or is_title_line(lines[j])):
            start, j, taken = j, _prev_nonblank(lines, j), taken + 1
        if start == i:
            start = _wrapped_title_start(lines, i) or i
        return start, "docnum", normalize_docnum(s)
    flat = decree_line(s)
    if DECREE_NUM_RE.match(flat):
        j = _prev_nonblank(lines, i)
        if j is not None and lines[j].endswith("令") and not has_punctuation(lines[j]):
            return j, "decree", normalize_docnum(lines[j] + s)
    if DECREE_RE.fullmatch(flat):  # "德州市人民政府令第12号" on one line
        return i, "decree", normalize_docnum(flat)
    if "大事记" in s and len(s) <= 40 and not has_punctuation(s.replace("（", "").replace("）", "")):
        return i, "chronicle", None
    if s.endswith("工作报告") and len(s) <= 20 and not has_punctuation(s):
        j = _next_nonblank(lines, i)
        if j is not None and lines[j].startswith("——"):
            return i, "report", None
    return None


def split_articles(lines: list[str]) -> list[Article]:
    """Cut body lines into articles at their headers. Lines before the first header are dropped."""
    heads: list[tuple[int, str, str | None]] = []
    for i in range(len(lines)):
        h = _header_at(lines, i)
        if h and (not heads or h[0] > heads[-1][0]):
            heads.append(h)
    arts = []
    for k, (start, kind, docnum) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        arts.append(Article(kind=kind, lines=lines[start:end], docnum=docnum, start=start))
    return arts


def attach_toc(articles: list[Article], toc: list[TocEntry]) -> None:
    """Give each article its TOC entry: by 文号 where there is one, else by position."""
    by_docnum = {e.docnum: e for e in toc if e.docnum}
    positional = len(toc) == len(articles)
    for k, a in enumerate(articles):
        if a.docnum and a.docnum in by_docnum:
            a.toc = by_docnum[a.docnum]
        elif positional:
            a.toc = toc[k]


# ---- moved blocks -------------------------------------------------------------------------


def _item_number(s: str) -> int | None:
    m = ITEM_RE.match(s)
    return int(m[1]) if m else None


def _last_item_number(lines: list[str]) -> int | None:
    nums = [n for n in (_item_number(s) for s in lines) if n is not None]
    return nums[-1] if nums else None


def _block_end(lines: list[str], start: int) -> int:
    """A moved block ends after a signature (issuer + date), or at the next 上接 marker."""
    i = start + 1
    while i < len(lines):
        s = lines[i]
        if MOVED_FROM_RE.search(s):
            return i
        if is_date_line(s):
            j = _prev_nonblank(lines, i)
            if j is not None and j > start and (ISSUER_RE.match(lines[j]) or lines[j].startswith("市长")):
                return i + 1
        i += 1
    return len(lines)


def _split_interleaved(block: list[str], src_last: int | None, host_last: int | None) -> tuple[list[str], list[str]]:
    """Lines of the block that belong to the source, and lines that stay with the host.

    Print layout can interleave a moved tail line by line with the host's own list; the item
    numbers tell them apart ("21." continues the source's "20.", "41." the host's "40.").
    An unnumbered line that completes the source's open item (ends with its responsibility
    note) goes back to the source.
    """
    src, host, current = [], [], "src"
    for s in block:
        if not s.strip():
            (src if current == "src" else host).append(s)
            continue
        n = _item_number(s)
        if n is not None and host_last is not None and n == host_last + 1 and (src_last is None or n != src_last + 1):
            current, host_last = "host", n
        elif n is not None and src_last is not None and n == src_last + 1:
            current, src_last = "src", n
        elif n is None and current == "host":
            open_src = [x for x in src if x.strip()]
            if open_src and not ends_sentence(open_src[-1]) and re.search(r"（[^（）]*单位[^（）]*）$", s):
                src.append(s)
                continue
        (src if current == "src" else host).append(s)
    return src, host


def _find_source(articles: list[Article], host: Article, page: int) -> Article | None:
    """The article a block marked (上接第 page 页) was moved from."""
    for a in articles:
        if a is not host and a.toc and a.toc.holds_page(page):
            return a
    # No TOC pages (a standalone file): the first other article with an open 下转 marker.
    for a in articles:
        if a is not host and any(MOVED_TO_RE.search(s) for s in a.lines):
            return a
    return None


def restore_moved_blocks(articles: list[Article]) -> int:
    """Move every (上接) block back to the article it was cut from; remove all markers.

    Returns the number of blocks moved.
    """
    moved = 0
    for host in articles:
        i = 0
        while i < len(host.lines):
            m = MOVED_FROM_RE.search(host.lines[i])
            if not m:
                i += 1
                continue
            page = int(m[1])
            host.lines[i] = space_article_number(MOVED_FROM_RE.sub("", host.lines[i]).strip())
            source = _find_source(articles, host, page)
            if source is None:
                host.notes.append(f"moved block (上接第{page}页) left in place: no source article found")
                continue
            end = _block_end(host.lines, i)
            block = host.lines[i:end]
            src_part, host_part = _split_interleaved(
                block, _last_item_number(_lines_before_break(source)), _last_item_number(host.lines[:i])
            )
            host.lines[i:end] = host_part
            _insert_at_break(source, src_part)
            moved += 1
            i += len(host_part)
    for a in articles:  # markers whose partner was never found
        a.lines = [MOVED_TO_RE.sub("", s).rstrip(" ") for s in a.lines]  # a table row's trailing tabs are blank cells
    return moved


def _lines_before_break(article: Article) -> list[str]:
    for k, s in enumerate(article.lines):
        if MOVED_TO_RE.search(s):
            return article.lines[: k + 1]
    return article.lines


def _insert_at_break(article: Article, block: list[str]) -> None:
    """Insert the block right after the article's first open 下转 marker (or at its end)."""
    for k, s in enumerate(article.lines):
        if MOVED_TO_RE.search(s):
            article.lines[k] = MOVED_TO_RE.sub("", s).rstrip(" ")
            article.lines[k + 1 : k + 1] = block
            return
    article.lines.extend(block)
