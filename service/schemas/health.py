"""GET /api/health."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    model: str
