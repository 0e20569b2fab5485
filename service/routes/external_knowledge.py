"""Dify's external knowledge API: POST /retrieval.

Dify sends `Authorization: Bearer <key>` and {knowledge_id, query, retrieval_setting: {top_k,
score_threshold}}; it gets back `records` of {content, score, title, metadata}. The endpoint is
off (404) until settings.retrieval_key is set. Errors are in the shape Dify documents:
`{"error_code": ..., "error_msg": ...}` — 1001 (401, with WWW-Authenticate) for a missing or
malformed Authorization header, 1002 (403) for a wrong key, 2001 (404) for an unknown knowledge
id or while the endpoint is off. Dify's current page leaves the statuses to the service (any
non-200 is an error to Dify; an older page said 403 for both auth errors); 401 is HTTP's status
for missing credentials.

Scores: passages are ranked as /api/search ranks them (hybrid: BM25 and vectors fused by
reciprocal rank, Σ 1/(60 + rank)). A score is that fused value divided by the best possible one
(first in both rankings, 2/61), so 1.0 means ranked first by both retrievers, about 0.5 first by
one of them only, and the score falls with the rank. It measures agreement of the two rankings
for this query, not a calibrated probability; score_threshold filters on it.
"""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from indexer.settings import Settings
from service.deps import EngineDep, SettingsDep, absolute_url, checked_question
from service.results import Hit
from service.retrieval import RRF_K
from service.schemas.common import document_url, error_responses, paragraph_index
from service.schemas.external_knowledge import (
    ExternalKnowledgeError,
    RecordMetadata,
    RetrievalRecord,
    RetrievalRequest,
    RetrievalResponse,
)

MAX_TOP_K = 50
BEST_FUSED_SCORE = 2.0 / (RRF_K + 1)  # first in both the BM25 and the vector ranking

router = APIRouter(tags=["dify"])
_bearer = HTTPBearer(
    auto_error=False, scheme_name="RetrievalKey", description="the retrieval key (GAZETTE_RETRIEVAL_KEY)"
)


class ExternalKnowledgeFailure(Exception):
    """An error answered in Dify's shape (handled by `external_knowledge_error_handler`)."""

    def __init__(self, status_code: int, error_code: int, error_msg: str, headers: dict[str, str] | None = None):
        super().__init__(error_msg)
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.headers = headers


async def external_knowledge_error_handler(request: Request, exc: ExternalKnowledgeFailure) -> JSONResponse:
    return JSONResponse(
        {"error_code": exc.error_code, "error_msg": exc.error_msg}, status_code=exc.status_code, headers=exc.headers
    )


def require_retrieval_key(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """404 (2001) while no key is set; 401 (1001) for a missing or malformed header; 403 (1002)
    for a wrong key. A dependency, so it runs before the body is validated."""
    key = settings.retrieval_key
    if key is None:
        raise ExternalKnowledgeFailure(
            404, 2001, "The knowledge does not exist: the external knowledge API is off (set GAZETTE_RETRIEVAL_KEY)"
        )
    if credentials is None:
        raise ExternalKnowledgeFailure(
            401, 1001, "Invalid Authorization header format. Expected 'Bearer <api-key>' format.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    # constant-time comparison: response time says nothing about how much of the key was right
    if not hmac.compare_digest(credentials.credentials.encode(), key.get_secret_value().encode()):
        raise ExternalKnowledgeFailure(403, 1002, "Authorization failed")


ERRORS = {
    401: {"model": ExternalKnowledgeError, "description": "1001: missing or malformed Authorization header"},
    403: {"model": ExternalKnowledgeError, "description": "1002: wrong key"},
    404: {"model": ExternalKnowledgeError, "description": "2001: unknown knowledge id, or the endpoint is off"},
}


@router.post(
    "/retrieval",
    responses={**ERRORS, **error_responses(413, 422)},
    dependencies=[Depends(require_retrieval_key)],
)
async def retrieve_passages(
    request: Request, body: RetrievalRequest, engine: EngineDep, settings: SettingsDep
) -> RetrievalResponse:
    """Dify external knowledge: the passages best matching `query`, scored 0–1."""
    if body.knowledge_id != settings.retrieval_knowledge_id:
        raise ExternalKnowledgeFailure(404, 2001, "The knowledge does not exist")
    query = checked_question(body.query, settings, name="query")
    top_k = min(body.retrieval_setting.top_k, MAX_TOP_K)
    if top_k == 0:
        return RetrievalResponse(records=[])
    hits = await run_in_threadpool(engine.search, query, k=top_k)
    records = [record(request, settings, h) for h in hits]
    threshold = body.retrieval_setting.score_threshold
    return RetrievalResponse(records=[r for r in records if r.score >= threshold])


def relevance(hit: Hit) -> float:
    """The hit's fused score as a share of the best possible one, in [0, 1] (see the module doc)."""
    return round(min(1.0, max(0.0, hit.score / BEST_FUSED_SCORE)), 4)


def record(request: Request, settings: Settings, hit: Hit) -> RetrievalRecord:
    c = hit.chunk
    first = paragraph_index(c.paragraph_ids[0]) if c.paragraph_ids else None
    return RetrievalRecord(
        content=c.text,
        score=relevance(hit),
        title=c.title,
        metadata=RecordMetadata(
            doc_id=c.doc_id,
            docnum=c.docnum,
            date=c.date,
            url=absolute_url(request, settings, document_url(c.doc_id, first)),
            section=c.section,
        ),
    )
