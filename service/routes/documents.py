"""The documents of the gazettes: GET /api/documents and GET /api/documents/{doc_id}."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from indexer.errors import DocumentNotFound
from service.deps import EngineDep
from service.schemas import DocumentList, DocumentResponse, DocumentSummary, error_responses

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
