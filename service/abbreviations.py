"""Short names the gazettes define for themselves: "聊城市国土空间规划委员会（以下简称市规委会）".

A document names a body in full once, then only by its short name. A question uses either, so a
sentence is matched with its short names spelled out, and the full name with its short name:
"市规委会主任委员由市长担任" answers "国土空间规划委员会的主任委员由谁担任". The table is read from
the corpus, so another city's gazettes bring their own.
"""
from __future__ import annotations

import re

from . import vocabulary as V

DEFINITION_RE = re.compile(V.ABBREVIATION_DEFINITION)


def defined_abbreviations(texts) -> dict[str, str]:
    """Short name → full name, for every "（以下简称…）" in the texts whose full name can be found.

    The full name is the shortest stretch before the parenthesis, inside its clause, that starts
    with the short name's first character and holds all its characters in order (全体委员会议 →
    全委会). A short name that is only a piece of its full name (经济开发区 → 开发区) is left out:
    matching the full name already matches it.
    """
    out: dict[str, str] = {}
    for text in texts:
        for m in DEFINITION_RE.finditer(text):
            short = m.group("short").strip()
            full = full_name(text[: m.start()], short)
            if full and short not in full and short not in out:
                out[short] = full
    return out


def full_name(before: str, short: str) -> str | None:
    """The full name that ends `before` and abbreviates to `short`, or None."""
    clause = re.split(f"[{V.CLAUSE_PUNCTUATION}\n（）()]", before)[-1].strip()
    if len(short) < 2 or short.isascii():
        return None
    pattern = re.compile(".*?".join(map(re.escape, short)))
    for start in range(len(clause) - len(short), -1, -1):  # shortest suffix first
        if clause[start] == short[0] and pattern.match(clause[start:]):
            return clause[start:]
    return None


class NameTable:
    """The corpus' short and full names, matched in one pass: built once per corpus, used for every sentence."""

    def __init__(self, short_to_full: dict[str, str]):
        self.other = {**short_to_full, **{f: s for s, f in short_to_full.items()}}
        names = sorted(self.other, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def spelled_out(self, text: str) -> str:
        """The text, followed by the other name of every short or full name it holds."""
        if self.pattern is None:
            return text
        found = dict.fromkeys(self.other[m] for m in self.pattern.findall(text))
        return f"{text} {' '.join(found)}" if found else text
