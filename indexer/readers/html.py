"""A portal page as a browser saves it → the document's lines, and the fields of its metadata table.

    bytes → text (html_charset: BOM, UTF-8, the declared charset, else charset-normalizer;
            GB2312/GBK as GB18030)
          → lxml tree without script, style, frames and form controls (nothing is ever run)
          → the metadata table read into meta, and its cells emptied (html_meta)
          → hidden elements dropped → the page's lines (paragraph a line, table row a line, cells by tab)
          → the lines of the document body: the ones trafilatura keeps as main content, in the page's
            own wording (trafilatura squeezes whitespace; the page's full-width indentation is kept);
            trafilatura's own lines when the two do not line up; the largest text container when it
            finds nothing
          → lines of site chrome that slipped through dropped (footer, breadcrumb, 打印/关闭窗口 …),
            and the title printed as a heading right above the body put back in front

The metadata labels and the chrome words are data, in indexer.readers.html_labels.
"""
from __future__ import annotations

import copy
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

from ..errors import GazetteParseError
from .source import HTML, SourceText, file_bytes
from . import html_labels as V
from .html_charset import decode_html
from .html_meta import squeeze, take_metadata

MAX_HTML_BYTES = 30_000_000  # a saved portal page is well under a megabyte; more is a mistake
MIN_TEXT_CHARS = 15  # document text besides the title; the shortest notice (一项任免) is longer
NO_TEXT = (
    "HTML page has no document text ({}): if the portal draws the body with JavaScript, "
    "save the page from a browser after it has loaded, or use the document's PDF or DOCX"
)


# ---------------------------------------------------------------- tree

# elements whose content is no document text: dropped with their content (their tail text stays)
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "canvas", "audio", "video", "input", "select", "textarea", "button", "option", "datalist",
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def parse_tree(text: str) -> etree._Element:
    """The page as an lxml tree (libxml2's HTML parser; no network, nothing run), script and the like dropped."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    root = lxml.html.document_fromstring(text.replace("\x00", "").encode("utf-8", errors="replace"), parser=parser)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    return root


def _body(root: etree._Element) -> etree._Element:
    found = root.find("body")
    return found if found is not None else root


def drop_hidden(root: etree._Element) -> None:
    """Elements the browser does not show (display:none, hidden): not the page's text."""
    hidden = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and (_HIDDEN_STYLE_RE.search(el.get("style", "")) or el.get("hidden") is not None or el.get("aria-hidden") == "true")
    ]
    for el in hidden:
        if el.getparent() is not None:
            el.drop_tree()


# ---------------------------------------------------------------- the page's lines

_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre address section article header footer nav "
    "aside main figure figcaption center form fieldset legend table caption tr td th hr body html details summary".split()
)
_CONTAINER_TAGS = frozenset("div article section main td body blockquote center form".split())
_CHROME_HINT_RE = re.compile(r"nav|menu|foot|header|top|crumb|share|relat|link|copyright|sidebar|search|tool|banner", re.I)
_ASCII_SPACE = " \t\r\n\f\v"
_END_STRIP = _ASCII_SPACE + "\xa0\u200b\ufeff"


def _letters(s: str) -> int:
    """Characters that are letters or digits (CJK included), not spaces, punctuation or separators."""
    return sum(ch.isalnum() for ch in s)


def _alnum(s: str) -> str:
    """The letters and digits of a text: what two renderings of one paragraph have in common."""
    return "".join(ch for ch in s if ch.isalnum())


@dataclass
class _Line:
    text: str
    element: etree._Element  # the block it was read from
    link_chars: int = 0  # letters and digits inside <a>

    @property
    def key(self) -> str:
        return _alnum(self.text)


@dataclass
class _Lines:
    out: list[_Line] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    links: int = 0
    element: etree._Element | None = None

    def add(self, s: str | None, block: etree._Element, in_link: bool) -> None:
        if not s:
            return
        if self.element is None:
            self.element = block
        self.buf.append(s)
        if in_link:
            self.links += _letters(s)

    def flush(self) -> None:
        text = _clean_line("".join(self.buf))
        if text and self.element is not None:
            self.out.append(_Line(text, self.element, self.links))
        self.buf, self.links, self.element = [], 0, None


def _clean_line(s: str) -> str:
    """Runs of ordinary whitespace (source line breaks) as one space; full-width spaces kept as printed."""
    return re.sub(f"[{_ASCII_SPACE}]+", " ", s).strip(_END_STRIP)


def _rows(table: etree._Element) -> list[etree._Element]:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def _is_data_table(table: etree._Element) -> bool:
    """A table of the document (rows of cells), not a page layout made of tables."""
    if table.xpath(".//table"):
        return False
    rows = _rows(table)
    widths = [len(r.xpath("./td | ./th")) for r in rows]
    if not widths or max(widths) < 2:
        return False
    for cell in table.xpath(".//td | .//th"):
        if len(squeeze(cell.text_content())) > 2000 or len(cell.xpath(".//p | .//div | .//li | .//br")) > 12:
            return False
    return True


MAX_SPAN = 100


def _span(cell: etree._Element, attr: str) -> int:
    try:
        return max(1, min(MAX_SPAN, int(cell.get(attr, "1"))))
    except ValueError:
        return 1


def _blank_spanned(cells: list[str], spanned: dict[int, int], to_end: bool = False) -> None:
    """Blank cells for the columns a cell of a row above still covers (rowspan): at the current
    column, or (to_end) at every column left of the row's end."""
    while spanned.get(len(cells), 0) > 0 or (to_end and any(c >= len(cells) and n > 0 for c, n in spanned.items())):
        col = len(cells)
        if spanned.get(col, 0) > 0:
            spanned[col] -= 1
        cells.append("")


def _walk(el: etree._Element, block: etree._Element, in_link: bool, lines: _Lines) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    in_link = in_link or tag == "a"
    if tag == "br":
        lines.flush()
        return
    if tag == "table" and _is_data_table(el):
        lines.flush()
        spanned: dict[int, int] = {}  # column → rows still covered by a cell above (rowspan)
        for row in _rows(el):
            cells: list[str] = []
            links = 0
            for cell in row.xpath("./td | ./th"):
                _blank_spanned(cells, spanned)
                inner = _Lines()
                inner.add(cell.text, cell, in_link)
                for child in cell:
                    _walk(child, cell, in_link, inner)
                    inner.add(child.tail, cell, in_link)
                inner.flush()
                col, rows, cols = len(cells), _span(cell, "rowspan"), _span(cell, "colspan")
                cells.append(" ".join(x.text for x in inner.out).replace("\t", " "))
                cells.extend([""] * (cols - 1))  # the columns it spans stay, blank: later cells keep their column
                for c in range(col, col + cols):
                    if rows > 1:
                        spanned[c] = rows - 1
                links += sum(x.link_chars for x in inner.out)
            _blank_spanned(cells, spanned, to_end=True)
            if any(cells):
                lines.out.append(_Line("\t".join(cells).rstrip("\t"), row, links))
        return
    if tag == "pre":  # preformatted: its own line breaks
        lines.flush()
        for s in el.text_content().splitlines():
            lines.add(s, el, in_link)
            lines.flush()
        return
    is_block = tag in _BLOCK_TAGS
    if is_block:
        lines.flush()
        block = el
    lines.add(el.text, block, in_link)
    for child in el:
        _walk(child, block, in_link, lines)
        lines.add(child.tail, block, in_link)
    if is_block:
        lines.flush()


def page_lines(body: etree._Element) -> list[_Line]:
    """Every line of the page: a paragraph or block a line, a <br> ends a line, a table row a line
    with its cells joined by tab (a cell spanning columns or rows is read once, the other columns
    or rows it covers as blank cells); layout tables read as blocks."""
    lines = _Lines()
    _walk(body, body, False, lines)
    lines.flush()
    return lines.out


# ---------------------------------------------------------------- the document body

_TRAF_LINE_TAGS = frozenset({"p", "head", "quote", "code", "item"})
TRAF_MIN_EXTRACTED_SIZE = 30  # characters


def _traf_segments(el: etree._Element) -> list[str]:
    """The text of one trafilatura element, cut at its line breaks (<lb/>)."""
    segs, cur = [], [el.text or ""]
    for child in el:
        if child.tag == "lb":
            segs.append("".join(cur))
            cur = []
        else:
            cur.append("".join(child.itertext()))
        cur.append(child.tail or "")
    segs.append("".join(cur))
    return [s for s in segs if s.strip()]


_TRAF_BLOCKS = frozenset({"p", "head", "quote", "code", "item", "list", "table"})


def _traf_lines(el: etree._Element, out: list[str]) -> None:
    """trafilatura's lines: paragraphs, headings, list items, and data rows (cells by tab); the
    cells of a layout row (paragraphs inside) are read as paragraphs."""
    if el.tag == "row" and not any(c.tag in _TRAF_BLOCKS for cell in el for c in cell.iter()):
        cells = [" ".join("".join(c.itertext()).split()) for c in el if c.tag == "cell"]
        if any(cells):
            out.append("\t".join(cells))
        return
    if el.tag in _TRAF_LINE_TAGS and not any(c.tag in _TRAF_BLOCKS for c in el.iter() if c is not el):
        out.extend(_traf_segments(el))
        return
    for child in el:
        _traf_lines(child, out)


_TRAF_CONFIG = None


def _traf_config():
    """trafilatura's settings, with a short document accepted as main content: below
    MIN_EXTRACTED_SIZE (250 characters by default) it falls back to the whole page's text."""
    global _TRAF_CONFIG
    if _TRAF_CONFIG is None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(TRAF_MIN_EXTRACTED_SIZE))
        _TRAF_CONFIG = config
    return _TRAF_CONFIG


def main_content(root: etree._Element) -> tuple[list[str], str] | None:
    """trafilatura's main content: (its lines in order, all its letters and digits), or None."""
    import trafilatura

    xml = trafilatura.extract(
        copy.deepcopy(root),
        config=_traf_config(),
        output_format="xml",
        include_tables=True,
        favor_recall=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    if not xml:
        return None
    doc = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    if doc is None:
        return None
    main = doc.find("main")
    main = main if main is not None else doc
    out: list[str] = []
    _traf_lines(main, out)
    return out, _alnum("".join(main.itertext()))


def _select(lines: list[_Line], traf_lines: list[str], traf_text: str) -> list[_Line]:
    """The page's lines that make trafilatura's main content, in the page's own wording.

    Both come from one tree in document order: each of trafilatura's lines is the next page line
    with the same letters. Between the first and the last line so found, a page line whose letters
    trafilatura has (cut or joined otherwise) is kept too."""
    where: dict[str, list[int]] = defaultdict(list)
    for k, ln in enumerate(lines):
        if ln.key:
            where[ln.key].append(k)
    matched: set[int] = set()
    nxt = 0
    for key in map(_alnum, traf_lines):
        found = where.get(key)
        at = bisect_left(found, nxt) if found else 0
        if found and at < len(found):
            matched.add(found[at])
            nxt = found[at] + 1
    if not matched:
        return []
    lo, hi = min(matched), max(matched)
    return [ln for k, ln in enumerate(lines[lo : hi + 1], lo) if ln.key and (k in matched or ln.key in traf_text)]


def _ancestors(el: etree._Element):
    while el is not None:
        yield el
        el = el.getparent()


def _container(el: etree._Element) -> etree._Element | None:
    return next((a for a in _ancestors(el.getparent()) if a.tag in _CONTAINER_TAGS), None) if el.getparent() is not None else None


def largest_text_container(lines: list[_Line]) -> list[_Line]:
    """Without trafilatura's answer: the lines of the container holding the most text that is no link."""
    score: dict[etree._Element, float] = defaultdict(float)
    for ln in lines:
        n = len(ln.key)
        if not n or ln.link_chars > _letters(ln.text) / 2:
            continue
        own = ln.element if ln.element.tag in _CONTAINER_TAGS else _container(ln.element)
        if own is None:
            continue
        score[own] += n - ln.link_chars
        parent = _container(own)
        if parent is not None:
            score[parent] += (n - ln.link_chars) / 2
    for el in score:
        if _CHROME_HINT_RE.search(f"{el.get('class', '')} {el.get('id', '')}"):
            score[el] *= 0.2
    if not score:
        return []
    best = max(score, key=score.__getitem__)
    return [ln for ln in lines if any(a is best for a in _ancestors(ln.element))]


# ---------------------------------------------------------------- chrome left in the text

_CHROME_WORD_RE = re.compile("|".join(re.escape(w) for w in sorted(V.CHROME_WORDS, key=len, reverse=True)))


def is_chrome_line(s: str) -> bool:
    """A line of site chrome: 打印/关闭窗口 links, the footer, a breadcrumb, a pager."""
    bare = _CHROME_WORD_RE.sub("", s)
    if not bare.strip(V.CHROME_PUNCT):
        return True
    if any(mark in s for mark in V.FOOTER_MARKS):
        return True
    t = s.strip(V.CHROME_PUNCT)
    if t.startswith(V.LINE_START_MARKS):
        return True
    return t.startswith("首页") and any(sep in t for sep in V.BREADCRUMB_SEPARATORS)


def _is_link_line(ln: _Line) -> bool:
    """A line that is links and separators only ("首页 | 政务公开"); an attachment's line is document text."""
    return ln.link_chars >= 0.9 * _letters(ln.text) and not ln.text.lstrip().startswith(V.ATTACHMENT_MARKS)


def _drop_chrome(lines: list[_Line]) -> list[_Line]:
    kept = [ln for ln in lines if not is_chrome_line(ln.text)]
    # a navigation row above the body, a link list below it (an attachment's link keeps its "附件：")
    while kept and _is_link_line(kept[0]):
        kept.pop(0)
    while kept and _is_link_line(kept[-1]):
        kept.pop()
    # a related-links list at the end: its heading in the last quarter, short lines after it
    for k in range(len(kept) - 1, max(-1, len(kept) * 3 // 4 - 1), -1):
        if kept[k].key in V.RELATED_HEADINGS and all(len(x.key) <= 80 for x in kept[k + 1 :]):
            kept = kept[:k]
            break
    return kept


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_TITLE_HINT_RE = re.compile(r"title|biaoti", re.I)


def _with_heading(chosen: list[_Line], lines: list[_Line]) -> list[_Line]:
    """The document's title printed as a heading right above the body (with the metadata table or
    a tools bar between them), which the extractors leave out as page furniture."""
    if not chosen:
        return chosen
    first = next((k for k, ln in enumerate(lines) if ln is chosen[0]), None)
    if first is None:
        return chosen
    for k in range(first - 1, max(-1, first - 5), -1):
        ln = lines[k]
        if is_chrome_line(ln.text):
            continue
        hint = f"{ln.element.get('class', '')} {ln.element.get('id', '')}"
        heading = ln.element.tag in _HEADING_TAGS or bool(_TITLE_HINT_RE.search(hint))
        # not when the body prints the title itself (after its 文号 line, as an official document does)
        if heading and not _is_link_line(ln) and all(ln.key != c.key for c in chosen[:5]):
            return [ln, *chosen]
        break
    return chosen


# ---------------------------------------------------------------- reader


def _without_repeats(chosen: list[_Line]) -> list[_Line]:
    """A line printed twice in a row is printed once: the page's heading, then the body opening
    with the same title (gov.cn prints both); the parser would read the pair as one wrapped title."""
    return [ln for k, ln in enumerate(chosen) if k == 0 or ln.key != chosen[k - 1].key]


def read_html(path: Path) -> SourceText:
    """A saved portal page: the document body's lines and the metadata table's fields (标题, 发文字号,
    成文日期, 发布日期, 发文机关, 索引号, 主题分类, 有效性 …). Raises GazetteParseError."""
    data = file_bytes(path)
    if len(data) > MAX_HTML_BYTES:
        raise GazetteParseError(str(path), f"HTML page of {len(data)} bytes is too large (at most {MAX_HTML_BYTES})")
    try:
        return _read(data, path)
    except GazetteParseError:
        raise
    except Exception as e:  # lxml, trafilatura, charset-normalizer: any failure is this file's problem
        raise GazetteParseError(str(path), f"cannot read the HTML page ({type(e).__name__}: {e})") from e


def _read(data: bytes, path: Path) -> SourceText:
    text, _codec_used, warnings = decode_html(data)
    root = parse_tree(text)
    body = _body(root)
    meta = take_metadata(body)
    drop_hidden(root)
    lines = page_lines(_body(root))
    if not lines:
        raise GazetteParseError(str(path), NO_TEXT.format("no text at all"))
    content = main_content(root)
    if content is None:
        chosen = largest_text_container(lines)
    else:
        chosen = _select(lines, *content)
        if sum(len(ln.key) for ln in chosen) < len(content[1]) / 2:
            # the page's lines and trafilatura's do not line up: its own lines (spacing squeezed)
            warnings.append("the main content is read as trafilatura gives it (full-width indentation not kept)")
            chosen = [_Line(s, body, 0) for s in content[0]]
    chosen = _without_repeats(_with_heading(_drop_chrome(chosen), lines))
    # a page whose body the portal draws with JavaScript keeps its title: that is no document text
    titles = {_alnum(meta.get("标题", "")), _alnum(root.findtext(".//title") or "")} - {""}
    own = [ln for ln in chosen if not any(ln.key in t for t in titles)]
    if sum(_letters(ln.text) - ln.link_chars for ln in own) < MIN_TEXT_CHARS:
        what = "only a title, links or site navigation" if chosen else "only site navigation, links or a metadata table"
        raise GazetteParseError(str(path), NO_TEXT.format(what))
    return SourceText(format=HTML, lines=[ln.text for ln in chosen], meta=meta, warnings=warnings)
