"""GET /api/corpus: what the pages call the corpus, and who issued its documents."""
from __future__ import annotations

from pydantic import BaseModel, Field


class CorpusInfo(BaseModel):
    name: str = Field(description='what the pages call the corpus, e.g. "聊城市人民政府公报"')
    documents: int
    issuers: list[str] = Field(description="issuing organs of the indexed documents, most documents first")
