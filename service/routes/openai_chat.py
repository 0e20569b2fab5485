"""OpenAI-compatible chat: GET /v1/models and POST /v1/chat/completions.

Any OpenAI client (the official SDKs, Open WebUI, Dify's OpenAI-compatible provider, ...) can
ask the gazettes. The last user message is the question and the earlier user/assistant turns
are the history; the answer is the same as /api/ask's, with its [n] markers, and the sources
are in `references` (on the response, or on the last chunk of a stream). Errors are in
OpenAI's shape `{"error": {"message", "type", "param", "code"}}`.

`answer_mode` (a body field, else GAZETTE_ANSWER_MODE) works as on /api/ask; the answer says
which mode wrote it (`answer_mode`, `fallback`). A generated answer is checked before its first
piece is sent, so an OpenAI client, which knows no `replace` event, only ever gets checked text.
"""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic_core import to_json
from starlette.exceptions import HTTPException  # FastAPI raises Starlette's for an unparsable body

from indexer.errors import GazetteError
from indexer.settings import Settings
from service.answer_records import record_answer
from service.deps import EngineDep, SettingsDep, absolute_url, checked_question
from service.http_errors import UNPARSABLE_BODY_MESSAGE, gazette_error_status, is_unparsable_body
from service.routes.ask import SSE_HEADERS, answer_with_timing, split_answer
from service.schemas.ask import AskRequest, AskResponse
from service.schemas.common import error_responses
from service.schemas.openai_chat import (
    OPENAI_MODEL_ID,
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChunkChoice,
    ChunkDelta,
    ModelCard,
    ModelList,
    OpenAIError,
    Reference,
    Usage,
)

if TYPE_CHECKING:
    from service.engine import Engine

logger = logging.getLogger(__name__)

STARTED = int(time.time())  # the model card's `created`


def openai_error(status_code: int, message: str, param: str | None = None, code: str | None = None) -> JSONResponse:
    """An error response in OpenAI's shape; `type` follows OpenAI's names for the status."""
    kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}.get(
        status_code, "invalid_request_error" if status_code < 500 else "server_error"
    )
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status_code)


def validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    """The first field error as one sentence, and the field's dotted path (OpenAI's `param`)."""
    errors = exc.errors()
    if not errors:
        return "invalid request", None
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ()) if part != "body"]
    param = ".".join(loc) or None
    msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return (f"{param}: {msg}" if param else msg), param


class OpenAIErrorRoute(APIRoute):
    """A route whose errors (validation, HTTP, domain) come out in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as e:
                message, param = validation_message(e)
                return openai_error(status.HTTP_422_UNPROCESSABLE_CONTENT, message, param)
            except HTTPException as e:
                if is_unparsable_body(e):
                    return openai_error(status.HTTP_422_UNPROCESSABLE_CONTENT, UNPARSABLE_BODY_MESSAGE)
                return openai_error(e.status_code, str(e.detail))
            except GazetteError as e:
                return openai_error(gazette_error_status(e), str(e))

        return handle


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIErrorRoute)

ERRORS = {
    400: {"model": OpenAIError, "description": "A domain error"},
    **error_responses(413),  # answered by the body-size middleware, before any route: `{"detail"}`
    422: {"model": OpenAIError, "description": "Invalid request (e.g. no user message, a blank or too long question)"},
    503: {"model": OpenAIError, "description": "Index unavailable"},
}
STREAM_DOC = {
    "description": "`stream: false`: a chat.completion. `stream: true`: text/event-stream of "
    "`data: {chat.completion.chunk}` events (role, then the text in pieces, then a chunk with "
    '`finish_reason: "stop"`, `answered` and `references`), then `data: [DONE]`; a failure '
    'while streaming is a `data: {"error": {...}}` event before [DONE].',
    "content": {
        "text/event-stream": {
            "schema": {  # one event (OpenAPI 3.1: `schema` describes each event of a stream)
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "string", "description": "a chat.completion.chunk or an error as JSON, or [DONE]"},
                    "event": {"type": "string"},
                },
            }
        }
    },
}


@router.get("/models")
def list_models() -> ModelList:
    """The one model this service offers."""
    return ModelList(data=[ModelCard(id=OPENAI_MODEL_ID, created=STARTED, owned_by="liaocheng-gazette-qa")])


@router.post("/chat/completions", response_model=ChatCompletion, responses={200: STREAM_DOC, **ERRORS})
async def create_chat_completion(
    request: Request, body: ChatCompletionRequest, engine: EngineDep, settings: SettingsDep
) -> Response | ChatCompletion:
    """Answer the last user message from the gazettes, OpenAI style (stream or not)."""
    text, history = body.question_and_history()
    question = checked_question(text, settings, name="question (the last user message)")
    ask = AskRequest(question=question, history=history, answer_mode=body.answer_mode)
    if body.stream:
        return StreamingResponse(
            completion_chunks(request, engine, settings, question, ask),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )
    response = await run_in_threadpool(answer_with_timing, engine, question, ask, settings)
    await run_in_threadpool(record_answer, request, question, response)
    usage = await run_in_threadpool(count_usage, body, response.answer)
    return ChatCompletion(
        id=response.id,
        created=int(time.time()),
        model=OPENAI_MODEL_ID,
        choices=[ChatChoice(message=AssistantMessage(content=response.answer))],
        usage=usage,
        answered=response.answered,
        answer_mode=response.answer_mode,
        fallback=response.fallback,
        references=references(request, settings, response),
    )


def references(request: Request, settings: Settings, response: AskResponse) -> list[Reference]:
    """The answer's citations as references, with absolute links."""
    return [
        Reference(
            n=c.n,
            docnum=c.docnum,
            title=c.title,
            date=c.date,
            quote=c.quote,
            url=absolute_url(request, settings, c.url),
        )
        for c in response.citations
    ]


def count_usage(body: ChatCompletionRequest, answer: str) -> Usage:
    """cl100k_base token counts of every message sent and of the answer."""
    from indexer.tokens import count_tokens

    prompt = sum(count_tokens(m.content or "") for m in body.messages)
    completion = count_tokens(answer)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


async def completion_chunks(
    request: Request, engine: Engine, settings: Settings, question: str, ask: AskRequest
) -> AsyncIterator[str]:
    """The SSE stream: a role chunk, the text in pieces, a stop chunk with the references, [DONE]."""
    created = int(time.time())
    try:
        response = await run_in_threadpool(answer_with_timing, engine, question, ask, settings)
        await run_in_threadpool(record_answer, request, question, response)
        last_only = ("answered", "answer_mode", "fallback", "references")

        def chunk(choice: ChunkChoice, **extra) -> str:
            event = ChatCompletionChunk(id=response.id, created=created, model=OPENAI_MODEL_ID, choices=[choice], **extra)
            # `answered`, `answer_mode`, `fallback` and `references` only on the last chunk; nulls elsewhere stay, as OpenAI sends them
            return sse_data(event.model_dump(exclude={k for k in last_only if k not in extra}))

        yield chunk(ChunkChoice(delta=ChunkDelta(role="assistant", content="")))
        for piece in split_answer(response.answer):
            yield chunk(ChunkChoice(delta=ChunkDelta(content=piece)))
        yield chunk(
            ChunkChoice(delta=ChunkDelta(), finish_reason="stop"),
            answered=response.answered,
            answer_mode=response.answer_mode,
            fallback=response.fallback,
            references=references(request, settings, response),
        )
    except GazetteError as e:
        yield sse_data({"error": {"message": str(e), "type": "invalid_request_error", "param": None, "code": None}})
    except Exception:
        logger.exception("answering a /v1 question failed")  # the question stays out of the log
        yield sse_data({"error": {"message": "internal error while answering", "type": "server_error", "param": None, "code": None}})
    yield "data: [DONE]\n\n"


def sse_data(data) -> str:
    """One `data:` event on one line (NaN/infinite numbers become null)."""
    return f"data: {to_json(data, inf_nan_mode='null').decode()}\n\n"
