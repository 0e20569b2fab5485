"""Dify's external knowledge API (POST /retrieval): the request, the records and Dify's error shape."""
from __future__ import annotations

from pydantic import BaseModel, Field

from service.schemas.common import QUESTION_TEXT_SCHEMA, STRICT_BODY, json_int


class RetrievalSetting(BaseModel):
    model_config = STRICT_BODY

    top_k: json_int(ge=0) = Field(description="at most this many records (more than 50 counts as 50)")
    score_threshold: float = Field(ge=0, le=1, description="only records scoring at least this; 0 = no threshold")


class RetrievalRequest(BaseModel):
    model_config = STRICT_BODY

    knowledge_id: str = Field(
        max_length=200,
        description="the knowledge id configured (settings.retrieval_knowledge_id)",
        json_schema_extra={"x-enum-setting": "retrieval_knowledge_id"},
    )
    query: str = Field(json_schema_extra=QUESTION_TEXT_SCHEMA)
    retrieval_setting: RetrievalSetting
    metadata_condition: dict | None = Field(None, description="accepted and ignored")


class RecordMetadata(BaseModel):
    doc_id: str
    docnum: str | None
    date: str | None
    url: str = Field(description="absolute link to the passage's first paragraph")
    section: str


class RetrievalRecord(BaseModel):
    content: str
    score: float = Field(ge=0, le=1)
    title: str
    metadata: RecordMetadata


class RetrievalResponse(BaseModel):
    records: list[RetrievalRecord]


class ExternalKnowledgeError(BaseModel):
    """Errors of POST /retrieval, in the shape Dify documents."""

    error_code: int = Field(description="1001 bad Authorization header, 1002 wrong key, 2001 no such knowledge")
    error_msg: str
