"""GET /api/documents and /api/documents/{doc_id}: document summaries and one document's paragraphs."""
from __future__ import annotations

from pydantic import BaseModel, Field

from indexer.models import Document, Paragraph
from service.schemas.common import TableRowOut, document_url


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
    page: int | None = Field(None, description="the printed page it starts on (PDF sources)")
    table: TableRowOut | None = Field(None, description="kind table_header / table_row: the row's structure")
    day: str | None = Field(None, description="kind chronicle (大事记): ISO date of the day it is listed under")
    day_end: str | None = Field(None, description="kind chronicle: the last day when it is listed under a range (12—13日)")

    @classmethod
    def from_paragraph(cls, p: Paragraph) -> ParagraphOut:
        return cls(
            paragraph_id=p.paragraph_id,
            index=p.index,
            heading_path=list(p.heading_path),
            text=p.text,
            kind=p.kind,
            page=p.page,
            table=TableRowOut(**p.table.as_dict()) if p.table else None,
            day=p.day,
            day_end=p.day_end,
        )


class DocumentResponse(DocumentSummary):
    embedded_titles: list[str] = []
    source_file: str = Field(description="the file it was read from; GET source_url gives the original")
    source_format: str = Field(description="text | pdf | html | docx")
    source_pages: int | None = Field(None, description="the source file's page count (PDF)")
    source_url: str
    paragraphs: list[ParagraphOut]

    @classmethod
    def from_document(cls, doc: Document) -> DocumentResponse:
        return cls(
            **doc.summary(),
            url=document_url(doc.doc_id),
            source_file=doc.source_file,
            source_format=doc.source_format,
            source_pages=doc.source_pages,
            source_url=f"/api/documents/{doc.doc_id}/source",
            embedded_titles=list(doc.embedded_titles),
            paragraphs=[ParagraphOut.from_paragraph(p) for p in doc.paragraphs],
        )
