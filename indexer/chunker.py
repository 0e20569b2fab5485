"""Documents → chunks that follow the structure.

A chunk never crosses a document or an embedded document (办法/方案 inside a notice). Units are
never split unless too long: a 第X条 with its continuation paragraphs, a lead-in line ending in
"：" with its list, a 大事记 day entry (with its △ entries), a whole 任免 notice, a heading with the
paragraphs under it. Sibling units under one parent are merged up to a target length. A table
(indexer.tables) is a chunk of its caption and header, and a chunk for each body row, indexed with
the header name before each cell (measured on dev: adding chunks of the whole table, in row groups,
changed nothing); lone rows are cut into row groups that repeat their first row. A 大事记 chunk is indexed under its day's date. Chunk text is verbatim
paragraph text; what retrieval indexes besides is Chunk.index_text (embedding_text).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .chronicle import day_words, is_day_heading
from .models import Chunk, Document, Paragraph
from .tables import row_index_text
from .text import is_lead_in

TokenCounter = Callable[[str], int]
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[。；！？])")
TABLE_KINDS = ("table_caption", "table_header", "table_row")


def _is_structured_row(p: Paragraph) -> bool:
    """A body row of a recognised table: a unit and a chunk of its own."""
    return p.kind == "table_row" and p.table is not None


def _parent(p: Paragraph) -> tuple[str, ...]:
    return p.heading_path[:-1] if p.kind != "heading" else p.heading_path


def _scope(p: Paragraph) -> tuple[str, ...]:
    """The embedded document a paragraph belongs to: chunks never cross it."""
    return p.heading_path[:2] if len(p.heading_path) > 1 else p.heading_path[:1]


def structural_units(doc: Document) -> list[list[Paragraph]]:
    """Paragraphs grouped into the smallest units that must stay together."""
    body = [p for p in doc.paragraphs if p.kind != "title"]  # every chunk carries the title already
    if doc.type == "任免":
        return [body] if body else []
    units: list[list[Paragraph]] = []
    for p in body:
        prev = units[-1] if units else None
        if prev is None or _scope(prev[0]) != _scope(p):
            units.append([p])
        elif doc.type == "大事记":
            # a day entry starts a unit; △ entries and broken lines belong to the last day
            if is_day_heading(p.text) or p.kind == "signature":
                units.append([p])
            else:
                prev.append(p)
        elif _is_structured_row(p) or p.kind == "table_caption":
            units.append([p])
        elif p.kind == "table_header":
            if prev[-1].kind == "table_caption":
                prev.append(p)
            else:
                units.append([p])
        elif p.kind == "table_row":
            if prev[-1].kind == "table_row" or is_lead_in(prev[-1].text) or prev[-1].kind == "heading":
                prev.append(p)
            else:
                units.append([p])
        elif prev[-1].kind == "heading" and p.kind != "heading":
            prev.append(p)  # a heading stays with what it heads
        elif p.kind in ("text", "signature") and not p.text.startswith("第") and prev[-1].kind not in TABLE_KINDS and p.heading_path == prev[-1].heading_path:
            prev.append(p)  # continuation paragraph of the same 条 / item
        elif p.kind == "list_item" and is_lead_in(prev[0].text) and len(p.heading_path) >= len(prev[0].heading_path):
            prev.append(p)  # a list stays with its lead-in line
        else:
            units.append([p])
    return units


def _longest_prefix_within(text: str, max_tokens: int, count: TokenCounter) -> int:
    """Length of the longest prefix of text that fits in max_tokens (binary search)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[:mid]) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _split_long_text(text: str, max_tokens: int, count: TokenCounter) -> list[str]:
    """Cut one over-long paragraph at sentence ends (each piece is a verbatim substring)."""
    pieces, current = [], ""
    for sent in (s for s in _SENTENCE_SPLIT_RE.split(text) if s):
        if current and count(current + sent) > max_tokens:
            pieces.append(current)
            current = ""
        while count(sent) > max_tokens:  # a sentence longer than the limit: cut by characters
            cut = _longest_prefix_within(sent, max_tokens, count)
            pieces.append(sent[:cut])
            sent = sent[cut:]
        current += sent
    if current:
        pieces.append(current)
    return pieces


def _table_groups(rows: list[Paragraph], max_tokens: int, count: TokenCounter) -> list[list[tuple[Paragraph, str]]]:
    """Row groups under the token limit, each starting with the table's header row."""
    lead = [r for r in rows if r.kind != "table_row"]
    table = [r for r in rows if r.kind == "table_row"]
    if not table:
        return [[(r, r.text) for r in rows]]
    header, body = table[0], table[1:]
    prefix = [(r, r.text) for r in lead] + [(header, header.text)]
    groups: list[list[tuple[Paragraph, str]]] = []
    current = list(prefix)
    for row in body:
        if len(current) > len(prefix) and count("\n".join(t for _, t in current + [(row, row.text)])) > max_tokens:
            groups.append(current)
            current = list(prefix)
        current.append((row, row.text))
    groups.append(current)
    return groups


def _pieces(unit: list[Paragraph], max_tokens: int, count: TokenCounter) -> list[list[tuple[Paragraph, str]]]:
    """A unit as one or more pieces within the token limit, cut at paragraph then sentence ends."""
    if any(p.kind == "table_row" for p in unit):
        return _table_groups(unit, max_tokens, count)
    pieces: list[list[tuple[Paragraph, str]]] = [[]]
    for p in unit:
        texts = [p.text] if count(p.text) <= max_tokens else _split_long_text(p.text, max_tokens, count)
        for t in texts:
            cur = pieces[-1]
            if cur and count("\n".join([x for _, x in cur] + [t])) > max_tokens:
                pieces.append([])
            pieces[-1].append((p, t))
    return [pc for pc in pieces if pc]


def chunk_document(doc: Document, count: TokenCounter, max_tokens: int = 512, target_chars: int = 500) -> list[Chunk]:
    """The chunks of one document, in reading order."""
    groups: list[list[tuple[Paragraph, str]]] = []
    last_parent: tuple[str, ...] | None = None
    for unit in structural_units(doc):
        for piece in _pieces(unit, max_tokens, count):
            parent = (_scope(piece[0][0]), _parent(piece[0][0]))
            text_len = sum(len(t) for _, t in piece)
            can_merge = (
                groups
                and doc.type not in ("大事记",)
                and parent == last_parent
                and piece[0][0].kind not in TABLE_KINDS
                and groups[-1][-1][0].kind not in TABLE_KINDS
                and sum(len(t) for _, t in groups[-1]) + text_len <= target_chars
                and count("\n".join([t for _, t in groups[-1]] + [t for _, t in piece])) <= max_tokens
            )
            if can_merge:
                groups[-1].extend(piece)
            else:
                groups.append(list(piece))
            last_parent = parent
    return [_make_chunk(doc, k, g, count) for k, g in enumerate(groups)]


def _common_path(paths: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    paths = list(paths)
    out: list[str] = []
    for parts in zip(*paths):
        if all(x == parts[0] for x in parts):
            out.append(parts[0])
        else:
            break
    return tuple(out)


def _index_text(group: list[tuple[Paragraph, str]], text: str) -> str | None:
    """What retrieval should read for a chunk instead of its verbatim text, or None (the text)."""
    first = group[0][0]
    if len(group) == 1 and _is_structured_row(first):
        return row_index_text(first.table)
    if first.day:
        return f"{day_words(first.day, first.day_end)}\n{text}"
    return None


def _make_chunk(doc: Document, k: int, group: list[tuple[Paragraph, str]], count: TokenCounter) -> Chunk:
    text = "\n".join(t for _, t in group)
    paragraph_ids = tuple(dict.fromkeys(p.paragraph_id for p, _ in group))
    return Chunk(
        chunk_id=f"{doc.doc_id}-c{k:04d}",
        doc_id=doc.doc_id,
        index=k,
        paragraph_ids=paragraph_ids,
        heading_path=_common_path(p.heading_path for p, _ in group) or (doc.title,),
        text=text,
        n_tokens=count(text),
        docnum=doc.docnum,
        title=doc.title,
        date=doc.date,
        type=doc.type,
        issuer=doc.issuer,
        index_text=_index_text(group, text),
        day=group[0][0].day,
    )


def chunk_documents(docs: list[Document], count: TokenCounter, max_tokens: int = 512, target_chars: int = 500) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, count, max_tokens, target_chars)]


def embedding_text(chunk: Chunk) -> str:
    """What the embedder and BM25 see: the document label and section path give the chunk context;
    a table row reads with its header and caption, a 大事记 entry under its date."""
    label = f"{chunk.title}（{chunk.docnum}）" if chunk.docnum else chunk.title
    path = " > ".join(chunk.heading_path[1:])
    body = chunk.index_text or chunk.text
    return f"{label}\n{path}\n{body}" if path else f"{label}\n{body}"
