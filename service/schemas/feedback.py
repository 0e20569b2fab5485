"""POST /api/feedback and GET /api/admin/feedback: feedback on an answer, and pages of it."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.schemas.common import NOT_BLANK_PATTERN


MAX_FEEDBACK_CITATIONS_BYTES = 200_000


class FeedbackRequest(BaseModel):
    """Feedback on one answer: name it by `answer_id` (the `id` every answer carries), or send
    the question (and answer, citations) back as older clients do. With `answer_id`, the stored
    question, answer and citations are used and any sent ones are ignored."""

    model_config = ConfigDict(
        strict=True,
        json_schema_extra={"anyOf": [
            {"required": ["answer_id"], "properties": {"answer_id": {"type": "string"}}},
            {"required": ["question"], "properties": {"question": {"type": "string"}}},
        ]},
    )

    answer_id: str | None = Field(None, min_length=1, max_length=64, description="the `id` of the answer")
    question: str | None = Field(None, min_length=1, max_length=2000, json_schema_extra={"pattern": NOT_BLANK_PATTERN})
    answer: str = Field("", max_length=20_000)
    citations: list[dict] = Field(default_factory=list, max_length=50)
    helpful: bool
    comment: str | None = Field(None, max_length=2000)

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("question must not be empty")
        return v

    @model_validator(mode="after")
    def _names_an_answer(self):
        if self.answer_id is None and self.question is None:
            raise ValueError("send answer_id (the id of the answer), or the question")
        return self

    @field_validator("citations")
    @classmethod
    def _citations_not_huge(cls, v: list[dict]) -> list[dict]:
        from pydantic_core import to_json

        if len(to_json(v, fallback=str)) > MAX_FEEDBACK_CITATIONS_BYTES:
            raise ValueError(f"citations too large (max {MAX_FEEDBACK_CITATIONS_BYTES} bytes as JSON)")
        return v


class FeedbackCreated(BaseModel):
    id: int


class FeedbackOut(BaseModel):
    id: int
    created_at: str
    answer_id: str | None
    question: str
    answer: str
    citations: list[dict]
    helpful: bool
    comment: str | None


class FeedbackPage(BaseModel):
    feedback: list[FeedbackOut] = Field(description="newest first")
    next_before: int | None = Field(description="pass as `before` for the next (older) page; null at the end")
