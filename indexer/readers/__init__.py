"""A published file → its text, one printed line or paragraph a line, as the text conversions hold it.

    bytes → detect_format (from the content: magic bytes, markup; the name only breaks ties)
          → the format's reader → SourceText(lines, page of each line, metadata the format states)

The parser (indexer.parser) reads SourceText.lines exactly as it reads a UTF-8 text conversion,
so an issue printed to PDF splits into the same articles as its text. Every reader raises
GazetteParseError naming the file and the problem, and never runs script from a document.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import GazetteParseError

# formats this service reads, as detect_format names them
TEXT, PDF, HTML, DOCX = "text", "pdf", "html", "docx"
READABLE = (TEXT, PDF, HTML, DOCX)
# the file suffixes a corpus folder is scanned for
SUFFIXES = (".txt", ".pdf", ".html", ".htm", ".docx")
MAX_PAGES = 500  # a gazette issue has 40–120 pages; more is a mistake or an attack, refused with this cap


@dataclass
class SourceText:
    """What a reader found in one file."""

    format: str  # TEXT | PDF | HTML | DOCX
    lines: list[str]
    pages: list[int | None] | None = None  # 1-based page of each line (PDF); None for formats without pages
    page_count: int | None = None
    meta: dict[str, str] = field(default_factory=dict)  # fields the file states: an HTML metadata table (标题, 发文字号, 成文日期 …)
    warnings: list[str] = field(default_factory=list)  # e.g. "page 3: read by OCR with low confidence (0.62)"


class UnsupportedFormat(GazetteParseError):
    """A file in a format this service does not read (legacy .doc, .wps, .ofd, images, archives …)."""


# the suffix a file of each format gets in the corpus folder
SUFFIX_OF = {TEXT: ".txt", PDF: ".pdf", HTML: ".html", DOCX: ".docx"}


def file_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (its first `limit` of them); a clear error for a file that cannot be read or is empty."""
    try:
        with path.open("rb") as f:
            data = f.read() if limit is None else f.read(limit)
    except OSError as e:
        raise GazetteParseError(str(path), f"cannot read file ({e.strerror})") from e
    if not data.strip():
        raise GazetteParseError(str(path), "file is empty")
    return data


def format_of(path: Path, name: str | None = None) -> str:
    """The file's format, from its content (magic bytes, markup). Raises GazetteParseError.

    `name`: the file's name as given, whose suffix breaks ties (an upload is spooled under another);
    by default the whole path, so that errors name the file as every other parse error does."""
    from .detect import detect_format

    head = file_bytes(path, 64 * 1024)
    return detect_format(path.read_bytes() if _is_zip(head) else head, name or str(path))


def _is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")  # DOCX, OFD: the member list decides, so the whole file is read


def read_source(path: Path, progress=None, cache_dir: Path | None = None) -> SourceText:
    """The file's text in the form the parser reads, whatever form it was published in.

    `progress(page, pages)` is called per page of a PDF (OCR makes a page take seconds). With
    `cache_dir`, a PDF's result is kept there by content hash, so a rebuild does not read it again.
    Raises GazetteParseError (UnsupportedFormat for formats not read); a crash inside a parsing
    library is reported the same way, for this file only.
    """
    fmt = format_of(path)
    if fmt != PDF or cache_dir is None:
        return _read(path, fmt, progress)
    key = cache_dir / f"{hashlib.sha256(path.read_bytes()).hexdigest()}-{readers_code_hash()[:12]}.json"
    try:
        return SourceText(**json.loads(key.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    source = _read(path, fmt, progress)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = key.with_suffix(f".{os.getpid()}.part")
    tmp.write_text(json.dumps(asdict(source), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, key)  # a reader never sees half a file
    return source


@lru_cache(maxsize=1)  # the code does not change while a process runs; read_source asks per PDF
def readers_code_hash() -> str:
    """A hash of this package's code: a changed reader reads every file again."""
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _read(path: Path, fmt: str, progress) -> SourceText:
    try:
        if fmt == PDF:
            from .ocr import is_available, ocr_pdf_page
            from .pdf import read_pdf

            return read_pdf(path, progress=progress, ocr=ocr_pdf_page if is_available() else None)
        if fmt == HTML:
            from .html import read_html

            return read_html(path)
        if fmt == DOCX:
            from .docx import read_docx

            return read_docx(path)
        from .text import read_text

        return read_text(path)
    except GazetteParseError:
        raise
    except Exception as e:  # a parsing library's own failure: this file is reported, the others go on
        raise GazetteParseError(str(path), f"cannot read this {fmt.upper()} file ({type(e).__name__}: {e})") from e
