"""Per-client rate limits on path prefixes: /api/feedback and /api/admin/* (settings).

A middleware, not a decorator per route, so every admin route is covered whoever adds it. The
counting is slowapi's limiter (moving window, in memory: per process, reset at restart); the
client is the peer address (behind a proxy, run uvicorn with --proxy-headers so it is the
caller's). Over the limit: 429 `{"detail": "rate limit exceeded: 20 per 1 minute"}` with
Retry-After.
"""
from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from slowapi import Limiter
from slowapi.util import get_remote_address
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from indexer.settings import Settings


def limited_prefixes(settings: Settings) -> dict[str, str]:
    """Path prefix → limit, as the settings say."""
    return {"/api/feedback": settings.rate_limit_feedback, "/api/admin": settings.rate_limit_admin}


def under_prefix(path: str, prefix: str) -> bool:
    """`path` is `prefix` itself or below it (/api/admin/x, not /api/administrator)."""
    return path == prefix or path.startswith(prefix + "/")


class RateLimits:
    """Answers 429 once a client has used up the limit of the prefix the path is under."""

    def __init__(self, app: ASGIApp, prefixes: dict[str, str]):
        self.app = app
        self.rules: list[tuple[str, list[RateLimitItem]]] = [(p, parse_many(v)) for p, v in prefixes.items()]
        self.limiter = Limiter(key_func=get_remote_address, strategy="moving-window", storage_uri="memory://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            for prefix, items in self.rules:
                if under_prefix(path, prefix):
                    refusal = self._check(Request(scope), prefix, items)
                    if refusal is not None:
                        await refusal(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)

    def _check(self, request: Request, prefix: str, items: list[RateLimitItem]) -> JSONResponse | None:
        """None while within every limit; else the 429 response naming the limit that was hit."""
        client = get_remote_address(request)
        for item in items:
            if not self.limiter.limiter.hit(item, prefix, client):
                reset_at = self.limiter.limiter.get_window_stats(item, prefix, client).reset_time
                retry_after = max(1, math.ceil(reset_at - time.time()))
                return JSONResponse(
                    {"detail": f"rate limit exceeded: {item}"},
                    status_code=429,
                    headers={"Retry-After": str(retry_after)},
                )
        return None
