"""A saved page's bytes → its text: the BOM, UTF-8, the declared charset, else a guess.

Portals in China serve GBK pages declared as gb2312 (which lacks characters such as 镕 and 堃):
GB2312 and GBK are read as GB18030, their superset. A browser may save a page re-encoded as UTF-8
and keep its old declaration, so bytes that are valid UTF-8 are read as UTF-8 whatever the page
declares. A Western declaration (latin-1, cp1252), which old CMS templates print whatever the page
holds, gives way to charset-normalizer's guess.
"""
from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_GB_CODECS = {"gb2312", "gbk", "gb18030", "hz"}  # GB18030 decodes them all (a superset)
_WESTERN = {"latin_1", "iso8859-1", "ascii", "cp1252"}  # declared by many old CMS templates whatever the page holds
_SNIFF_BYTES = 8192


def _codec(label: str) -> str | None:
    """Python's codec for a charset label, GB2312/GBK read as GB18030; None for an unknown label."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_CODECS else name


def declared_charset(data: bytes) -> str | None:
    """The codec the page declares (<meta charset>, http-equiv Content-Type, an XML declaration)."""
    head = data[:_SNIFF_BYTES]
    m = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return _codec(m[1].decode("ascii")) if m else None


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """(text, codec used, warnings). A BOM decides; bytes that are valid UTF-8 are UTF-8 (a browser
    may save a GBK page re-encoded and keep its declaration); then the declared charset; then
    charset-normalizer's guess."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc, []
    declared = declared_charset(data)
    warnings: list[str] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and declared != "utf-8" and not data.isascii():
            warnings.append(f"the page declares {declared} but its bytes are UTF-8: read as UTF-8")
        return text, "utf-8", warnings
    if declared and declared not in _WESTERN:
        try:
            return data.decode(declared), declared, warnings
        except UnicodeDecodeError:
            text = data.decode(declared, errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(5, len(text) // 1000):  # a few broken characters in a page that is the declared charset
                return text, declared, [f"{bad} undecodable byte sequences in a {declared} page, replaced by U+FFFD"]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = _codec(best.encoding) if best is not None else None
    if guess is None:
        if declared:
            return data.decode(declared, errors="replace"), declared, [f"undecodable bytes in a {declared} page"]
        raise ValueError("cannot tell the page's character set (no declaration, not UTF-8, no reliable guess)")
    if declared and declared != guess:
        warnings.append(f"the page declares {declared}, but its bytes read as {guess} (charset-normalizer)")
    return data.decode(guess, errors="replace"), guess, warnings
