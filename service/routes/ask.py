"""Answering: POST /api/ask (one JSON answer) and POST /api/chat (the same, as server-sent events)."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic_core import to_json

from indexer.errors import GazetteError
from service.answer_records import new_answer_id, record_answer
from service.deps import EngineDep, SettingsDep, checked_question
from service.schemas import AskRequest, AskResponse, error_responses

if TYPE_CHECKING:
    from service.engine import Engine

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["ask"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
SSE_DOC = {
    200: {
        "description": "text/event-stream: `event: citations` (data: list of citations), several "
        '`event: delta` (data: {"text": piece}), then `event: done` '
        '(data: {"answered", "answer", "notes", "mode", "timing_ms"}); `event: error` (data: {"detail"}) on failure',
        "content": {"text/event-stream": {}},
    }
}


@router.post("/ask", responses=error_responses(400, 413, 422, 503))
def ask_question(request: Request, body: AskRequest, engine: EngineDep, settings: SettingsDep) -> AskResponse:
    """Answer a question, citing and quoting the gazette paragraphs it rests on."""
    question = checked_question(body.question, settings)
    response = answer_with_timing(engine, question, body)
    record_answer(request, question, response)
    return response


@router.post("/chat", response_class=StreamingResponse, responses={**SSE_DOC, **error_responses(413, 422)})
async def chat_question(
    request: Request, body: AskRequest, engine: EngineDep, settings: SettingsDep
) -> StreamingResponse:
    """Answer a question as server-sent events: citations, then the text in pieces, then done."""
    question = checked_question(body.question, settings)
    return StreamingResponse(
        answer_events(engine, question, body, request), media_type="text/event-stream", headers=SSE_HEADERS
    )


def answer_with_timing(engine: Engine, question: str, body: AskRequest) -> AskResponse:
    """Call the engine (blocking) and shape its Answer for the API, timing the whole call.
    The answer gets a new id; record_answer keeps it under that id."""
    started = time.perf_counter()
    answer = engine.ask(
        question,
        history=body.history_dicts(),
        top_k=body.top_k,
        filters=body.engine_filters(),
        mode=body.mode,
    )
    timing = {**answer.timing_ms, "total": round((time.perf_counter() - started) * 1000, 1)}
    return AskResponse.from_answer(answer, body.mode, timing, new_answer_id())


async def answer_events(
    engine: Engine, question: str, body: AskRequest, request: Request | None = None
) -> AsyncIterator[str]:
    """The SSE stream of one answer; errors become an `error` event (headers are already sent)."""
    try:
        response = await run_in_threadpool(answer_with_timing, engine, question, body)
        if request is not None:
            await run_in_threadpool(record_answer, request, question, response)
        yield sse_event("citations", [c.model_dump() for c in response.citations])
        for piece in split_answer(response.answer):
            yield sse_event("delta", {"text": piece})
        done = response.model_dump(include={"id", "answered", "answer", "notes", "mode", "timing_ms"})
        yield sse_event("done", done)
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
