"""The corpus, for its operator: POST/GET /api/admin/documents, DELETE /api/admin/documents/{source}.

Off unless GAZETTE_ADMIN_TOKEN is set (404), and then only with that bearer token (401). An upload
or a removal rebuilds the index and the service swaps to it without a restart (service.ingest).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile, status

from indexer.corpus import list_sources
from service.scope import corpus_name
from indexer.errors import CorpusChangeRefused, SourceNotFound
from service import ingest
from service.auth import AdminDep
from service.deps import EngineDep, SettingsDep
from service.schemas.admin import (
    ADMIN_ERRORS,
    MAX_UPLOAD_FILES,
    IndexSummary,
    IngestProgress,
    RemoveResponse,
    SourceList,
    SourceOut,
    UploadedFile,
    UploadResponse,
)
from service.schemas.common import ErrorDetail

router = APIRouter(prefix="/api/admin", tags=["admin"])

UPLOAD_ERRORS = {
    **ADMIN_ERRORS,
    400: {"model": ErrorDetail, "description": "The body is not valid multipart/form-data"},
    413: {"model": ErrorDetail, "description": "Request body too large"},
}


@router.post("/documents", responses=UPLOAD_ERRORS)
def upload_documents(
    _: AdminDep,
    request: Request,
    files: Annotated[
        list[UploadFile],
        File(
            min_length=1,
            max_length=MAX_UPLOAD_FILES,
            description="gazette issues or standalone government documents as published: PDF (text layer or "
            "scanned), a saved web page (HTML), DOCX or UTF-8 text; the format is read from the content (form "
            f"field `files`, repeated; at most {MAX_UPLOAD_FILES}; the request at most GAZETTE_MAX_UPLOAD_MB)",
        ),
    ],
) -> UploadResponse:
    """Add files to the corpus and serve the new index: per file, the documents it became or its error."""
    # each upload stays on disk (starlette spooled it there), copied into one folder that goes with the request
    settings = request.app.state.settings
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".upload-", dir=settings.cache_dir) as spool:
        uploads = []
        for k, f in enumerate(files):
            path = Path(spool) / str(k)
            try:
                with path.open("wb") as out:
                    shutil.copyfileobj(f.file, out, 1 << 20)
            finally:
                f.file.close()
            uploads.append((f.filename or "", path))
        report = ingest.add_uploads(request.app.state, uploads)
    index = IndexSummary.from_build(report.build) if report.build else IndexSummary.unchanged(request.app.state.engine)
    return UploadResponse(files=[UploadedFile.from_outcome(f) for f in report.files], index=index)


@router.get("/progress", responses=ADMIN_ERRORS)
def ingest_progress(_: AdminDep, request: Request) -> IngestProgress:
    """Where the running upload stands (file, page, indexing), polled by the operator page."""
    step = getattr(request.app.state, "ingest_step", None)
    if step is None:
        return IngestProgress(stage="idle")
    return IngestProgress(stage=step.stage, file=step.file, files_done=step.files_done, files_total=step.files_total,
                          page=step.page, pages=step.pages)


@router.get("/documents", responses=ADMIN_ERRORS)
def list_source_files(_: AdminDep, engine: EngineDep, settings: SettingsDep) -> SourceList:
    """Every source file of the corpus folder with the documents it holds."""
    docs = engine.documents()
    return SourceList(
        corpus_name=corpus_name(docs, settings.corpus_name),
        sources=[SourceOut.from_info(s) for s in list_sources(settings, docs)],
    )


@router.delete(
    "/documents/{source}",
    responses={
        **ADMIN_ERRORS,
        404: {"model": ErrorDetail, "description": "No such source file, or admin endpoints are off"},
        409: {"model": ErrorDetail, "description": "Refused: the index would be left with no documents"},
    },
)
def remove_source_file(_: AdminDep, request: Request, source: str) -> RemoveResponse:
    """Take a source file out of the corpus and serve the new index."""
    try:
        report = ingest.remove(request.app.state, source)
    except SourceNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from None
    except CorpusChangeRefused as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from None
    return RemoveResponse.from_report(report)
