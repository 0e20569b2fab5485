"""One document, one doc_id: copies of a document found in several files are indexed once.

A gazette file added twice, a notice reprinted in a later issue, or a standalone copy of an
article saved from a website all hold a document the corpus already has. Policy: the copy is
skipped (not merged): the document is indexed from one source file, and every skipped copy is
reported with the source it yields to, so the CLI and the upload answer can say so. Because the
whole corpus is re-parsed on every build, removing the kept source brings a copy back in.

Which copy is kept does not depend on the order files were added, only on what they are, so a
rebuild from scratch keeps the same one: a copy printed in a gazette issue before a standalone
copy, the earliest issue before a reprint, then the file whose name sorts first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Document


@dataclass(frozen=True)
class Duplicate:
    """A skipped copy (source_file, doc_id) of the document indexed from kept_source."""

    source_file: str
    doc_id: str
    docnum: str | None
    title: str
    kept_source: str
    kept_doc_id: str

    @property
    def label(self) -> str:
        return f"《{self.title}》（{self.docnum}）" if self.docnum else f"《{self.title}》"

    def __str__(self) -> str:
        where = "elsewhere in the same file" if self.kept_source == self.source_file else f"in {self.kept_source}"
        return f"{self.source_file}: {self.label} is already {where}; this copy is skipped"


def identity(doc: Document) -> tuple[str, ...]:
    """What makes two documents one: the 文号 (or 令 number); without one, the title and date."""
    return ("docnum", doc.docnum) if doc.docnum else ("title", doc.title, doc.date or "")


def _first_number(s: str) -> int:
    m = re.match(r"\d+", s or "")
    return int(m[0]) if m else 0


def _preference(doc: Document, file_rank: int) -> tuple:
    """Lower is kept: printed in an issue, the earliest issue, then the file that sorts first."""
    issue = doc.issue
    return (issue is None, issue.year if issue else 0, _first_number(issue.total) if issue else 0, file_rank)


def drop_duplicates(docs: list[Document]) -> tuple[list[Document], list[Duplicate]]:
    """The documents with every copy of an already-present document taken out, in their order.

    Two articles of ONE file that share a 文号 but differ (different title or date) are both kept:
    they are the file's own content, not a copy. The same doc_id is never kept twice.
    """
    ranks = {name: k for k, name in enumerate(dict.fromkeys(d.source_file for d in docs))}
    groups: dict[tuple[str, ...], list[Document]] = {}
    for d in docs:
        groups.setdefault(identity(d), []).append(d)
    skipped: dict[int, Duplicate] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        kept = min(group, key=lambda d: _preference(d, ranks[d.source_file]))
        seen = {kept.doc_id}
        for d in group:
            if d is kept:
                continue
            if d.source_file == kept.source_file and d.doc_id not in seen:
                seen.add(d.doc_id)
                continue
            skipped[id(d)] = Duplicate(d.source_file, d.doc_id, d.docnum, d.title, kept.source_file, kept.doc_id)
    return [d for d in docs if id(d) not in skipped], [skipped[id(d)] for d in docs if id(d) in skipped]
