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
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from ..errors import GazetteParseError

from .source import (  # noqa: F401  (the package's public names)
    DOCX, HTML, MAX_PAGES, PDF, READABLE, SUFFIX_OF, SUFFIXES, TEXT, SourceText, UnsupportedFormat, file_bytes,
)


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
