"""The documents of the gazettes: GET /api/documents, GET /api/documents/{doc_id} and its
original file, GET /api/documents/{doc_id}/source."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse

from indexer.errors import DocumentNotFound
from service.deps import EngineDep, SettingsDep
from service.schemas.common import error_responses
from service.schemas.documents import DocumentList, DocumentResponse, DocumentSummary

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("")
def list_documents(
    engine: EngineDep,
    docnum: Annotated[
        str | None, Query(max_length=100, description="a 文号 in any bracket or spacing variant")
    ] = None,
) -> DocumentList:
    """All documents' metadata, or only those with the given 文号 (an empty list if none)."""
    docs = engine.find_by_docnum(docnum.strip()) if docnum and docnum.strip() else engine.documents()
    return DocumentList(documents=[DocumentSummary.from_document(d) for d in docs])


@router.get("/{doc_id}", responses=error_responses(404))
def read_document(doc_id: str, engine: EngineDep) -> DocumentResponse:
    """One document with its metadata and every paragraph (anchors: #p{index})."""
    try:
        return DocumentResponse.from_document(engine.get_document(doc_id))
    except DocumentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown document: {doc_id}") from None


# How an original is sent. A PDF opens in the browser's viewer (at #page=N); a saved web page is
# never served as HTML from this origin, where its scripts would run: it is downloaded, sandboxed.
SOURCE_MEDIA = {
    "pdf": ("application/pdf", "inline"),
    "text": ("text/plain; charset=utf-8", "inline"),
    "html": ("application/octet-stream", "attachment"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
}


@router.get("/{doc_id}/source", responses=error_responses(404), response_class=FileResponse)
def read_document_source(doc_id: str, engine: EngineDep, settings: SettingsDep) -> FileResponse:
    """The original file the document was read from (PDF, web page, Word file or text)."""
    try:
        doc = engine.get_document(doc_id)
    except DocumentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown document: {doc_id}") from None
    path = settings.corpus_dir / doc.source_file
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the source file {doc.source_file} is not in the corpus folder")
    media, disposition = SOURCE_MEDIA.get(doc.source_format, SOURCE_MEDIA["html"])
    return FileResponse(path, media_type=media, filename=doc.source_file, content_disposition_type=disposition,
                        headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})
