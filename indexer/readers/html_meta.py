"""A portal page's metadata table (索引号, 发文机关, 成文日期, 标题, 发文字号 …) → meta fields.

Portals print it as a table of label and value cells, a list, or an info bar ("发布时间：… 来源：…"),
so it is found by its labels (html_labels), not by its markup: labels close together make a group,
and a group with two kinds of label, one of them a strong one, near the top of the page is the
metadata table (a data table's heading row "名称 来源" is not). Its text is taken out of the tree
so that the body's lines do not repeat it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from . import html_labels as V

_CELL_TAGS = frozenset(
    "td th li dt dd p div h1 h2 h3 h4 h5 h6 tr table tbody thead ul ol dl section article header footer "
    "nav aside main form body center blockquote caption".split()
)


def _label_keys() -> dict[str, str | None]:
    """Printed label (no spaces) → meta key; None for labels taken out and not kept."""
    keys: dict[str, str | None] = {}
    for key, labels in V.CANONICAL_LABELS.items():
        for label in labels:
            keys.setdefault(label, key)
    for label in V.OTHER_LABELS:
        keys.setdefault(label, label)
    for label in V.IGNORED_LABELS:
        keys.setdefault(label, None)
    return keys


_LABEL_KEYS = _label_keys()
_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, lab)) for lab in sorted(_LABEL_KEYS, key=len, reverse=True))
# a label and its colon: at the start of a text, or after a space or bracket ("发布时间：… 来源：…")
_LABEL_COLON_RE = re.compile(rf"(?:^|(?<=[\s|｜】\]）)]))[【\[]?\s*(?P<label>{_LABEL_ALT})\s*[:：]")
# a text that is a label and nothing else (a table cell "索 引 号" with the value in the next cell)
_LABEL_ONLY_RE = re.compile(rf"\s*[【\[]?\s*(?P<label>{_LABEL_ALT})\s*[:：]?\s*[】\]]?\s*")
_VALUE_STRIP = " \t\r\n\f\v\xa0\u3000【】[]|｜"
MAX_LABEL_GAP = 60  # characters of other text between two labels of one metadata table
MAX_VALUE_CHARS = 300  # a value in the cell beside its label (a long title fits)


def squeeze(s: str) -> str:
    """The text without its whitespace: a label may be printed "索 引 号" or "标　　题"."""
    return re.sub(r"\s+", "", s)


@dataclass
class _Token:
    """One text node of the page (an element's text or tail), not blank."""

    node: etree._ElementUnicodeResult
    cell: etree._Element  # the nearest cell or block around it
    offset: int  # characters of page text before it (spaces not counted)


@dataclass
class _Hit:
    label: str  # as printed, spaces removed
    value: str
    colon: bool
    tokens: list[int]  # indexes of the tokens it takes (the first may keep text before the label)
    prefix: str = ""  # text of the first token before the label

    @property
    def key(self) -> str | None:
        return _LABEL_KEYS[self.label]

    @property
    def kind(self) -> str:  # what the label names, for counting distinct labels
        return self.key or self.label


def _tokens(body: etree._Element) -> list[_Token]:
    out: list[_Token] = []
    offset = 0
    for node in body.xpath(".//text()"):
        if not node.strip():
            continue
        owner = node.getparent()
        if node.is_tail:
            owner = owner.getparent()
        cell = owner
        while cell is not None and cell.tag not in _CELL_TAGS:
            cell = cell.getparent()
        out.append(_Token(node, cell if cell is not None else owner, offset))
        offset += len(squeeze(node))
    return out


def _starts_with_label(text: str) -> bool:
    return bool(_LABEL_COLON_RE.match(text) or _LABEL_ONLY_RE.fullmatch(text))


def _value_after(toks: list[_Token], i: int, label: str) -> tuple[str, int]:
    """The value of a label that ends token i: the rest of its cell, else the next cell when the
    label's cell holds the label alone. (value, index of the token after it)."""
    cell = toks[i].cell
    j, parts = i + 1, []
    while j < len(toks) and toks[j].cell is cell and not _starts_with_label(toks[j].node):
        parts.append(str(toks[j].node))
        j += 1
    if parts:
        return "".join(parts), j
    nxt = cell.getnext()
    if nxt is None or squeeze(cell.text_content()) != squeeze(label):
        return "", j  # the next cell is a value only beside a cell that holds the label alone
    if len(squeeze(nxt.text_content())) > MAX_VALUE_CHARS:
        return "", j  # the document's body, not a field's value
    inside = set(nxt.iter())
    while j < len(toks) and toks[j].cell in inside and not _starts_with_label(toks[j].node):
        parts.append(str(toks[j].node))
        j += 1
    return "".join(parts), j


def _find_hits(toks: list[_Token]) -> list[_Hit]:
    hits: list[_Hit] = []
    i = 0
    while i < len(toks):
        text = str(toks[i].node)
        spans = list(_LABEL_COLON_RE.finditer(text))
        if spans:
            found = [
                _Hit(squeeze(m["label"]), text[m.end() : spans[k + 1].start() if k + 1 < len(spans) else len(text)], True, [i])
                for k, m in enumerate(spans)
            ]
            found[0].prefix = text[: spans[0].start()]
            last_label = text[spans[-1].start() :]
        elif m := _LABEL_ONLY_RE.fullmatch(text):
            found = [_Hit(squeeze(m["label"]), "", False, [i])]
            last_label = text
        else:
            i += 1
            continue
        j = i + 1
        last = found[-1]
        if not last.value.strip(_VALUE_STRIP):
            last.value, j = _value_after(toks, i, last_label)
            last.tokens += range(i + 1, j)
        if not found[0].colon and (not last.value.strip(_VALUE_STRIP)):
            i += 1  # a bare word with no value beside it: a column heading ("名称"), no label
            continue
        hits.extend(found)
        i = j
    return hits


def _clusters(hits: list[_Hit], toks: list[_Token]) -> list[list[_Hit]]:
    groups: list[list[_Hit]] = []
    for h in hits:
        if groups:
            prev = groups[-1][-1]
            gap = sum(len(squeeze(toks[k].node)) for k in range(max(prev.tokens) + 1, min(h.tokens)))
            if gap + len(squeeze(h.prefix)) <= MAX_LABEL_GAP:
                groups[-1].append(h)
                continue
        groups.append([h])
    return groups


def _is_metadata(group: list[_Hit], toks: list[_Token], total: int) -> bool:
    kinds = {h.kind for h in group}
    strong = kinds & V.STRONG_LABELS
    if len(kinds) < 2 or not strong:
        return False
    if not any(h.colon for h in group) and len(strong) < 2:  # bare words: a data table's heading row looks alike
        return False
    return toks[group[0].tokens[0]].offset <= max(5000, total // 2)  # near the top of the page


def _set_node_text(node: etree._ElementUnicodeResult, value: str) -> None:
    owner = node.getparent()
    if node.is_tail:
        owner.tail = value
    else:
        owner.text = value


def take_metadata(body: etree._Element) -> dict[str, str]:
    """The metadata table's fields (canonical keys, see html_labels), its text taken out of the tree."""
    toks = _tokens(body)
    total = toks[-1].offset + len(squeeze(toks[-1].node)) if toks else 0
    taken: list[_Hit] = []
    for group in _clusters(_find_hits(toks), toks):
        if _is_metadata(group, toks, total):
            taken.extend(group)
    cleared: set[int] = set()
    for h in taken:
        for k in h.tokens:
            if k in cleared:
                continue
            cleared.add(k)
            keep = h.prefix if k == h.tokens[0] and h.prefix.strip() else ""
            _set_node_text(toks[k].node, keep)
    found: dict[str, str] = {}
    for h in taken:
        value = " ".join(h.value.split()).strip(_VALUE_STRIP)
        if value:
            found.setdefault(h.label, value)
    meta: dict[str, str] = {}
    for key, labels in V.CANONICAL_LABELS.items():
        for label in labels:
            if label in found:
                meta[key] = found[label]
                break
    for label in V.OTHER_LABELS:
        if label in found:
            meta.setdefault(label, found[label])
    return meta
