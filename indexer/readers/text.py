"""A UTF-8 text conversion: the form the service first read, one printed line or paragraph a line."""
from __future__ import annotations

from pathlib import Path

from ..errors import GazetteParseError
from .source import TEXT, SourceText, file_bytes


def read_text(path: Path) -> SourceText:
    """The file's lines; a clear error for a missing, empty or non-UTF-8 file."""
    data = file_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GazetteParseError(str(path), f"not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start})") from e
    if "\x00" in text:
        raise GazetteParseError(str(path), "binary file, not gazette text")
    return SourceText(TEXT, text.splitlines())
