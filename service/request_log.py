"""The request log: one JSON line per request on the `gazette.requests` logger.

Each line holds a request id (also sent back as `X-Request-ID`), the method, the route template,
the status, the latency, and for answers whether the question was answered or refused and how
many citations the answer has. The question text is written only when settings.log_questions
is true; the query string is never written (it holds /api/search's query).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from fastapi import Request
from prometheus_fastapi_instrumentator.routing import get_route_name
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_LOGGER = "gazette.requests"
_STATE_KEY = "gazette_request_log"
# an incoming X-Request-ID is kept only if it is short and plain (it goes into logs and headers)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger(REQUEST_LOGGER)


class JsonLineFormatter(logging.Formatter):
    """A record as one JSON object: time, level, message, and the record's `fields` dict."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_request_logging(stream=None) -> None:
    """Give the request logger one JSON-lines handler on stderr (idempotent: apps may be built often)."""
    if any(getattr(h, "_gazette_json", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler._gazette_json = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def note_answer(request: Request, question: str, answered: bool, citations: int) -> None:
    """Tell the log line of this request how the question went (called by the answering routes)."""
    entry = request.scope.get("state", {}).get(_STATE_KEY)
    if entry is not None:
        entry.update(answered=answered, citations=citations, question=question)


def route_template(scope: Scope) -> str:
    """The route's template (/api/documents/{doc_id}, /static), or `unmatched`.

    FastAPI's routes leave themselves in scope["route"]; for the rest (/openapi.json, /metrics, the
    /static mount, and requests a middleware answered before routing, such as a 429) the request is
    matched against the app's routes as the /metrics labels are (prometheus-fastapi-instrumentator)."""
    route = scope.get("route")
    if getattr(route, "path", None):
        return route.path
    return get_route_name(Request(scope), should_include_root_path=False) or "unmatched"


class RequestLogMiddleware:
    """Writes the log line when the response has been sent (streams included)."""

    def __init__(self, app: ASGIApp, log_questions: bool = False):
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex[:16]
        entry: dict = {}
        scope.setdefault("state", {})[_STATE_KEY] = entry
        status = 500  # if the app fails before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "route": route_template(scope),
                "status": status,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            if "answered" in entry:
                fields["answered"] = entry["answered"]
                fields["citations"] = entry["citations"]
                if self.log_questions:
                    fields["question"] = entry["question"]
            logger.info("request", extra={"fields": fields})
