"""Which format a file is, from its content: magic bytes and markup. The name's suffix only breaks ties.

Formats read: TEXT (UTF-8), PDF, HTML, DOCX. Everything else raises UnsupportedFormat saying what
the file is and what to do with it (OFD → PDF, .doc/.wps → .docx or PDF, scans → a PDF).
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile

from .source import DOCX, HTML, PDF, TEXT, UnsupportedFormat

READS = "this service reads PDF, DOCX, HTML and UTF-8 text"
SNIFF_BYTES = 4096  # how far markup is looked for

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_ARCHIVES = ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"))
_HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")

# a document that starts with markup: an XML declaration, comments ("<!-- saved from url=… -->"), then a tag
_STARTS_WITH_MARKUP_RE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<[!a-zA-Z]", re.S)
_PAGE_TAG_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_MHTML_RE = re.compile(rb"^(?:From: <Saved by [^>]*>\s*)?(?:[\w-]+: [^\r\n]*\r?\n)*?MIME-Version: 1\.0", re.I)
# control characters that no text holds (tab, line feed, form feed, carriage return and escape excepted)
_BINARY_BYTES_RE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > name.replace("\\", "/").rfind("/") else ""


def _head_text(data: bytes) -> str:
    """The start of the file as text enough to see markup, whatever its charset."""
    head = data[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("latin-1")  # markup is ASCII in UTF-8, GBK, GB18030, Big5


def _zip_format(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        if _suffix(name) == ".docx":
            return DOCX  # the reader says what is broken
        raise UnsupportedFormat(name, f"a corrupt ZIP archive ({e}); {READS}") from e
    if "word/document.xml" in names:
        return DOCX
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        raise UnsupportedFormat(name, f"OFD is not read yet: convert it to PDF (e.g. with the issuer's OFD reader, print to PDF); {READS}")
    if any(n.startswith("xl/") for n in names):
        problem = "an Excel workbook (.xlsx) is not read: save it as PDF"
    elif any(n.startswith("ppt/") for n in names):
        problem = "a PowerPoint file (.pptx) is not read: save it as PDF"
    elif any(n.startswith("word/") for n in names):
        problem = "a Word package without word/document.xml: save it again as .docx"
    else:
        problem = "a ZIP archive is not read: unpack it and add the documents it holds"
    raise UnsupportedFormat(name, f"{problem}; {READS}")


def _ole2_format(data: bytes, name: str) -> str:
    """A legacy Office compound file: say which kind, from its stream names (UTF-16 in its directory)."""

    def has_stream(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    # the directory may lie beyond the bytes given (the caller may pass the file's head): the suffix breaks the tie
    suffix = _suffix(name)
    word = has_stream("WordDocument")
    if not word and (has_stream("Workbook") or has_stream("Book") or suffix in (".xls", ".et")):
        raise UnsupportedFormat(name, f"legacy Excel/WPS spreadsheets (.xls/.et) are not read: save as PDF; {READS}")
    if not word and (has_stream("PowerPoint Document") or suffix in (".ppt", ".dps")):
        raise UnsupportedFormat(name, f"legacy PowerPoint files (.ppt/.dps) are not read: save as PDF; {READS}")
    raise UnsupportedFormat(name, f"legacy Word/WPS .doc/.wps files are not read: save as .docx or PDF; {READS}")


def _is_html(data: bytes, name: str) -> bool:
    """A document that starts with markup and has a page's tags (<!DOCTYPE html>, <html>, <head>, <body>)
    in its first 4 KB; markup without them (a fragment) is a tie that the suffix breaks. A text with a
    few tags inside (<br> in a gazette conversion) is no page."""
    text = _head_text(data)
    if not _STARTS_WITH_MARKUP_RE.match(text):
        return False
    return bool(_PAGE_TAG_RE.search(text)) or _suffix(name) in _HTML_SUFFIXES


def _image(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in _IMAGES if data.startswith(magic)), None)


def _is_pdf(data: bytes) -> bool:
    """%PDF- at the start (after spaces or a BOM), or within the first KB behind a binary header
    (readers accept one there)."""
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if start.startswith(b"%PDF-"):
        return True
    at = data.find(b"%PDF-", 0, 1024)
    return at > 0 and bool(_BINARY_BYTES_RE.search(data[:at]))


def detect_format(data: bytes, name: str) -> str:
    """TEXT, PDF, HTML or DOCX from the file's content; UnsupportedFormat for anything else."""
    if _is_pdf(data):
        return PDF
    if data.startswith(_ZIP):
        return _zip_format(data, name)
    if data.startswith(_OLE2):
        return _ole2_format(data, name)
    if kind := _image(data):
        raise UnsupportedFormat(name, f"an image ({kind}): wrap scans in a PDF; {READS}")
    for magic, kind in _ARCHIVES:
        if data.startswith(magic):
            raise UnsupportedFormat(name, f"a {kind} archive: unpack it and add the documents it holds; {READS}")
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if start.startswith(b"{\\rtf"):
        raise UnsupportedFormat(name, f"RTF is not read: save as .docx or PDF; {READS}")
    if _MHTML_RE.match(start[:SNIFF_BYTES]) and b"multipart/related" in data[:SNIFF_BYTES].lower():
        raise UnsupportedFormat(name, f"an MHTML web archive: save the page as \"Webpage, HTML only\" or \"Complete\"; {READS}")
    if _is_html(data, name):
        return HTML
    if _decodes(data, "utf-8-sig") and b"\x00" not in data:
        return TEXT
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and _decodes(data, "utf-16"):
        raise UnsupportedFormat(name, f"text in UTF-16, not UTF-8: save it as UTF-8; {READS}")
    if not _BINARY_BYTES_RE.search(data[:65536]) and _decodes(data, "gb18030"):
        raise UnsupportedFormat(name, f"text in GBK/GB18030, not UTF-8: save it as UTF-8; {READS}")
    raise UnsupportedFormat(name, f"unknown format (starts with bytes {data[:8].hex(' ')}), {READS}")


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether the bytes are text in that encoding; a character cut at the end is allowed (the
    caller may pass only the file's head)."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True
