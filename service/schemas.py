"""The HTTP API's request and response models, kept apart from the internal types.

Conversions from the internal types (Document, Hit, Answer, Citation) live here as `from_*`
class methods, so the routes stay one call deep.
"""
from __future__ import annotations

import math
import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from indexer.models import Document, Paragraph
from service.results import ANSWER_MODES, SEARCH_MODES, Answer, Citation, Filters, GenerationRecord, Hit

SearchMode = Literal["hybrid", "bm25", "dense"]
assert set(get_args(SearchMode)) == set(SEARCH_MODES)  # keep in step with service.results
AnswerMode = Literal["extractive", "generated"]
assert set(get_args(AnswerMode)) == set(ANSWER_MODES)
ANSWER_MODE_TEXT = (
    "extractive: quoted sentences; generated: a language model writes the answer from the same passages "
    "and every sentence is checked against them (the extractive answer when a check fails). "
    "Unset: the service's default (GAZETTE_ANSWER_MODE)"
)

MAX_HISTORY_MESSAGES = 40
MAX_HISTORY_CHARS = 20_000
MAX_FEEDBACK_CITATIONS_BYTES = 200_000

# "Not blank": a character that is not whitespace as Python's str.strip() sees it. Spelled out,
# because \S means different things to Python, ECMAScript and Rust regexes (U+001D, U+FEFF).
NOT_BLANK_PATTERN = (
    r"[^\t\n\u000b\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)

# The JSON schema of a question-like text: not blank, at most settings.max_question_chars long.
# The code checks both (deps.checked_question); `x-max-length-setting` is replaced by the
# setting's value as `maxLength` when the app builds its OpenAPI document (service/openapi.py).
QUESTION_TEXT_SCHEMA = {"minLength": 1, "pattern": NOT_BLANK_PATTERN, "x-max-length-setting": "max_question_chars"}

# JSON bodies are validated strictly: "0" is not an integer and 0 is not a boolean, as the schema says.
STRICT_BODY = ConfigDict(strict=True)


def _json_integer(value):
    """JSON Schema's integer: a whole number, 11.0 included; not "11", not true (strict mode alone
    would refuse 11.0, which the schema allows)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("int_type", "Input should be a valid integer")


def json_int(**constraints):
    """The type of an integer field of a strict JSON body, with Field constraints (ge, le)."""
    # the constraints go before the validator, or the JSON schema gets `ge`/`le` instead of minimum/maximum
    return Annotated[int, Field(**constraints), BeforeValidator(_json_integer)]


def document_url(doc_id: str, paragraph_index: int | None = None) -> str:
    """The web page of a document, optionally anchored at one paragraph (`#p{index}`)."""
    return f"/documents/{doc_id}" + (f"#p{paragraph_index}" if paragraph_index is not None else "")


def paragraph_index(paragraph_id: str) -> int | None:
    """The index of a paragraph from its id `{doc_id}-p{index:04d}`; None if it has another shape."""
    _, sep, tail = paragraph_id.rpartition("-p")
    return int(tail) if sep and tail.isdigit() else None


def finite_or_none(x: float | None) -> float | None:
    """A score as JSON can carry it: NaN and infinities become null."""
    return float(x) if x is not None and math.isfinite(x) else None


def highlight_spans(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Character offsets [start, end) of every occurrence of any term in `text`, merged and sorted.

    Case-insensitive for Latin letters; offsets count Unicode code points. Overlapping or touching
    spans are merged into one.
    """
    spans = sorted(
        (m.start(), m.end())
        for term in {t.strip() for t in terms if t and t.strip()}
        for m in re.finditer(re.escape(term), text, re.IGNORECASE)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# ---- requests ----------------------------------------------------------------------------


class HistoryMessage(BaseModel):
    model_config = STRICT_BODY

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CHARS)


YEAR_TEXT = "a signing year, inclusive (year_from after year_to matches nothing)"
Year = Annotated[int | None, Field(ge=1900, le=2100, description=YEAR_TEXT)]
DocType = Annotated[str | None, Field(max_length=50, description="a document type, e.g. 通知")]
Issuer = Annotated[str | None, Field(max_length=200, description="a substring of the issuer")]


class _FilterFields(BaseModel):
    """The filter fields shared by the ask body and the search query string.

    A range whose year_from is after its year_to is not an error: no year is in it, so it
    matches nothing (an OpenAPI schema cannot state an order between two fields, and what it
    cannot state, the API does not reject)."""

    def to_filters(self) -> Filters:
        return Filters(
            year_from=self.year_from,
            year_to=self.year_to,
            type=(self.type or "").strip() or None,
            issuer=(self.issuer or "").strip() or None,
        )


class FiltersIn(_FilterFields):
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


class SearchParams(_FilterFields):
    """The query string of GET /api/search."""

    q: str = Field(
        description="the query; must not be blank (length limit: settings)", json_schema_extra=QUESTION_TEXT_SCHEMA
    )
    k: int = Field(10, ge=1, le=50, description="how many passages")
    mode: SearchMode = "hybrid"
    year_from: Year = None
    year_to: Year = None
    type: DocType = None
    issuer: Issuer = None


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


# ---- responses ---------------------------------------------------------------------------


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


class SearchResult(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    docnum: str | None
    title: str
    date: str | None
    type: str
    issuer: str | None
    section: str
    text: str
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) offsets (Unicode code points) of matched query terms in text"
    )
    score: float | None
    url: str

    @classmethod
    def from_hit(cls, hit: Hit) -> SearchResult:
        c = hit.chunk
        first = paragraph_index(c.paragraph_ids[0]) if c.paragraph_ids else None
        return cls(
            rank=hit.rank,
            chunk_id=c.chunk_id,
            doc_id=c.doc_id,
            docnum=c.docnum,
            title=c.title,
            date=c.date,
            type=c.type,
            issuer=c.issuer,
            section=c.section,
            text=c.text,
            highlights=highlight_spans(c.text, hit.matched_terms),
            score=finite_or_none(hit.score),
            url=document_url(c.doc_id, first),
        )


class SearchResponse(BaseModel):
    query: str
    mode: SearchMode = Field(description="the retrieval mode used (echoed from the request)")
    results: list[SearchResult]
    timing_ms: dict[str, float] = Field(description="the engine's stage timings plus `total`")


class IssueOut(BaseModel):
    year: int
    number: str
    total: str


class ValidityOut(BaseModel):
    effective: str | None = None
    expires: str | None = None
    statement: str | None = None
    repeals: list[str] = []


class DocumentSummary(BaseModel):
    doc_id: str
    docnum: str | None
    title: str
    issuer: str | None
    date: str | None
    type: str
    issue: IssueOut | None
    validity: ValidityOut | None
    url: str

    @classmethod
    def from_document(cls, doc: Document) -> DocumentSummary:
        return cls(**doc.summary(), url=document_url(doc.doc_id))


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class ParagraphOut(BaseModel):
    paragraph_id: str
    index: int
    heading_path: list[str]
    text: str
    kind: str
    page: int | None = Field(None, description="the printed page it starts on (PDF sources)")
    table: dict | None = Field(
        None,
        description="kind table_header / table_row: {caption, header, cells, inherited}; `cells` as printed (the text is "
                    "them joined by a tab), `inherited` empty or as long as `cells`: for a blank leading cell under a "
                    "cell merged over rows, the value printed above",
    )
    day: str | None = Field(None, description="kind chronicle (大事记): ISO date of the day it is listed under")
    day_end: str | None = Field(None, description="kind chronicle: the last day when it is listed under a range (12—13日)")

    @classmethod
    def from_paragraph(cls, p: Paragraph) -> ParagraphOut:
        return cls(
            paragraph_id=p.paragraph_id,
            index=p.index,
            heading_path=list(p.heading_path),
            text=p.text,
            kind=p.kind,
            page=p.page,
            table=p.table.as_dict() if p.table else None,
            day=p.day,
            day_end=p.day_end,
        )


class DocumentResponse(DocumentSummary):
    embedded_titles: list[str] = []
    source_file: str = Field(description="the file it was read from; GET source_url gives the original")
    source_format: str = Field(description="text | pdf | html | docx")
    source_pages: int | None = Field(None, description="the source file's page count (PDF)")
    source_url: str
    paragraphs: list[ParagraphOut]

    @classmethod
    def from_document(cls, doc: Document) -> DocumentResponse:
        return cls(
            **doc.summary(),
            url=document_url(doc.doc_id),
            source_file=doc.source_file,
            source_format=doc.source_format,
            source_pages=doc.source_pages,
            source_url=f"/api/documents/{doc.doc_id}/source",
            embedded_titles=list(doc.embedded_titles),
            paragraphs=[ParagraphOut.from_paragraph(p) for p in doc.paragraphs],
        )


class ErrorDetail(BaseModel):
    detail: str


class ValidationErrorItem(BaseModel):
    """One field error, as FastAPI reports it (also `input`, `ctx`)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: list[ValidationErrorItem] | str = Field(
        description="the field errors; or one sentence when a question is blank or too long"
    )


ERROR_TEXT = {
    400: "A domain error (e.g. filters that match nothing)",
    401: "Missing or wrong admin token",
    404: "Not found",
    413: "Request body too large",
    422: "Invalid request",
    429: "Too many requests from this client (rate limit)",
    503: "Index or store unavailable",
}


def error_responses(*codes: int) -> dict:
    """OpenAPI entries for the `{"detail": ...}` errors a route answers with; a 422 is either
    FastAPI's list of field errors or one sentence."""
    return {
        c: {"model": ValidationErrorOut if c == 422 else ErrorDetail, "description": ERROR_TEXT.get(c, "Error")}
        for c in codes
    }


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


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    model: str



# ---- OpenAI-compatible chat (/v1) --------------------------------------------------------

OPENAI_MODEL_ID = "liaocheng-gazette"


class ChatUserMessage(BaseModel):
    """A user turn. The last one is the question; earlier ones are history. Every user turn is
    held to the question rules (not blank, at most settings.max_question_chars characters)."""

    model_config = STRICT_BODY

    role: Literal["user"]
    content: str = Field(json_schema_extra=QUESTION_TEXT_SCHEMA)
    name: str | None = None


class ChatOtherMessage(BaseModel):
    """A system, developer or assistant turn. Assistant turns become history (clipped to
    MAX_HISTORY_CHARS); system and developer turns are accepted and ignored."""

    model_config = STRICT_BODY

    role: Literal["system", "developer", "assistant"]
    content: str | None = None
    name: str | None = None


ChatMessage = Annotated[ChatUserMessage | ChatOtherMessage, Field(discriminator="role")]


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat-completions request, text only. Sampling options (temperature, max_tokens,
    ...) are accepted and ignored: answers are extracted, not generated."""

    model_config = STRICT_BODY

    model: str = Field(
        max_length=200, description=f"any name is accepted; the answer says `{OPENAI_MODEL_ID}`"
    )
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="the conversation; it must hold a user message (the last one is the question)",
        json_schema_extra={"contains": {"type": "object", "properties": {"role": {"const": "user"}}, "required": ["role"]}},
    )
    stream: bool = False
    answer_mode: AnswerMode | None = Field(None, description=ANSWER_MODE_TEXT)

    def question_and_history(self) -> tuple[str, list[dict]]:
        """The last user message, and the user/assistant turns before it (the newest
        MAX_HISTORY_MESSAGES, each clipped to MAX_HISTORY_CHARS) as AskRequest history."""
        last = max(i for i, m in enumerate(self.messages) if m.role == "user")
        history = [
            {"role": m.role, "content": m.content[:MAX_HISTORY_CHARS]}
            for m in self.messages[:last]
            if m.role in ("user", "assistant") and m.content and m.content.strip()
        ]
        return self.messages[last].content, history[-MAX_HISTORY_MESSAGES:]

    @field_validator("messages")
    @classmethod
    def _has_a_user_message(cls, v: list) -> list:
        if v and not any(m.role == "user" for m in v):
            raise ValueError("messages must include a user message (the question)")
        return v


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class Reference(BaseModel):
    """One source of an answer: the [n] marker in the text, the document, the verbatim quote."""

    n: int
    docnum: str | None
    title: str
    date: str | None
    quote: str
    url: str = Field(description="absolute link to the quoted paragraph")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """cl100k_base token counts of the conversation sent and of the answer (nothing is billed)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str = Field(description="the answer's id; feedback refers to it (POST /api/feedback answer_id)")
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    answered: bool = Field(description="false when the gazettes do not hold the answer (a refusal)")
    answer_mode: AnswerMode = Field("extractive", description="what wrote the answer")
    fallback: str | None = Field(None, description="why the extractive answer is shown although a generated one was asked for")
    references: list[Reference]


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    """One `data:` event of a stream; the last one (finish_reason "stop") carries `answered`
    and `references`."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    answered: bool | None = None
    answer_mode: AnswerMode | None = None
    fallback: str | None = None
    references: list[Reference] | None = None


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """Errors of /v1 routes, in OpenAI's shape (the SDKs read `error.message`)."""

    error: OpenAIErrorBody


# ---- Dify external knowledge API (POST /retrieval) ---------------------------------------


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
