"""The admin token: admin endpoints exist only when GAZETTE_ADMIN_TOKEN is set, and need it as a bearer token."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False)


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """404 while no admin token is configured (the endpoints are off); 401 for a missing or wrong token."""
    token = request.app.state.settings.admin_token
    if token is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "admin endpoints are disabled: set GAZETTE_ADMIN_TOKEN")
    given = credentials.credentials if credentials else ""
    # constant-time comparison: response time says nothing about how much of the token was right
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing or wrong admin token", headers={"WWW-Authenticate": "Bearer"}
        )


AdminDep = Annotated[None, Depends(require_admin)]
