"""What every reader shares: the format names, the SourceText a reader returns, and reading a
file's bytes with a clear error. The readers import these from here, not from the package, whose
facade (read_source) imports the readers."""
from __future__ import annotations

from dataclasses import dataclass, field
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
