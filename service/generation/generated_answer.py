"""A generated answer: the extractive answer's passages → the model → the checks → answer or fallback.

    the extractive answer (the passages and their citations; service/answering.py asks for it)
    → prompt.build_messages (numbered passages, history, question)
    → llm_client.stream_chat (the text in pieces, streamed on as `delta` events)
    → claim_check.check_answer (markers, citations, figures) on the whole text
    → the generated answer, the model's refusal, or the extractive answer with `fallback`

`generate` yields the pieces as they come and then one final Answer. Nothing here raises for a
model problem: it becomes a fallback. Callers go through service/answering.py, which decides
whether an answer is generated at all.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from indexer.settings import Settings
from service import wording as W
from service.results import Answer, AnswerEvent, GenerationRecord

from .claim_check import CheckResult, check_answer
from .llm_client import LLMConfig, LLMUnavailable, stream_chat
from .prompt import Passage, build_messages, passages_of

LLM_NOT_CONFIGURED = "llm_not_configured: GAZETTE_LLM_URL is unset"
LLM_UNAVAILABLE = "llm_unavailable"
NO_PASSAGES = "no_passages: the extractive answer cites nothing to write from"


def refusal_text(engine, settings: Settings) -> str:
    """The service's own refusal, naming what is indexed (the model's refusal is not shown)."""
    scope = getattr(engine, "scope", None)
    return W.REFUSAL.format(corpus=scope.corpus_name if scope else settings.corpus_name or "公报")


def generate(extractive: Answer, question: str, history: list[dict] | None, settings: Settings,
             refusal: Callable[[], str],
             started: float | None = None, config: LLMConfig | None = None) -> Iterator[AnswerEvent]:
    """Ask the model to write the answer from the extractive answer's passages, then check it."""
    started = started if started is not None else time.perf_counter()
    config = config or LLMConfig.of(settings)
    if config is None:
        yield AnswerEvent("final", answer=fall_back(extractive, LLM_NOT_CONFIGURED))
        return
    if not extractive.answered or not extractive.citations:
        yield AnswerEvent("final", answer=fall_back(extractive, NO_PASSAGES))
        return
    passages = passages_of(extractive, settings.llm_passages, settings.llm_passage_chars)
    messages = build_messages(question, passages, history)
    yield AnswerEvent("passages", answer=replace(extractive, citations=_cited(extractive, passages)))
    parts: list[str] = []
    first_token_ms = None
    t = time.perf_counter()
    try:
        for piece in stream_chat(config, messages):
            if first_token_ms is None:
                first_token_ms = _ms(started)
            parts.append(piece)
            yield AnswerEvent("delta", piece)
    except LLMUnavailable as e:
        record = GenerationRecord(passed=False, failed_check=LLM_UNAVAILABLE, first_token_ms=first_token_ms, llm_ms=_ms(t),
                                  text="".join(parts))
        yield AnswerEvent("final", answer=fall_back(extractive, f"{LLM_UNAVAILABLE}: {e}", record))
        return
    llm_ms = _ms(t)
    text = "".join(parts).strip()
    result = check_answer(text, {p.n: p.as_checked for p in passages})
    record = _record(result, text, first_token_ms, llm_ms)
    timing = {**extractive.timing_ms, "first_token": first_token_ms or llm_ms, "llm": llm_ms, "total": _ms(started)}
    if not result.passed:
        yield AnswerEvent("final", answer=fall_back(extractive, result.fallback, record, timing))
    else:
        yield AnswerEvent("final", answer=_generated(extractive, passages, text, result, record, refusal, timing))


def fall_back(extractive: Answer, reason: str | None, record: GenerationRecord | None = None,
              timing: dict | None = None) -> Answer:
    """The extractive answer, saying why it is shown instead of a generated one."""
    return replace(extractive, answer_mode="extractive", fallback=reason, generation=record,
                   timing_ms=timing or extractive.timing_ms)


def _generated(extractive: Answer, passages: list[Passage], text: str, result: CheckResult, record: GenerationRecord,
               refusal: Callable[[], str], timing: dict) -> Answer:
    citations = _cited(extractive, passages)
    if result.refusal:  # honoured: the service's own refusal, with the passages the model read
        return Answer(answer=refusal(), answered=False, citations=citations, timing_ms=timing,
                      answer_mode="generated", generation=record)
    shown = "\n".join([text, *extractive.notes])  # validity remarks come from the documents, not the model
    return Answer(answer=shown, answered=True, citations=citations, notes=list(extractive.notes), timing_ms=timing,
                  answer_mode="generated", generation=record)


def _cited(extractive: Answer, passages: list[Passage]) -> list:
    numbers = {p.n for p in passages}
    return [c for c in extractive.citations if c.n in numbers]


def _record(result: CheckResult, text: str, first_token_ms: float | None, llm_ms: float) -> GenerationRecord:
    with_figures = [s for s in result.sentences if s.figures]
    return GenerationRecord(
        passed=result.passed, failed_check=result.failed, refusal=result.refusal,
        sentences=len(result.sentences), figures_ok=result.figures_ok,
        sentences_with_figures=len(with_figures), figures_ok_with_figures=sum(1 for s in with_figures if not s.missing),
        first_token_ms=first_token_ms, llm_ms=llm_ms, text=text,
    )


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 1)
