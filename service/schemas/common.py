"""What the API's models share: the retrieval and answer modes, the rules of a question's text and
of a strict JSON body, the filter fields, links to a document's page, and the `{"detail"}` errors."""
from __future__ import annotations

import math
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from service.results import ANSWER_MODES, SEARCH_MODES, Filters


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


YEAR_TEXT = "a signing year, inclusive (year_from after year_to matches nothing)"
Year = Annotated[int | None, Field(ge=1900, le=2100, description=YEAR_TEXT)]
DocType = Annotated[str | None, Field(max_length=50, description="a document type, e.g. 通知")]
Issuer = Annotated[str | None, Field(max_length=200, description="a substring of the issuer")]


class FilterFields(BaseModel):
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


class TableRowOut(BaseModel):
    """A table row's cells with the header and caption they read under (indexer.models.TableRow)."""

    caption: str | None = Field(None, description="the line printed above the table, e.g. 主要指标")
    header: list[str] = Field(description="the header row's cells")
    cells: list[str] = Field(description="this row's cells as printed; the paragraph text is them joined by a tab")
    inherited: list[str] = Field(
        [], description="empty, or as long as `cells`: for a blank leading cell under a cell merged over rows, "
                        "the value printed above (never part of the text)")
