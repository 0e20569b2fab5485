"""Retrieval without answering: GET /api/search."""
from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import EngineDep, SettingsDep, checked_question
from service.engine_protocol import EngineProtocol
from service.results import Hit
from service.schemas.common import error_responses, paragraph_index
from service.schemas.search import SearchParams, SearchResponse, SearchResult

router = APIRouter(prefix="/api", tags=["search"])


def first_page(engine: EngineProtocol, hit: Hit) -> int | None:
    """The printed page of the passage's first paragraph (PDF sources), for an agent to quote."""
    if not hit.chunk.paragraph_ids:
        return None
    pid = hit.chunk.paragraph_ids[0]
    paragraphs = engine.get_document(hit.chunk.doc_id).paragraphs
    k = paragraph_index(pid)
    if k is not None and 0 <= k < len(paragraphs) and paragraphs[k].paragraph_id == pid:
        return paragraphs[k].page
    return next((p.page for p in paragraphs if p.paragraph_id == pid), None)


@router.get("/search", responses=error_responses(400, 422, 503))
def search_passages(
    params: Annotated[SearchParams, Query()], engine: EngineDep, settings: SettingsDep
) -> SearchResponse:
    """Ranked gazette passages for a query, with the offsets of the matched terms."""
    query = checked_question(params.q, settings, name="query")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    hits = engine.search(query, k=params.k, filters=params.to_filters(), mode=params.mode, timings=timings)
    timings["total"] = round((time.perf_counter() - started) * 1000, 1)
    results = [SearchResult.from_hit(h, first_page(engine, h)) for h in hits]
    return SearchResponse(query=query, mode=params.mode, results=results, timing_ms=timings)
