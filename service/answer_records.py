"""Every answer the API gives: an id, a row in the answer log (for feedback), its outcome in the
request log line and on the answered/refused counters.

/api/ask, /api/chat and /v1/chat/completions all call `record_answer` once per answer.
"""
from __future__ import annotations

import uuid

from fastapi import Request

from service.request_log import note_answer
from service.schemas.ask import AskResponse


def new_answer_id() -> str:
    """A fresh answer id: `ans_` and 32 hex digits (random, so ids say nothing about volume)."""
    return f"ans_{uuid.uuid4().hex}"


def route_of(request: Request) -> str:
    """The route template that served the request (/api/ask), or its path if none matched."""
    route = request.scope.get("route")
    return getattr(route, "path", None) or request.url.path


def record_answer(request: Request, question: str, response: AskResponse) -> None:
    """Keep the answer under its id, note its outcome for the log line, count it.

    The answer log's SQLite write happens in the store's writer thread, off the request's time. A
    store that cannot be written is logged there, not raised: the user still gets the answer, and
    feedback naming its id is then answered 503 (the store is down) or 404.
    """
    route = route_of(request)
    citations = [c.model_dump() for c in response.citations]
    request.app.state.feedback.queue_answer(response.id, route, question, response.answer, citations, response.answered)
    note_answer(request, question, answered=response.answered, citations=len(citations))
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.count_answer(route, response.answered)
