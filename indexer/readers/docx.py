"""A Word file (.docx) → its paragraphs and table rows, in document order.

One paragraph a line (a line break inside a paragraph starts a new line, as it is printed), one
table row a line with its cells joined by tab; a cell spanning columns or rows is read once, the
other columns or rows it covers are blank cells (so every cell stays in its column).
Text boxes follow the paragraph that anchors them. python-docx opens the package; the text is read
from its XML here so that tracked insertions, fields and content controls are not lost.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import GazetteParseError
from .source import DOCX, SourceText

MAX_UNZIPPED_BYTES = 300_000_000  # a gazette .docx unzips to a few MB; more is a zip bomb or a mistake
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAIN_PART = "word/document.xml"


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (_w(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
_T, _TAB, _BR, _CR, _NB_HYPHEN, _TXBX = (_w(t) for t in ("t", "tab", "br", "cr", "noBreakHyphen", "txbxContent"))
# not read: deleted text, the old place of moved text, field instructions, text boxes (read apart),
# the duplicate of a drawing kept for old readers
_SKIP = frozenset({_w("del"), _w("moveFrom"), _w("instrText"), _w("delText"), _TXBX, _MC + "Fallback", _w("rPr"), _w("pPr")})
_V_MERGE, _GRID_SPAN, _VAL = _w("vMerge"), _w("gridSpan"), _w("val")


def _check_package(path: Path) -> None:
    """A clear error for what is no Word package: not a zip, a corrupt zip, a zip of something else."""
    if not zipfile.is_zipfile(path):
        with path.open("rb") as f:
            zip_magic = f.read(2) == b"PK"
        problem = "corrupt or truncated ZIP archive" if zip_magic else "not a ZIP archive (a .doc or .wps renamed?)"
        raise GazetteParseError(str(path), f"not a readable DOCX file: {problem}")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if _MAIN_PART not in names:
                raise GazetteParseError(str(path), f"a ZIP archive but no Word document: no {_MAIN_PART} ({_what_zip(names)})")
            size = sum(i.file_size for i in infos)
            if size > MAX_UNZIPPED_BYTES:
                raise GazetteParseError(str(path), f"DOCX unzips to {size} bytes, more than {MAX_UNZIPPED_BYTES}: refused")
            bad = z.testzip()
    except GazetteParseError:
        raise
    except Exception as e:  # BadZipFile, zlib.error, EOFError … from a damaged archive
        raise GazetteParseError(str(path), f"corrupt ZIP archive ({type(e).__name__}: {e})") from e
    if bad is not None:
        raise GazetteParseError(str(path), f"corrupt ZIP archive (bad CRC in {bad})")


def _what_zip(names: set[str]) -> str:
    if "OFD.xml" in names:
        return "it is an OFD file: convert it to PDF"
    if any(n.startswith("xl/") for n in names):
        return "it is an Excel workbook"
    if any(n.startswith("ppt/") for n in names):
        return "it is a PowerPoint file"
    shown = sorted(names)[:5]
    return "it holds " + ", ".join(shown) + (" …" if len(names) > 5 else "") if names else "it is empty"


def _text(el, out: list[str]) -> None:
    """The text of a paragraph (or part of one): runs, hyperlinks, fields, insertions, controls."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _T:
            out.append(child.text or "")
        elif tag == _TAB:
            out.append(" ")  # a tab in a paragraph is spacing; a tab in the lines separates table cells
        elif tag in (_BR, _CR):
            out.append("\n")
        elif tag == _NB_HYPHEN:
            out.append("-")
        else:
            _text(child, out)


_END_SPACE = " \t\r\f\v\xa0\u200b\ufeff"  # not the full-width space: indentation typed as 　　 is kept


def _within(el, top, tags: tuple[str, ...]) -> bool:
    """Whether an ancestor of el below top has one of the tags."""
    for a in el.iterancestors():
        if a is top:
            return False
        if a.tag in tags:
            return True
    return False


def _paragraph_lines(p) -> list[str]:
    out: list[str] = []
    _text(p, out)
    lines = [s.strip(_END_SPACE) for s in "".join(out).split("\n")]
    lines = [s for s in lines if s.strip()]
    for box in p.iter(_TXBX):
        if not _within(box, p, (_TXBX, _MC + "Fallback")):  # a box in a box is read with the outer one
            lines.extend(_block_lines(box))
    return lines


def _cell_text(tc) -> str:
    parts: list[str] = []
    for child in tc:
        if child.tag in (_P, _TBL, _SDT, _CUSTOM_XML):
            parts.extend(s.replace("\t", " ") for s in _block_lines_of(child))
    return " ".join(parts)


def _row_cells(tr) -> list[str]:
    """Each cell of the row once; the continuation of a vertical merge, and each column a cell
    spans beyond its first (gridSpan), are empty cells."""
    cells: list[str] = []
    for tc in tr.iter(_TC):
        if _within(tc, tr, (_TR,)):
            continue  # a cell of a table nested in this row's cells
        vmerge = tc.find(f"{_w('tcPr')}/{_V_MERGE}")
        if vmerge is not None and vmerge.get(_VAL) in (None, "continue"):
            cells.append("")
        else:
            cells.append(_cell_text(tc))
        cells.extend([""] * (_grid_span(tc) - 1))
    return cells


def _grid_span(tc) -> int:
    span = tc.find(f"{_w('tcPr')}/{_GRID_SPAN}")
    try:
        return max(1, min(100, int(span.get(_VAL)))) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def _table_lines(tbl) -> list[str]:
    lines: list[str] = []
    for tr in tbl.iter(_TR):
        if _within(tr, tbl, (_TBL,)):
            continue  # a row of a nested table: read inside its cell
        cells = _row_cells(tr)
        if any(c.strip() for c in cells):
            lines.append("\t".join(cells).rstrip("\t"))
    return lines


def _block_lines_of(el) -> list[str]:
    if el.tag == _P:
        return _paragraph_lines(el)
    if el.tag == _TBL:
        return _table_lines(el)
    if el.tag == _SDT:
        content = el.find(_SDT_CONTENT)
        return _block_lines(content) if content is not None else []
    if el.tag == _CUSTOM_XML:
        return _block_lines(el)
    return []


def _block_lines(container) -> list[str]:
    """Paragraphs and tables of a body, cell, text box or content control, in order."""
    lines: list[str] = []
    for child in container:
        lines.extend(_block_lines_of(child))
    return lines


def read_docx(path: Path) -> SourceText:
    """The lines of a .docx file. Raises GazetteParseError (not a Word package, corrupt, unreadable)."""
    if not path.is_file():
        raise GazetteParseError(str(path), "cannot read file (no such file)")
    _check_package(path)
    try:
        import docx

        document = docx.Document(str(path))
        lines = _block_lines(document.element.body)
    except GazetteParseError:
        raise
    except Exception as e:  # python-docx, lxml: a broken part, a macro-enabled or foreign content type
        raise GazetteParseError(str(path), f"cannot read the Word document ({type(e).__name__}: {e})") from e
    if not lines:
        raise GazetteParseError(str(path), "Word document has no text (only images or empty paragraphs?)")
    return SourceText(format=DOCX, lines=lines)
