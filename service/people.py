"""People the gazettes appoint or remove, read from its 任免 notices: their names stay whole.

jieba cuts a name it does not know (齐现强 → 齐现/强, "马新明被任命" → 马新/明), so a question about
a person would match only pieces of the name, and the pieces look like words the corpus never
uses. Every name a 任免 notice's lines begin with ("齐现强为…", "孟宪奇的…职务", "狄胜涛、闫振勇为…")
is kept as one key term. Read from the corpus, so a new notice brings its people.
"""
from __future__ import annotations

import re

from . import vocabulary as V

NAMES_RE = re.compile(V.APPOINTED_NAMES)


def appointed_people(documents) -> list[str]:
    """The names that begin the lines of the corpus' 任免 notices, longest first."""
    names: set[str] = set()
    for doc in documents:
        if doc.type != V.APPOINTMENT_TYPE:
            continue
        for p in doc.paragraphs:
            m = NAMES_RE.match(p.text.strip()) if p.kind not in ("title", "heading", "signature") else None
            if m:
                names.update(m["names"].split("、"))
    return sorted(names, key=lambda n: (-len(n), n))
