"""Run a question file through one or more retrieval modes and score every answer.

In-process, each system is a retrieval mode of the Engine: retrieval metrics come from
`engine.search(q, k=10, mode=m)`, answer metrics from the extractive answer of service.answering
(`answer(engine, settings, q, mode=m, answer_mode="extractive")`). The system
`generated` is hybrid retrieval with a checked generated answer (service/generation/; it needs
GAZETTE_LLM_URL): its report adds the share of answers that pass the checks, the share of the
model's sentences whose figures lie in their cited quotes, and the time to the first token.
With an endpoint the same calls go over HTTP; `mode` is sent as a query/body field and the
report notes whether the service confirmed it (otherwise every system may be the service default).
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Callable, Sequence
from urllib.parse import quote as url_quote

from indexer.errors import GazetteError
from service.results import SEARCH_MODES

from eval import metrics as M
from eval.dataset import Question
from eval.results import AskOutcome, CitedQuote, QuestionResult, Report, RetrievedChunk, SearchOutcome

SEARCH_K = 10


class EndpointUnreachable(GazetteError):
    """The service at --endpoint does not answer at all (not a per-question failure)."""


# ---------------------------------------------------------------- backends

class _Backend:
    """What both backends share: each document's paragraph texts, fetched once (for the quote check)."""

    _paragraphs: dict[str, list[str] | None]

    def paragraph_texts(self, doc_id: str) -> list[str] | None:
        if doc_id not in self._paragraphs:
            self._paragraphs[doc_id] = self._fetch_paragraphs(doc_id)
        return self._paragraphs[doc_id]

    def _fetch_paragraphs(self, doc_id: str) -> list[str] | None:
        raise NotImplementedError


class EngineBackend(_Backend):
    """The in-process Engine (service/engine.py) or any object with the same methods."""

    description = "in-process engine"

    def __init__(self, engine):
        self.engine = engine
        self._paragraphs = {}

    def search(self, query: str, k: int, mode: str) -> list[RetrievedChunk]:
        hits = self.engine.search(query, k=k, mode=mode)
        return [_chunk_from_hit(h, i) for i, h in enumerate(hits, 1)]

    def ask(self, question: str, mode: str, top_k: int | None) -> AskOutcome:
        from indexer.settings import get_settings
        from service.answering import answer

        settings = getattr(self.engine, "settings", None) or get_settings()
        if mode == GENERATED:  # hybrid retrieval, a checked generated answer
            a = answer(self.engine, settings, question, top_k=top_k, mode="hybrid", answer_mode="generated")
        else:  # a retrieval mode: the extractive answer, whatever GAZETTE_ANSWER_MODE says
            a = answer(self.engine, settings, question, top_k=top_k, mode=mode, answer_mode="extractive")
        g = getattr(a, "generation", None)
        return AskOutcome(
            answer=a.answer,
            answered=bool(a.answered),
            citations=[_quote_from_citation(c) for c in a.citations],
            timing_ms=dict(a.timing_ms or {}),
            answer_mode=getattr(a, "answer_mode", "extractive"),
            fallback=getattr(a, "fallback", None),
            generation=asdict(g) if g is not None else None,
            notes=list(getattr(a, "notes", []) or []),
        )

    def _fetch_paragraphs(self, doc_id: str) -> list[str] | None:
        try:
            return [p.text for p in self.engine.get_document(doc_id).paragraphs]
        except Exception:  # an unknown doc_id makes the quote unfaithful, not the run fail
            return None

    def mode_notes(self) -> list[str]:
        return []


def _chunk_from_hit(hit, fallback_rank: int) -> RetrievedChunk:
    c = hit.chunk
    return RetrievedChunk(
        rank=getattr(hit, "rank", None) or fallback_rank,
        chunk_id=c.chunk_id,
        doc_id=c.doc_id,
        docnum=c.docnum,
        title=c.title,
        text=c.text,
        score=float(hit.score) if hit.score is not None else None,
        section=" > ".join(c.heading_path),
    )


def _quote_from_citation(c) -> CitedQuote:
    table = getattr(c, "table", None)
    return CitedQuote(n=c.n, doc_id=c.doc_id, docnum=c.docnum, title=c.title,
                      quote=c.quote, paragraph_id=c.paragraph_id, date=getattr(c, "date", None),
                      context=table_context(table.caption, table.header) if table else "")


def table_context(caption: str | None, header) -> str:
    """A table row's caption and header, as its source card shows them above the row."""
    return "\n".join(x for x in (caption, "\t".join(header or ())) if x)


class HttpBackend(_Backend):
    """A running service: /api/search, /api/ask and /api/documents/{doc_id}."""

    def __init__(self, endpoint: str, client=None, timeout: float = 300.0):
        import httpx

        self.endpoint = endpoint.rstrip("/")
        self.description = f"HTTP endpoint {self.endpoint}"
        self.client = client or httpx.Client(timeout=timeout)
        self._paragraphs = {}
        self._confirmed_modes: set[str] = set()
        self._requested_modes: set[str] = set()

    def search(self, query: str, k: int, mode: str) -> list[RetrievedChunk]:
        data = self._request("GET", "/api/search", params={"q": query, "k": k, "mode": mode})
        self._record_mode(mode, data)
        return [_chunk_from_json(r, i) for i, r in enumerate(data.get("results") or [], 1)]

    def ask(self, question: str, mode: str, top_k: int | None) -> AskOutcome:
        body = {"question": question, "mode": retrieval_mode(mode)}
        if mode == GENERATED:
            body["answer_mode"] = "generated"
        if top_k is not None:
            body["top_k"] = top_k
        data = self._request("POST", "/api/ask", json=body)
        self._record_mode(retrieval_mode(mode), data)
        return AskOutcome(
            answer=data.get("answer") or "",
            answered=bool(data.get("answered")),
            citations=[_quote_from_json(c) for c in data.get("citations") or []],
            timing_ms=dict(data.get("timing_ms") or {}),
            answer_mode=data.get("answer_mode") or "extractive",
            fallback=data.get("fallback"),
            generation=data.get("check"),
            notes=list(data.get("notes") or []),
        )

    def _fetch_paragraphs(self, doc_id: str) -> list[str] | None:
        try:
            data = self._request("GET", f"/api/documents/{url_quote(doc_id, safe='')}")
        except EndpointUnreachable:
            raise
        except Exception:
            return None
        return [p.get("text") or "" for p in data.get("paragraphs") or []]

    def _request(self, method: str, path: str, **kwargs) -> dict:
        import httpx

        try:
            r = self.client.request(method, self.endpoint + path, **kwargs)
        except httpx.TransportError as e:
            raise EndpointUnreachable(f"cannot reach {self.endpoint}: {e}") from e
        if r.status_code >= 400:
            raise RuntimeError(f"HTTP {r.status_code} from {path}: {r.text[:200]}")
        return r.json()

    def _record_mode(self, mode: str, data: dict) -> None:
        self._requested_modes.add(mode)
        if isinstance(data, dict) and data.get("mode") == mode:
            self._confirmed_modes.add(mode)

    def mode_notes(self) -> list[str]:
        unconfirmed = sorted(self._requested_modes - self._confirmed_modes)
        notes = [
            "Endpoint run: `mode` was sent as a query parameter of /api/search and a body field "
            "of /api/ask."
        ]
        if not unconfirmed:
            notes.append("The service echoed `mode` for every system, so each system is that mode.")
        else:
            notes.append(
                "The service did not echo `mode` for: " + ", ".join(unconfirmed) + ". If it ignores "
                "the field, those systems are its default (hybrid) and only hybrid is a real result."
            )
        return notes


def _chunk_from_json(r: dict, fallback_rank: int) -> RetrievedChunk:
    return RetrievedChunk(
        rank=r.get("rank") or fallback_rank,
        chunk_id=r.get("chunk_id") or "",
        doc_id=r.get("doc_id") or "",
        docnum=r.get("docnum"),
        title=r.get("title") or "",
        text=r.get("text") or "",
        score=r.get("score"),
        section=r.get("section") or "",
    )


def _quote_from_json(c: dict) -> CitedQuote:
    return CitedQuote(n=c.get("n") or 0, doc_id=c.get("doc_id") or "", docnum=c.get("docnum"),
                      title=c.get("title") or "", quote=c.get("quote") or "",
                      paragraph_id=c.get("paragraph_id"), date=c.get("date"),
                      context=table_context((c.get("table") or {}).get("caption"), (c.get("table") or {}).get("header")))


# ---------------------------------------------------------------- running

GENERATED = "generated"  # hybrid retrieval, a checked generated answer
SYSTEMS = (*SEARCH_MODES, GENERATED)


def retrieval_mode(system: str) -> str:
    return "hybrid" if system == GENERATED else system


def parse_systems(systems: str | Sequence[str]) -> list[str]:
    """The requested systems, in order, deduplicated; unknown names are an error."""
    names = systems.split(",") if isinstance(systems, str) else list(systems)
    names = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown or not names:
        raise GazetteError(f"unknown system(s) {unknown or names}; choose from {', '.join(SYSTEMS)}")
    return names


def run_eval(
    questions: Sequence[Question],
    systems: str | Sequence[str],
    engine=None,
    endpoint: str | None = None,
    progress: bool = True,
    *,
    top_k: int | None = None,
    search_k: int = SEARCH_K,
    warmup: bool = True,
    http_client=None,
) -> Report:
    """Every question through every system (interleaved), scored, summarised."""
    systems = parse_systems(systems)
    backend = _backend(engine, endpoint, http_client)
    if warmup and questions:
        _warm_up(backend, questions[0].question, systems, search_k)
    results: dict[str, list[QuestionResult]] = {s: [] for s in systems}
    with _progress_bar(len(questions) * len(systems), progress) as bar:
        for q in questions:
            for system in systems:
                bar.set_postfix_str(system, refresh=False)
                results[system].append(run_question(backend, q, system, search_k, top_k))
                bar.update(1)
    return Report(
        systems=systems,
        questions=list(questions),
        results=results,
        overall={s: summarise(rs) for s, rs in results.items()},
        by_kind={s: summarise_by_kind(rs) for s, rs in results.items()},
        notes=backend.mode_notes(),
        meta=_meta(backend, questions, systems, search_k, top_k, warmup),
    )


def _backend(engine, endpoint, http_client):
    if engine is not None:
        return EngineBackend(engine)
    if endpoint:
        return HttpBackend(endpoint, client=http_client)
    raise ValueError("run_eval needs an engine or an endpoint")


def _warm_up(backend, query: str, systems: Sequence[str], k: int) -> None:
    """One untimed search per system, so model loading does not land in the latencies."""
    for system in systems:
        try:
            backend.search(query, k, retrieval_mode(system))
        except EndpointUnreachable:
            raise
        except Exception:
            pass


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="eval", unit="run", disable=not enabled, file=sys.stderr)


def _meta(backend, questions, systems, search_k, top_k, warmup) -> dict:
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backend": backend.description,
        "questions": len(questions),
        "systems": list(systems),
        "search_k": search_k,
        "ask_top_k": top_k,
        "warmup": warmup,
        "kinds": sorted({q.kind for q in questions}),
    }


def run_question(backend, q: Question, system: str, search_k: int = SEARCH_K,
                 top_k: int | None = None) -> QuestionResult:
    """One question through one system: a timed search, a timed ask, then the checks."""
    search = timed_search(backend, q.question, search_k, retrieval_mode(system))
    ask = timed_ask(backend, q.question, system, top_k)
    return score_question(q, system, search, ask, backend.paragraph_texts)


def timed_search(backend, query: str, k: int, mode: str) -> SearchOutcome:
    return _timed(lambda: SearchOutcome(chunks=backend.search(query, k, mode)), SearchOutcome)


def timed_ask(backend, question: str, mode: str, top_k: int | None) -> AskOutcome:
    return _timed(lambda: backend.ask(question, mode, top_k), AskOutcome)


def _timed(call: Callable, on_error: Callable):
    start = time.perf_counter()
    try:
        outcome = call()
    except EndpointUnreachable:
        raise
    except Exception as e:  # one failing question must not end the run
        return on_error(error=f"{type(e).__name__}: {e}")
    outcome.ms = (time.perf_counter() - start) * 1000
    return outcome


def retrieval_figures(engine, questions: Sequence[Question], mode: str, k: int = SEARCH_K) -> dict:
    """doc@1, doc@5 (a gold document among the distinct documents of the top k chunks), ev@5 (the
    gold evidence in the top 5 chunks) over the answerable questions, scored as run_eval
    scores them, and the search latency (ms). Search only: no answers are made."""
    engine.search(questions[0].question, k=k, mode=mode)  # warm-up
    ms, results = [], []
    for q in questions:
        t = time.perf_counter()
        hits = engine.search(q.question, k=k, mode=mode)
        ms.append((time.perf_counter() - t) * 1000)
        r = QuestionResult(question_id=q.id, system=mode, kind=q.kind, answerable=q.answerable,
                           search=SearchOutcome(chunks=[_chunk_from_hit(h, i) for i, h in enumerate(hits, 1)]), ask=AskOutcome())
        _score_retrieval(r, q)
        results.append(r)
    gold = [r.gold_ranks for r in results if r.gold_ranks is not None]
    ev = [r.evidence_ranks for r in results if r.evidence_ranks is not None]
    return {
        "doc@1": round(M.mean(M.recall_at_k(g, 1) for g in gold), 4),
        "doc@5": round(M.mean(M.recall_at_k(g, 5) for g in gold), 4),
        "ev@5": round(M.mean(M.recall_at_k(e, 5) for e in ev), 4),
        "scored": len(gold), "search_ms": {"p50": round(M.percentile(ms, 50), 2), "p95": round(M.percentile(ms, 95), 2)},
    }


# ---------------------------------------------------------------- scoring

def score_question(q: Question, system: str, search: SearchOutcome, ask: AskOutcome,
                   paragraphs_of: Callable[[str], list[str] | None]) -> QuestionResult:
    """The per-question checks; a field stays None where the metric does not apply."""
    r = QuestionResult(question_id=q.id, system=system, kind=q.kind, answerable=q.answerable,
                       search=search, ask=ask)
    _score_retrieval(r, q)  # a failed search scores as an empty ranking
    if ask.error is None:
        _score_answer(r, q, paragraphs_of)
    return r


def _score_retrieval(r: QuestionResult, q: Question) -> None:
    r.documents = M.distinct_documents(r.search.chunks)
    if q.answerable and q.gold_docnums:
        r.gold_ranks = M.gold_ranks(q.gold_docnums, r.documents)
    if q.answerable and q.evidence:
        r.evidence_ranks = M.evidence_ranks(q.evidence, [c.evidence_text for c in r.search.chunks])


def _score_answer(r: QuestionResult, q: Question, paragraphs_of) -> None:
    ask = r.ask
    r.quotes_verbatim = [M.quote_is_verbatim(c.quote, paragraphs_of(c.doc_id)) for c in ask.citations]
    r.shown_figure_sentences, r.shown_figures_ok = _shown_figures(ask)
    _score_end_to_end(r, q)
    if not (q.answerable and ask.answered):
        return
    if q.gold_docnums:
        r.citation_precision = M.citation_precision(ask.citations, q.gold_docnums)
        r.citation_recall = M.citation_recall(ask.citations, q.gold_docnums)
    facts = M.answer_facts(q.evidence, q.question, q.gold_answer)
    r.facts = [f.text for f in facts]
    r.facts_found = M.facts_found(facts, ask.answer)
    r.fact_recall = M.fact_recall(facts, ask.answer)


def _shown_figures(ask: AskOutcome) -> tuple[int, int]:
    """Sentences of the answer shown that hold figures, and those whose figures lie in their cited
    quotes, with the cited document's title, 文号 and date, as the citation card shows them (a
    sentence without [n] is compared with every quote). Notes (validity remarks from the
    documents' metadata) are left out, and so are refusals: the service's own words, citing nothing."""
    from service.generation.claim_check import figures_in_sources

    if not ask.answered or not ask.citations:
        return 0, 0
    text = "\n".join(line for line in ask.answer.splitlines() if line not in ask.notes)
    sources = {c.n: "\n".join(x for x in (c.title, c.docnum, c.date, c.context, c.quote) if x) for c in ask.citations}
    return figures_in_sources(text, sources)


def _score_end_to_end(r: QuestionResult, q: Question) -> None:
    """What a user sees, over every answerable question: a refusal cites nothing and quotes nothing."""
    if not q.answerable:
        return
    cites = r.ask.citations if r.ask.answered else []
    quotes = [c.quote for c in cites]
    if q.gold_docnums:
        r.cited_gold = any(M.matches_gold(c, q.gold_docnums) for c in cites)
        r.first_cited_gold = bool(cites) and M.matches_gold(cites[0], q.gold_docnums)
    if q.evidence:
        r.quote_evidence = M.evidence_share(q.evidence, quotes)
        r.first_quote_evidence = M.evidence_share(q.evidence, quotes[:1])
    facts = M.answer_facts(q.evidence, q.question, q.gold_answer)
    if facts:
        r.answer_facts = M.fact_recall(facts, r.ask.answer) if r.ask.answered else 0.0


def summarise(results: Sequence[QuestionResult]) -> dict:
    """The metrics of one system over some questions (all of them, or one kind)."""
    out: dict = {"questions": len(results)}
    out.update(_retrieval_summary(results))
    out.update(_answer_summary(results))
    out.update(_refusal_summary(results))
    out.update(_latency_summary(results))
    out.update(_generation_summary(results))
    out["search_errors"] = sum(1 for r in results if r.search.error)
    out["ask_errors"] = sum(1 for r in results if r.ask.error)
    return out


def _retrieval_summary(results: Sequence[QuestionResult]) -> dict:
    scored = [r.gold_ranks for r in results if r.gold_ranks is not None]
    evidence = [r.evidence_ranks for r in results if r.evidence_ranks is not None]
    out: dict = {f"recall@{k}": M.mean(M.recall_at_k(g, k) for g in scored) for k in M.RECALL_KS}
    out["mrr"] = M.mean(M.reciprocal_rank(g) for g in scored)
    out.update({f"evidence@{k}": M.mean(M.recall_at_k(e, k) for e in evidence) for k in M.RECALL_KS})
    out["retrieval_scored"] = len(scored)
    return out


def _answer_summary(results: Sequence[QuestionResult]) -> dict:
    return {
        "answered": sum(1 for r in results if r.ask.error is None and r.ask.answered),
        "citation_precision": M.mean(r.citation_precision for r in results),
        "citation_recall": M.mean(r.citation_recall for r in results),
        "quote_faithfulness": M.micro_fraction(ok for r in results for ok in r.quotes_verbatim),
        "citations": sum(len(r.quotes_verbatim) for r in results),
        "fact_recall": M.mean(r.fact_recall for r in results),
        "cited_gold": M.mean(None if r.cited_gold is None else float(r.cited_gold) for r in results),
        "first_cited_gold": M.mean(None if r.first_cited_gold is None else float(r.first_cited_gold) for r in results),
        "quote_evidence": M.mean(r.quote_evidence for r in results),
        "first_quote_evidence": M.mean(r.first_quote_evidence for r in results),
        "answer_facts": M.mean(r.answer_facts for r in results),
        "refused_answerable": sum(1 for r in results if r.answerable and r.ask.error is None and not r.ask.answered),
        "answered_unanswerable": sum(1 for r in results if not r.answerable and r.ask.error is None and r.ask.answered),
    }


def _refusal_summary(results: Sequence[QuestionResult]) -> dict:
    asked = [r for r in results if r.ask.error is None]
    s = M.refusal_scores([r.answerable for r in asked], [r.ask.answered for r in asked])
    return {"refusal_precision": s.precision, "refusal_recall": s.recall, "refusal_f1": s.f1,
            "refusal_tp": s.tp, "refusal_fp": s.fp, "refusal_fn": s.fn, "refusal_tn": s.tn}


def _latency_summary(results: Sequence[QuestionResult]) -> dict:
    ask = [r.ask.ms for r in results if r.ask.ms is not None]
    search = [r.search.ms for r in results if r.search.ms is not None]
    return {"ask_p50_ms": M.percentile(ask, 50), "ask_p95_ms": M.percentile(ask, 95),
            "search_p50_ms": M.percentile(search, 50), "search_p95_ms": M.percentile(search, 95)}


def _generation_summary(results: Sequence[QuestionResult]) -> dict:
    """Figures of the answers shown (every system) and of the model's texts (generated system)."""
    asked = [r for r in results if r.ask.error is None]
    with_figures = sum(r.shown_figure_sentences for r in asked)
    first = [(r.ask.generation or {}).get("first_token_ms") or r.ask.ms for r in asked if r.ask.ms is not None]
    gens = [r.ask.generation for r in asked if r.ask.generation]
    tried = [g for g in gens if g.get("failed_check") != "llm_unavailable"]
    sentences = sum(g.get("sentences") or 0 for g in tried)
    out = {
        "shown_figures_ok": M._ratio(sum(r.shown_figures_ok for r in asked), with_figures),
        "unsourced_figure_answers": sum(1 for r in asked if r.shown_figures_ok < r.shown_figure_sentences),
        "first_token_p50_ms": M.percentile(first, 50),
        "first_token_p95_ms": M.percentile(first, 95),
        "generated": len(tried),
        "generated_shown": sum(1 for r in asked if r.ask.answer_mode == GENERATED),
        "check_pass": M._ratio(sum(1 for g in tried if g.get("passed")), len(tried)),
        "gen_figures_ok": M._ratio(sum(g.get("figures_ok") or 0 for g in tried), sentences),
        "llm_errors": len(gens) - len(tried),
        "fallbacks": sum(1 for r in asked if r.ask.fallback),
    }
    return out


def summarise_by_kind(results: Sequence[QuestionResult]) -> dict[str, dict]:
    kinds = sorted({r.kind for r in results})
    return {k: summarise([r for r in results if r.kind == k]) for k in kinds}
