"""Answering: POST /api/ask (one JSON answer) and POST /api/chat (the same, as server-sent events)."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic_core import to_json
from starlette.concurrency import iterate_in_threadpool

from indexer.errors import GazetteError
from indexer.settings import Settings
from service import answering
from service.answer_records import new_answer_id, record_answer
from service.deps import EngineDep, SettingsDep, checked_question
from service.results import Answer, AnswerEvent
from service.schemas.ask import AskRequest, AskResponse, CitationOut
from service.schemas.common import error_responses

if TYPE_CHECKING:
    from service.engine import Engine

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["ask"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
SSE_DOC = {
    200: {
        "description": "text/event-stream: `event: citations` (data: list of citations), several "
        '`event: delta` (data: {"text": piece}), then `event: done` '
        '(data: {"id", "answered", "answer", "notes", "mode", "answer_mode", "fallback", "check", "timing_ms"}); '
        "a generated answer that fails its checks after its text was streamed is followed by "
        '`event: replace` (data: {"answer", "answered", "notes", "citations", "answer_mode", "fallback"}: the extractive '
        'answer, to show instead) before done; `event: error` (data: {"detail"}) on failure',
        "content": {"text/event-stream": {}},
    }
}


@router.post("/ask", responses=error_responses(400, 413, 422, 503))
def ask_question(request: Request, body: AskRequest, engine: EngineDep, settings: SettingsDep) -> AskResponse:
    """Answer a question, citing and quoting the gazette paragraphs it rests on."""
    question = checked_question(body.question, settings)
    response = answer_with_timing(engine, question, body, settings)
    record_answer(request, question, response)
    return response


@router.post("/chat", response_class=StreamingResponse, responses={**SSE_DOC, **error_responses(413, 422)})
async def chat_question(
    request: Request, body: AskRequest, engine: EngineDep, settings: SettingsDep
) -> StreamingResponse:
    """Answer a question as server-sent events: citations, then the text in pieces, then done."""
    question = checked_question(body.question, settings)
    return StreamingResponse(
        answer_events(engine, question, body, request, settings), media_type="text/event-stream", headers=SSE_HEADERS
    )


def engine_events(engine: Engine, question: str, body: AskRequest, settings: Settings) -> Iterator[AnswerEvent]:
    """The answer to the request as events (blocking), from the one entry point, service/answering.py."""
    return answering.answer_events(engine, settings, question, history=body.history_dicts(), top_k=body.top_k,
                                   filters=body.engine_filters(), mode=body.mode, answer_mode=body.answer_mode)


def answer_with_timing(engine: Engine, question: str, body: AskRequest, settings: Settings) -> AskResponse:
    """Answer (blocking) and shape the Answer for the API, timing the whole call.
    The answer gets a new id; record_answer keeps it under that id."""
    started = time.perf_counter()
    answer = next(e.answer for e in engine_events(engine, question, body, settings) if e.kind == "final")
    return to_response(answer, body, started)


def to_response(answer: Answer, body: AskRequest, started: float) -> AskResponse:
    timing = {**answer.timing_ms, "total": round((time.perf_counter() - started) * 1000, 1)}
    return AskResponse.from_answer(answer, body.mode, timing, new_answer_id())


DONE_FIELDS = {"id", "answered", "answer", "notes", "mode", "answer_mode", "fallback", "check", "timing_ms"}


async def answer_events(
    engine: Engine, question: str, body: AskRequest, request: Request | None = None, settings: Settings | None = None
) -> AsyncIterator[str]:
    """The SSE stream of one answer; errors become an `error` event (headers are already sent).

    Citations first, then the text in pieces, then done. A generated answer streams the model's
    text as it comes; the checks run on the whole text before done, and when they fail a
    `replace` event carries the extractive answer that is shown instead.
    """
    from indexer.settings import get_settings

    settings = settings or get_settings()
    started = time.perf_counter()
    try:
        streamed = False
        cited = None
        async for event in iterate_in_threadpool(engine_events(engine, question, body, settings)):
            if event.kind == "passages":
                cited = event.answer.citations
                yield sse_event("citations", [CitationOut.from_citation(c).model_dump() for c in cited])
            elif event.kind == "delta":
                streamed = True
                yield sse_event("delta", {"text": event.text})
            elif event.kind == "final":
                response = to_response(event.answer, body, started)
                if request is not None:
                    await run_in_threadpool(record_answer, request, question, response)
                citations = [c.model_dump() for c in response.citations]
                if streamed and response.answer_mode != "generated":
                    replacement = response.model_dump(include={"answer", "answered", "notes", "answer_mode", "fallback"})
                    yield sse_event("replace", {**replacement, "citations": citations})
                elif not streamed:
                    if cited is None or [c.n for c in cited] != [c["n"] for c in citations]:
                        yield sse_event("citations", citations)
                    for piece in split_answer(response.answer):
                        yield sse_event("delta", {"text": piece})
                yield sse_event("done", response.model_dump(include=DONE_FIELDS))
    except GazetteError as e:
        yield sse_event("error", {"detail": str(e)})
    except Exception:
        logger.exception("answering %r failed", question)
        yield sse_event("error", {"detail": "internal error while answering"})


def sse_event(name: str, data) -> str:
    """One server-sent event. The JSON is on one line (newlines inside strings are escaped)
    and NaN/infinite numbers become null, so every data line parses with JSON.parse."""
    payload = to_json(data, inf_nan_mode="null").decode()
    return f"event: {name}\ndata: {payload}\n\n"


_ATOM = re.compile(r"\[\d+\]|.", re.S)  # a citation marker [n] is never split
_SENTENCE_END = set("。！？；!?;\n")
_CLOSERS = set("”’」』）)》】")


def split_answer(text: str, max_chars: int = 20) -> list[str]:
    """Pieces of `text` for streaming: cut after sentence ends, else every ~max_chars characters.

    Closing quotes and brackets stay with the sentence they end, citation markers such as [12]
    are never cut, and "".join(pieces) == text.
    """
    pieces: list[str] = []
    current = ""
    sentence_ended = False
    for atom in _ATOM.findall(text):
        if sentence_ended and atom not in _CLOSERS:
            pieces.append(current)
            current = ""
        current += atom
        sentence_ended = atom in _SENTENCE_END or (sentence_ended and atom in _CLOSERS)
        if not sentence_ended and len(current) >= max_chars:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces
