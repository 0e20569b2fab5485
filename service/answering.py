"""Answering a question: the one entry point of /api/ask, /api/chat, /v1/chat/completions, `gazette ask` and the benchmark.

    answer_events(engine, settings, question, ...)  the answer as events, for a stream
    answer(engine, settings, question, ...)         the final Answer only

Whether the answer is extractive or generated is decided here and nowhere else: the request's
`answer_mode`, else the setting (GAZETTE_ANSWER_MODE). The extractive answer is the engine's
(service/answer.py); a generated one is written by a model from that answer's passages and
checked before it is shown (service/generation/), and falls back to the extractive one.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from indexer.settings import Settings

from .results import Answer, AnswerEvent, Filters

if TYPE_CHECKING:
    from .engine import Engine
    from .generation.llm_client import LLMConfig


def answer_mode_of(settings: Settings, requested: str | None) -> str:
    """The answer mode: the one the request asks for, else the configured one."""
    return requested or settings.answer_mode


def answer(engine: Engine, settings: Settings, question: str, history: list[dict] | None = None,
           top_k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
           answer_mode: str | None = None, config: LLMConfig | None = None) -> Answer:
    """The final answer of `answer_events`, without the pieces."""
    final = None
    for event in answer_events(engine, settings, question, history, top_k, filters, mode, answer_mode, config):
        if event.kind == "final":
            final = event.answer
    assert final is not None
    return final


def answer_events(engine: Engine, settings: Settings, question: str, history: list[dict] | None = None,
                  top_k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
                  answer_mode: str | None = None, config: LLMConfig | None = None) -> Iterator[AnswerEvent]:
    """The extractive answer as one final event; in generated mode, the passages the model reads,
    its text in pieces, then the checked answer or the extractive one with its `fallback`."""
    started = time.perf_counter()
    extractive = engine.ask(question, history=history, top_k=top_k, filters=filters, mode=mode)
    if answer_mode_of(settings, answer_mode) != "generated":
        yield AnswerEvent("final", answer=extractive)
        return
    from .generation import generated_answer

    refusal = lambda: generated_answer.refusal_text(engine, settings)  # noqa: E731
    yield from generated_answer.generate(extractive, question, history, settings, refusal, started, config)
