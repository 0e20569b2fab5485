"""Liveness and index size: GET /healthz."""
from __future__ import annotations

from fastapi import APIRouter

from service.deps import EngineDep
from service.schemas.health import Health

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(engine: EngineDep) -> Health:
    """The service is up; how many documents and chunks it serves, with which embedding model."""
    return Health(
        status="ok",
        documents=len(engine.documents()),
        chunks=len(engine.chunks),
        model=engine.model_name,
    )
