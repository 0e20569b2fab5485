"""A fake OpenAI-compatible server for the generation tests: a tiny FastAPI app that answers every
chat completion with a set text (streamed in pieces when asked), run under uvicorn on a free port."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from tests.utils.live import running


class FakeLLM:
    """Answers every chat completion with `text`, streamed in pieces of a few characters."""

    def __init__(self):
        self.text = ""
        self.requests: list[dict] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            self.requests.append(body)
            base = {"id": "chatcmpl-1", "created": 0, "model": body["model"]}
            if not body.get("stream"):
                return {**base, "object": "chat.completion",
                        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": self.text}}]}

            def chunk(delta: dict, finish=None) -> str:
                data = {**base, "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

            def events() -> Iterator[str]:
                yield chunk({"role": "assistant", "content": ""})
                for i in range(0, len(self.text), 4):
                    yield chunk({"content": self.text[i:i + 4]})
                yield chunk({}, "stop")
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        return app


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1, as an OpenAI base URL (…/v1)."""
    with running(uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))) as url:
        yield f"{url}/v1"
