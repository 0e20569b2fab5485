"""GET /api/search: the query string and the ranked passages, with the query terms highlighted."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from service.results import Hit
from service.schemas.common import (
    QUESTION_TEXT_SCHEMA,
    DocType,
    FilterFields,
    Issuer,
    SearchMode,
    Year,
    document_url,
    finite_or_none,
    paragraph_index,
)


def highlight_spans(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Character offsets [start, end) of every occurrence of any term in `text`, merged and sorted.

    Case-insensitive for Latin letters; offsets count Unicode code points. Overlapping or touching
    spans are merged into one.
    """
    spans = sorted(
        (m.start(), m.end())
        for term in {t.strip() for t in terms if t and t.strip()}
        for m in re.finditer(re.escape(term), text, re.IGNORECASE)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class SearchParams(FilterFields):
    """The query string of GET /api/search."""

    q: str = Field(
        description="the query; must not be blank (length limit: settings)", json_schema_extra=QUESTION_TEXT_SCHEMA
    )
    k: int = Field(10, ge=1, le=50, description="how many passages")
    mode: SearchMode = "hybrid"
    year_from: Year = None
    year_to: Year = None
    type: DocType = None
    issuer: Issuer = None


class SearchResult(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    docnum: str | None
    title: str
    date: str | None
    type: str
    issuer: str | None
    section: str
    text: str
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) offsets (Unicode code points) of matched query terms in text"
    )
    score: float | None
    url: str
    page: int | None = Field(None, description="the printed page the passage starts on, for a PDF source (第N页)")

    @classmethod
    def from_hit(cls, hit: Hit, page: int | None = None) -> SearchResult:
        c = hit.chunk
        first = paragraph_index(c.paragraph_ids[0]) if c.paragraph_ids else None
        return cls(
            rank=hit.rank,
            chunk_id=c.chunk_id,
            doc_id=c.doc_id,
            docnum=c.docnum,
            title=c.title,
            date=c.date,
            type=c.type,
            issuer=c.issuer,
            section=c.section,
            text=c.text,
            highlights=highlight_spans(c.text, hit.matched_terms),
            score=finite_or_none(hit.score),
            url=document_url(c.doc_id, first),
            page=page,
        )


class SearchResponse(BaseModel):
    query: str
    mode: SearchMode = Field(description="the retrieval mode used (echoed from the request)")
    results: list[SearchResult]
    timing_ms: dict[str, float] = Field(description="the engine's stage timings plus `total`")
