"""The admin API (/api/admin/...): the upload limit, what an upload or a removal did, the source
files and the ingest progress.

Kept apart from the internal types (indexer.corpus): `from_*` class methods convert.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from indexer.build import BuildReport
from indexer.corpus import DocRef, DocumentOutcome, FileOutcome, RemoveReport, SourceInfo
from service.schemas.common import ErrorDetail, document_url

MAX_UPLOAD_FILES = 20  # per request; the whole body is also capped (service.app.MAX_BODY_BYTES)


class DocRefOut(BaseModel):
    source: str = Field(description="a source file of the corpus folder")
    doc_id: str

    @classmethod
    def from_ref(cls, ref: DocRef | None) -> DocRefOut | None:
        return cls(source=ref.source, doc_id=ref.doc_id) if ref else None


class SourceDocument(BaseModel):
    """A document a source file holds, and whether this copy of it is the indexed one."""

    doc_id: str
    docnum: str | None = Field(description="文号 or 令 number, normalised; null when the document has none")
    title: str
    issuer: str | None
    date: str | None = Field(description="signing date, ISO (YYYY-MM-DD)")
    type: str
    indexed: bool = Field(description="this copy is in the index (false: a copy of a document another file holds)")
    duplicate_of: DocRefOut | None = Field(
        None, description="the copy of this document that is indexed instead of this one"
    )
    copies: list[DocRefOut] = Field([], description="copies of this document in other files, skipped for this one")
    url: str | None = Field(None, description="the document's page, when this copy is indexed")

    @classmethod
    def from_outcome(cls, d: DocumentOutcome, indexed: bool = True) -> SourceDocument:
        indexed = indexed and d.duplicate_of is None
        return cls(
            doc_id=d.doc_id, docnum=d.docnum, title=d.title, issuer=d.issuer, date=d.date, type=d.type,
            indexed=indexed, duplicate_of=DocRefOut.from_ref(d.duplicate_of),
            copies=[DocRefOut.from_ref(c) for c in d.copies], url=document_url(d.doc_id) if indexed else None,
        )


class UploadedFile(BaseModel):
    """What one uploaded file became."""

    filename: str = Field(description="the file name as uploaded")
    source: str | None = Field(description="its name in the corpus folder; null when it was refused")
    status: Literal["added", "replaced", "duplicate", "error"] = Field(
        description="added; replaced (a file of that name was there); duplicate (the same file is already "
        "in the corpus: not added); error (not added: see detail)"
    )
    detail: str = Field(description="one line for a person: what happened, or why the file was refused")
    documents: list[SourceDocument]

    @classmethod
    def from_outcome(cls, f: FileOutcome) -> UploadedFile:
        return cls(
            filename=f.name, source=f.source, status=f.status, detail=f.detail,
            documents=[SourceDocument.from_outcome(d, indexed=f.status in ("added", "replaced")) for d in f.documents],
        )


class IndexSummary(BaseModel):
    """The index served after the request."""

    rebuilt: bool = Field(description="false when the corpus did not change")
    documents: int
    chunks: int
    embedded: int = Field(description="chunks embedded by this rebuild (the others came from the cache)")
    reused: int = Field(description="chunk vectors taken from the embedding cache")
    seconds: float
    duplicates: list[str] = Field(description="copies of documents skipped, one line each")

    @classmethod
    def from_build(cls, b: BuildReport) -> IndexSummary:
        return cls(
            rebuilt=not b.up_to_date, documents=b.documents, chunks=b.chunks, embedded=b.embedded,
            reused=b.reused, seconds=round(b.seconds, 3), duplicates=[str(d) for d in b.duplicates],
        )

    @classmethod
    def unchanged(cls, engine) -> IndexSummary:
        return cls(
            rebuilt=False, documents=len(engine.documents()), chunks=len(engine.chunks), embedded=0, reused=0,
            seconds=0.0, duplicates=[],
        )


class UploadResponse(BaseModel):
    files: list[UploadedFile] = Field(description="one entry per uploaded file, in upload order")
    index: IndexSummary


class SourceOut(BaseModel):
    source: str = Field(description="the file's name in the corpus folder (DELETE /api/admin/documents/{source})")
    bytes: int
    indexed: bool = Field(description="false: the file is in the folder but not in the served index yet")
    error: str | None = Field(description="why the file could not be parsed at the last build")
    format: str | None = Field(None, description="text | pdf | html | docx, as the file was read (null: not indexed)")
    pages: int | None = Field(None, description="the file's page count (PDF)")
    documents: list[SourceDocument]

    @classmethod
    def from_info(cls, s: SourceInfo) -> SourceOut:
        return cls(
            source=s.source, bytes=s.bytes, indexed=s.indexed, error=s.problem, format=s.format, pages=s.pages,
            documents=[SourceDocument.from_outcome(d) for d in s.documents],
        )


class SourceList(BaseModel):
    corpus_name: str
    sources: list[SourceOut]


class RemoveResponse(BaseModel):
    source: str
    documents: list[SourceDocument] = Field(
        description="what the file held; duplicate_of: another copy of the document that stays indexed"
    )
    index: IndexSummary

    @classmethod
    def from_report(cls, report: RemoveReport) -> RemoveResponse:
        return cls(
            source=report.source,
            documents=[SourceDocument.from_outcome(d, indexed=False) for d in report.documents],
            index=IndexSummary.from_build(report.build),
        )


ADMIN_ERRORS = {
    401: {"model": ErrorDetail, "description": "Missing or wrong admin token (Authorization: Bearer …)"},
    404: {"model": ErrorDetail, "description": "Admin endpoints are off (no GAZETTE_ADMIN_TOKEN set)"},
}


class IngestProgress(BaseModel):
    """Where the running (or last) corpus change stands: for the operator page's progress bar."""

    stage: Literal["idle", "reading", "indexing", "done"] = Field(
        description="reading: a file is parsed (PDF pages, OCR); indexing: the index is rebuilt; done / idle")
    file: str | None = Field(None, description="the file being read, as uploaded")
    files_done: int = 0
    files_total: int = 0
    page: int | None = Field(None, description="the page just read of that file (PDF)")
    pages: int | None = None
