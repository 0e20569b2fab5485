"""Errors translated to HTTP at the edge: a domain error's status, and FastAPI's own HTTP errors.

A body that cannot be parsed is a 422 like any other malformed JSON, not FastAPI's bare 400:
FastAPI answers 422 (`json_invalid`) for a JSON syntax error but 400 "There was an error parsing
the body" when decoding fails otherwise (bytes that are not UTF-8/16/32, nesting too deep).
Both mean the same to a client, and the OpenAPI document promises 422.
"""
from __future__ import annotations

import logging

from fastapi import Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from indexer.errors import (
    DocumentNotFound,
    GazetteError,
    IndexMismatchError,
    IndexMissingError,
    VectorStoreUnavailable,
)
from service.feedback import FeedbackStoreError

logger = logging.getLogger(__name__)

# Domain errors that escape a route, by HTTP status; anything else of GazetteError is a 400.
ERROR_STATUS: list[tuple[type[GazetteError], int]] = [
    (DocumentNotFound, status.HTTP_404_NOT_FOUND),
    (IndexMissingError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (IndexMismatchError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (FeedbackStoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (VectorStoreUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
]

FASTAPI_PARSE_ERROR = "There was an error parsing the body"
UNPARSABLE_BODY_MESSAGE = "the body could not be read as JSON (not UTF-8, UTF-16 or UTF-32, or nested too deeply)"


def gazette_error_status(exc: GazetteError) -> int:
    """The HTTP status of a domain error (ERROR_STATUS), the same on /api and /v1."""
    return next((c for kind, c in ERROR_STATUS if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)


async def gazette_error_handler(request: Request, exc: GazetteError) -> JSONResponse:
    """A domain error that escaped a route: its message, with the status its kind calls for."""
    code = gazette_error_status(exc)
    if code >= 500:
        logger.error("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": str(exc)}, status_code=code)


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """A genuine server fault: logged with its traceback, answered with a short JSON 500."""
    logger.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def is_unparsable_body(exc: HTTPException) -> bool:
    return exc.status_code == status.HTTP_400_BAD_REQUEST and exc.detail == FASTAPI_PARSE_ERROR


def unparsable_body_errors() -> list[dict]:
    """The error list of a 422 for an unparsable body, in FastAPI's shape."""
    return [{"type": "json_invalid", "loc": ["body"], "msg": UNPARSABLE_BODY_MESSAGE, "input": None}]


def allowed_methods(request: Request) -> str:
    """Every method the API documents at this path (Starlette names only the first route's)."""
    import re

    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            methods |= {m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")}
    return ", ".join(sorted(methods))


async def http_error_handler(request: Request, exc: HTTPException) -> Response:
    """FastAPI's HTTPException handler, except that an unparsable body becomes a 422 and a 405
    lists every method of the path (GET and POST /api/admin/documents are two routes)."""
    if is_unparsable_body(exc):
        return JSONResponse({"detail": unparsable_body_errors()}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        allow = allowed_methods(request)
        if allow:
            exc = HTTPException(exc.status_code, exc.detail, headers={**(exc.headers or {}), "Allow": allow})
    return await http_exception_handler(request, exc)
