"""The HTTP API's request and response models, kept apart from the internal types.

Conversions from the internal types (Document, Hit, Answer, Citation) live here as `from_*`
class methods, so the routes stay one call deep.
"""
from __future__ import annotations

import math
import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from indexer.models import Document, Paragraph
from service.results import SEARCH_MODES, Answer, Citation, Filters, Hit

SearchMode = Literal["hybrid", "bm25", "dense"]
assert set(get_args(SearchMode)) == set(SEARCH_MODES)  # keep in step with service.results

MAX_HISTORY_MESSAGES = 40
MAX_HISTORY_CHARS = 20_000
MAX_FEEDBACK_CITATIONS_BYTES = 200_000


def document_url(doc_id: str, paragraph_index: int | None = None) -> str:
    """The web page of a document, optionally anchored at one paragraph (`#p{index}`)."""
    return f"/documents/{doc_id}" + (f"#p{paragraph_index}" if paragraph_index is not None else "")


def paragraph_index(paragraph_id: str) -> int | None:
    """The index of a paragraph from its id `{doc_id}-p{index:04d}`; None if it has another shape."""
    _, sep, tail = paragraph_id.rpartition("-p")
    return int(tail) if sep and tail.isdigit() else None


def finite_or_none(x: float | None) -> float | None:
    """A score as JSON can carry it: NaN and infinities become null."""
    return float(x) if x is not None and math.isfinite(x) else None


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


# ---- requests ----------------------------------------------------------------------------


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CHARS)


Year = Annotated[int | None, Field(ge=1900, le=2100, description="a signing year, inclusive")]
DocType = Annotated[str | None, Field(max_length=50, description="a document type, e.g. 通知")]
Issuer = Annotated[str | None, Field(max_length=200, description="a substring of the issuer")]


class _FilterFields(BaseModel):
    """The filter fields shared by the ask body and the search query string."""

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise ValueError("year_from must not be after year_to")
        return self

    def to_filters(self) -> Filters:
        return Filters(
            year_from=self.year_from,
            year_to=self.year_to,
            type=(self.type or "").strip() or None,
            issuer=(self.issuer or "").strip() or None,
        )


class FiltersIn(_FilterFields):
    """Optional restrictions on retrieval."""

    year_from: Year = None
    year_to: Year = None
    type: DocType = None
    issuer: Issuer = None


class AskRequest(BaseModel):
    question: str = Field(description="the question; must not be blank (length limit: settings)")
    history: list[HistoryMessage] = Field(default_factory=list, max_length=MAX_HISTORY_MESSAGES)
    top_k: int | None = Field(None, ge=1, le=20)
    filters: FiltersIn | None = None
    mode: SearchMode = "hybrid"

    def history_dicts(self) -> list[dict]:
        return [m.model_dump() for m in self.history]

    def engine_filters(self) -> Filters | None:
        return self.filters.to_filters() if self.filters else None


class SearchParams(_FilterFields):
    """The query string of GET /api/search."""

    q: str = Field(description="the query; must not be blank (length limit: settings)")
    k: int = Field(10, ge=1, le=50, description="how many passages")
    mode: SearchMode = "hybrid"
    year_from: Year = None
    year_to: Year = None
    type: DocType = None
    issuer: Issuer = None


class FeedbackRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field("", max_length=20_000)
    citations: list[dict] = Field(default_factory=list, max_length=50)
    helpful: bool
    comment: str | None = Field(None, max_length=2000)

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question must not be empty")
        return v

    @field_validator("citations")
    @classmethod
    def _citations_not_huge(cls, v: list[dict]) -> list[dict]:
        from pydantic_core import to_json

        if len(to_json(v, fallback=str)) > MAX_FEEDBACK_CITATIONS_BYTES:
            raise ValueError(f"citations too large (max {MAX_FEEDBACK_CITATIONS_BYTES} bytes as JSON)")
        return v


# ---- responses ---------------------------------------------------------------------------


class CitationOut(BaseModel):
    n: int
    doc_id: str
    docnum: str | None
    title: str
    date: str | None
    section: str
    quote: str
    paragraph_id: str
    url: str
    score: float | None

    @classmethod
    def from_citation(cls, c: Citation) -> CitationOut:
        return cls(
            n=c.n,
            doc_id=c.doc_id,
            docnum=c.docnum,
            title=c.title,
            date=c.date,
            section=c.section,
            quote=c.quote,
            paragraph_id=c.paragraph_id,
            url=c.url,
            score=finite_or_none(c.score),
        )


class AskResponse(BaseModel):
    answer: str
    answered: bool
    citations: list[CitationOut]
    notes: list[str] = Field([], description="validity / newer-figure remarks, also in the answer text")
    mode: SearchMode = Field(description="the retrieval mode used (echoed from the request)")
    timing_ms: dict[str, float] = Field(description="the engine's timings plus `total`, the whole call")

    @classmethod
    def from_answer(cls, answer: Answer, mode: str, timing_ms: dict[str, float]) -> AskResponse:
        return cls(
            answer=answer.answer,
            answered=answer.answered,
            citations=[CitationOut.from_citation(c) for c in answer.citations],
            notes=list(answer.notes),
            mode=mode,
            timing_ms=timing_ms,
        )


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

    @classmethod
    def from_hit(cls, hit: Hit) -> SearchResult:
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
        )


class SearchResponse(BaseModel):
    query: str
    mode: SearchMode = Field(description="the retrieval mode used (echoed from the request)")
    results: list[SearchResult]
    timing_ms: dict[str, float] = Field(description="the engine's stage timings plus `total`")


class IssueOut(BaseModel):
    year: int
    number: str
    total: str


class ValidityOut(BaseModel):
    effective: str | None = None
    expires: str | None = None
    statement: str | None = None
    repeals: list[str] = []


class DocumentSummary(BaseModel):
    doc_id: str
    docnum: str | None
    title: str
    issuer: str | None
    date: str | None
    type: str
    issue: IssueOut | None
    validity: ValidityOut | None
    url: str

    @classmethod
    def from_document(cls, doc: Document) -> DocumentSummary:
        return cls(**doc.summary(), url=document_url(doc.doc_id))


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class ParagraphOut(BaseModel):
    paragraph_id: str
    index: int
    heading_path: list[str]
    text: str
    kind: str

    @classmethod
    def from_paragraph(cls, p: Paragraph) -> ParagraphOut:
        return cls(
            paragraph_id=p.paragraph_id,
            index=p.index,
            heading_path=list(p.heading_path),
            text=p.text,
            kind=p.kind,
        )


class DocumentResponse(DocumentSummary):
    embedded_titles: list[str] = []
    paragraphs: list[ParagraphOut]

    @classmethod
    def from_document(cls, doc: Document) -> DocumentResponse:
        return cls(
            **doc.summary(),
            url=document_url(doc.doc_id),
            embedded_titles=list(doc.embedded_titles),
            paragraphs=[ParagraphOut.from_paragraph(p) for p in doc.paragraphs],
        )


class ErrorDetail(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict:
    """OpenAPI entries for the `{"detail": "..."}` errors a route answers with."""
    text = {404: "Unknown document", 413: "Question too long", 503: "Index or store unavailable"}
    return {c: {"model": ErrorDetail, "description": text.get(c, "Error")} for c in codes}


class FeedbackCreated(BaseModel):
    id: int


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    model: str

