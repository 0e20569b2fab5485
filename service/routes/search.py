"""Retrieval without answering: GET /api/search."""
from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import EngineDep, SettingsDep, checked_question
from service.schemas.common import error_responses
from service.schemas.search import SearchParams, SearchResponse, SearchResult

router = APIRouter(prefix="/api", tags=["search"])


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
    results = [SearchResult.from_hit(h) for h in hits]
    return SearchResponse(query=query, mode=params.mode, results=results, timing_ms=timings)
