"""Typed records that flow through the pipeline: Document → Paragraph → Chunk."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class GazetteIssue:
    """The gazette issue an article was printed in, e.g. 2023年第8-9期（总第245-246期）."""

    year: int
    number: str  # 期, a string because double issues read "8-9"
    total: str  # 总期, e.g. "245-246"


@dataclass(frozen=True)
class Validity:
    """What a document says about its own validity (施行 date, 有效期, what it repeals)."""

    effective: str | None = None  # ISO date of 自…起施行
    expires: str | None = None  # ISO date of 有效期至…
    statement: str | None = None  # the sentence(s) as printed
    repeals: tuple[str, ...] = ()  # 文号 (or titles) of documents it repeals


@dataclass(frozen=True)
class TableRow:
    """A table row's structure: the cells as printed, with the header and caption they read under.

    `inherited` is empty, or as long as `cells`: for a blank leading cell of a row under a merged
    cell (类别 printed once for the rows it spans) it holds the value printed above, else "". It is
    never part of the row's text, which stays the printed cells joined by a tab.
    """

    caption: str | None
    header: tuple[str, ...]
    cells: tuple[str, ...]
    inherited: tuple[str, ...] = ()

    def labelled_cells(self) -> list[tuple[str, str]]:
        """(header name, value) of every non-blank cell, inherited values included, in column order."""
        out = []
        for k, cell in enumerate(self.cells):
            value = cell or (self.inherited[k] if k < len(self.inherited) else "")
            if value:
                out.append((self.header[k] if k < len(self.header) else "", value))
        return out

    def as_dict(self) -> dict:
        return {"caption": self.caption, "header": list(self.header), "cells": list(self.cells), "inherited": list(self.inherited)}

    @classmethod
    def from_dict(cls, d: dict) -> "TableRow":
        return cls(d.get("caption"), tuple(d["header"]), tuple(d["cells"]), tuple(d.get("inherited", ())))


@dataclass(frozen=True)
class Paragraph:
    """One logical paragraph of an article, its text repaired but otherwise verbatim."""

    paragraph_id: str  # f"{doc_id}-p{index:04d}"
    doc_id: str
    index: int
    heading_path: tuple[str, ...]  # e.g. ("聊城市烈士褒扬办法", "第三章 褒扬", ...)
    text: str
    # title | text | heading | list_item | table_caption | table_header | table_row | signature | chronicle | appointment
    kind: str = "text"
    page: int | None = None  # the printed page it starts on (PDF sources); None where the source has no pages
    table: TableRow | None = None  # table_header and table_row paragraphs: the row's cells and header
    day: str | None = None  # 大事记 paragraphs: ISO date of the day heading it is listed under (a range's first day)
    day_end: str | None = None  # the last day of a range heading ("12—13日"); None for one day


@dataclass
class Document:
    """One article of a gazette: an official document, a report or a chronicle month."""

    doc_id: str
    docnum: str | None  # normalised 文号, e.g. 聊政办字〔2018〕76号
    title: str
    issuer: str | None
    date: str | None  # ISO signing date
    type: str  # 令 | 通知 | 意见 | 印发 | 任免 | 大事记 | 报告
    issue: GazetteIssue | None
    validity: Validity | None
    source_file: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    embedded_titles: tuple[str, ...] = ()  # titles of 办法/方案/… carried by a covering notice
    source_format: str = "text"  # the form its file was published in: text | pdf | html | docx
    source_pages: int | None = None  # the page count of its file (PDF)

    @property
    def year(self) -> int | None:
        """The signing year; for an undated article (a 大事记) the gazette issue's year."""
        if self.date:
            return int(self.date[:4])
        return self.issue.year if self.issue else None

    @property
    def label(self) -> str:
        """How an answer cites it: 《title》（文号）, or 《title》 where there is no 文号."""
        return f"《{self.title}》（{self.docnum}）" if self.docnum else f"《{self.title}》"

    def summary(self) -> dict:
        """The metadata of `gazette docs --json` and the API."""
        return {
            "doc_id": self.doc_id,
            "docnum": self.docnum,
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date,
            "type": self.type,
            "issue": asdict(self.issue) if self.issue else None,
            "validity": _validity_dict(self.validity),
        }


def _validity_dict(v: Validity | None) -> dict | None:
    if v is None:
        return None
    d = asdict(v)
    d["repeals"] = list(v.repeals)
    return d


@dataclass(frozen=True)
class Chunk:
    """The unit of retrieval: verbatim paragraphs of one document under one heading path."""

    chunk_id: str  # f"{doc_id}-c{index:04d}"
    doc_id: str
    index: int
    paragraph_ids: tuple[str, ...]
    heading_path: tuple[str, ...]
    text: str  # the paragraphs' texts joined by "\n"
    n_tokens: int
    # document metadata carried for filtering and display
    docnum: str | None
    title: str
    date: str | None
    type: str
    issuer: str | None
    # What retrieval indexes in place of `text` when the paragraphs need their context spelt out:
    # a table row with its caption and header names ("caption｜类别 民生福祉｜指标 …"). None: `text`.
    index_text: str | None = None
    day: str | None = None  # a 大事记 chunk: ISO date of its day (a range's first day)

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)
