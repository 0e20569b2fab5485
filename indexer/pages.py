"""The printed page each paragraph starts on, found by locating its text in the page-tagged lines.

The parser joins, moves (下转/上接 tails) and cleans lines, so pages are not carried through it:
each paragraph's opening characters are searched for in the reader's lines instead, whitespace
ignored. Documents come in print order, and so do their paragraphs, except a moved tail: each
paragraph is looked for after the one before it, then anywhere after its document's start, then
anywhere. A short paragraph ("聊城市人民政府办公室") occurs many times: searching onward from
its neighbour finds its own. A title is placed just before its first body paragraph, because the
table of contents prints every title first.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from .models import Document, Paragraph

KEY_CHARS = 24  # enough to be unique in an issue, short enough to stay inside one line of a table


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def page_index(lines: list[str], pages: list[int | None]) -> tuple[str, list[int | None]]:
    """All lines as one whitespace-free string, and the page of each of its characters."""
    text, owner = [], []
    for line, page in zip(lines, pages):
        flat = _flat(line)
        text.append(flat)
        owner.extend([page] * len(flat))
    return "".join(text), owner


def _positions(doc: Document, text: str, start: int) -> dict[str, int]:
    """paragraph_id → where its text starts, for the document's body paragraphs."""
    title = next((p for p in doc.paragraphs if p.kind == "title"), None)
    at_title = text.find(_flat(title.text)[:KEY_CHARS], start) if title else -1
    cursor = at_title + 1 if at_title >= 0 else start
    out: dict[str, int] = {}
    for p in doc.paragraphs:
        key = _flat(p.text)[:KEY_CHARS]
        if p.kind == "title" or not key:
            continue
        at = text.find(key, cursor)
        if at < 0:
            at = text.find(key, start)
        if at < 0:
            at = text.find(key)  # a tail moved (上接) to a page before its document
        if at >= 0:
            out[p.paragraph_id] = at
            cursor = at + 1
    return out


def documents_with_pages(docs: list[Document], lines: list[str], pages: list[int | None]) -> list[Document]:
    """The documents with each paragraph's page set (None where its text is not found)."""
    text, owner = page_index(lines, pages)
    start, out = 0, []
    for d in docs:
        found = _positions(d, text, start)
        ordered = [found[p.paragraph_id] for p in d.paragraphs if p.paragraph_id in found]
        first = next((at for at in ordered if at >= start), None)
        paragraphs = []
        for p in d.paragraphs:
            at = found.get(p.paragraph_id)
            if p.kind == "title" and first is not None:
                at = text.rfind(_flat(p.text)[:KEY_CHARS], 0, first + 1)
                at = at if at >= 0 else first
            paragraphs.append(replace(p, page=owner[at]) if at is not None and at >= 0 else p)
        out.append(replace(d, paragraphs=paragraphs))
        if first is not None:
            start = first  # the next document starts after this one's opening, not after its moved tails
    return out


def first_page(paragraphs: list[Paragraph]) -> int | None:
    """The page a run of paragraphs starts on."""
    return next((p.page for p in paragraphs if p.page is not None), None)
