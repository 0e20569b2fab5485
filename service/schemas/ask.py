"""POST /api/ask: the question (with history, filters and modes) and the answer with its citations."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from service.results import Answer, Citation, Filters, GenerationRecord
from service.schemas.common import (
    TableRowOut,
    ANSWER_MODE_TEXT,
    MAX_HISTORY_CHARS,
    MAX_HISTORY_MESSAGES,
    QUESTION_TEXT_SCHEMA,
    STRICT_BODY,
    YEAR_TEXT,
    AnswerMode,
    DocType,
    FilterFields,
    Issuer,
    SearchMode,
    finite_or_none,
    json_int,
)


class HistoryMessage(BaseModel):
    model_config = STRICT_BODY

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CHARS)


class FiltersIn(FilterFields):
    """Optional restrictions on retrieval."""

    model_config = STRICT_BODY

    year_from: Annotated[json_int(ge=1900, le=2100) | None, Field(description=YEAR_TEXT)] = None
    year_to: Annotated[json_int(ge=1900, le=2100) | None, Field(description=YEAR_TEXT)] = None
    type: DocType = None
    issuer: Issuer = None


class AskRequest(BaseModel):
    model_config = STRICT_BODY

    question: str = Field(
        description="the question; must not be blank (length limit: settings)", json_schema_extra=QUESTION_TEXT_SCHEMA
    )
    history: list[HistoryMessage] = Field(default_factory=list, max_length=MAX_HISTORY_MESSAGES)
    top_k: json_int(ge=1, le=20) | None = None
    filters: FiltersIn | None = None
    mode: SearchMode = "hybrid"
    answer_mode: AnswerMode | None = Field(None, description=ANSWER_MODE_TEXT)

    def history_dicts(self) -> list[dict]:
        return [m.model_dump() for m in self.history]

    def engine_filters(self) -> Filters | None:
        return self.filters.to_filters() if self.filters else None


class CitationOut(BaseModel):
    n: int
    doc_id: str
    docnum: str | None
    title: str
    date: str | None
    section: str
    quote: str
    paragraph_id: str
    url: str
    score: float | None
    page: int | None = Field(None, description="the printed page of the quote, for a PDF source (第N页)")
    table: TableRowOut | None = Field(None, description="a quoted table row: its caption, header and cells (the quote is the cells joined by a tab)")

    @classmethod
    def from_citation(cls, c: Citation) -> CitationOut:
        return cls(
            n=c.n,
            doc_id=c.doc_id,
            docnum=c.docnum,
            title=c.title,
            date=c.date,
            section=c.section,
            quote=c.quote,
            paragraph_id=c.paragraph_id,
            url=c.url,
            score=finite_or_none(c.score),
            page=c.page,
            table=TableRowOut(**c.table.as_dict()) if c.table else None,
        )


class GenerationCheck(BaseModel):
    """How a generated answer fared in the checks (present whenever generation was tried)."""

    passed: bool = Field(description="every check passed (a refusal by the model passes)")
    failed_check: str | None = Field(
        description="empty_answer | unknown_citation | uncited_sentence | figure_not_in_source | llm_unavailable"
    )
    refusal: bool = Field(description="the model said the passages do not hold the answer")
    sentences: int
    figures_ok: int = Field(description="sentences whose figures all lie in the passages they cite")
    first_token_ms: float | None
    llm_ms: float | None

    @classmethod
    def from_record(cls, r: GenerationRecord) -> GenerationCheck:
        return cls(passed=r.passed, failed_check=r.failed_check, refusal=r.refusal, sentences=r.sentences,
                   figures_ok=r.figures_ok, first_token_ms=r.first_token_ms, llm_ms=r.llm_ms)


class AskResponse(BaseModel):
    id: str = Field(description="this answer's id; feedback refers to it (POST /api/feedback answer_id)")
    answer: str
    answered: bool
    citations: list[CitationOut]
    notes: list[str] = Field([], description="validity / newer-figure remarks, also in the answer text")
    mode: SearchMode = Field(description="the retrieval mode used (echoed from the request)")
    answer_mode: AnswerMode = Field("extractive", description="what wrote the answer shown")
    fallback: str | None = Field(
        None, description="why the extractive answer is shown although a generated one was asked for "
        "(e.g. `figure_not_in_source: 3000元`, `llm_unavailable: …`, `llm_not_configured: …`)"
    )
    check: GenerationCheck | None = Field(None, description="the checks of the generated text, when generation was tried")
    timing_ms: dict[str, float] = Field(description="the engine's timings plus `total`, the whole call")

    @classmethod
    def from_answer(cls, answer: Answer, mode: str, timing_ms: dict[str, float], answer_id: str) -> AskResponse:
        return cls(
            id=answer_id,
            answer=answer.answer,
            answered=answer.answered,
            citations=[CitationOut.from_citation(c) for c in answer.citations],
            notes=list(answer.notes),
            mode=mode,
            answer_mode=answer.answer_mode,
            fallback=answer.fallback,
            check=GenerationCheck.from_record(answer.generation) if answer.generation else None,
            timing_ms=timing_ms,
        )
