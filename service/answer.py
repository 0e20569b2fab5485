"""Extractive answers: decide whether the gazettes answer the question, then quote them.

    question.py (what is asked) → retrieval → evidence.py (which sentences answer it)
    → decision.py (answer, hedge or refuse) → this module (the answer, every sentence quoted)

Every sentence of an answer is a verbatim piece of a quoted paragraph, marked [n] with its
citation. Hard scope rules come first (an unknown 文号, another city, a year the corpus never
mentions); then the decision model; then the answer is written from the exact evidence, or,
when retrieval is sure but no sentence states exactly what was asked, from the best passage
under a plain lead-in.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from indexer.models import Document, Paragraph
from indexer.text import DOCNUM_RE, normalize_docnum, sentence_key, sentences

from . import wording as W
from .decision import DecisionFeatures, DecisionModel
from .evidence import Candidate, TermStats, coverage, fits_intent, mentions_place, missing_constraint, rank_sentences, unknown_share
from .question import DATE_RE, DEPT_NOTE_RE, VALIDITY_RE, Question, parse_question
from .results import Answer, Citation, Filters, Hit, RetrievalSignals
from .scope import CorpusScope


@dataclass(frozen=True)
class AnswerPolicy:
    """The knobs of answering, each with the reason for its value."""

    # A sentence is exact evidence when it holds this share of the question's key-term weight.
    min_cover: float = 0.4
    # Sentences this close to the best one join the answer.
    score_window: float = 0.35
    # Another document joins only when it covers the question about as well; for a figure the
    # margin is wider, because the same figure from another year's document is worth showing.
    other_doc_margin: float = 0.05
    other_doc_margin_figure: float = 0.15
    max_paragraphs: int = 3
    # A hedge quotes the best sentence of this many best paragraphs of the best document.
    hedge_passages: int = 2
    max_sentences_per_paragraph: int = 2
    # Used when no trained decision model is available: refuse below this best-sentence coverage.
    fallback_min_cover: float = 0.4
    # Retrieval depth for the evidence: twice the answer's top_k, at least this many chunks.
    min_candidates: int = 10
    # Weight of a sentence's embedding similarity to the question (scaled 0..1 per question) in
    # its score, next to key-term coverage (0..1): everyday wording shares few words with the text.
    semantic_weight: float = 0.6


@dataclass
class AnswerContext:
    """What answering needs from a loaded index, and nothing else."""

    search: Callable[..., list[Hit]]
    embed_query: Callable[[str], np.ndarray]
    paragraph: Callable[[str], Paragraph]
    document: Callable[[str], Document]
    documents: Callable[[], list[Document]]
    find_by_docnum: Callable[[str], list[Document]]
    paragraphs_citing: Callable[[str], list[Paragraph]]
    term_stats: TermStats
    sentence_vectors: dict[str, np.ndarray]
    scope: CorpusScope
    decision: DecisionModel | None
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)


@dataclass
class _Evidence:
    doc: Document
    paragraph: Paragraph
    sentences: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass
class Assessment:
    """Everything the decision looks at, kept for the benchmark and for training the model."""

    question: Question
    hits: list[Hit]
    ranked: list[Candidate]
    exact: list[Candidate]  # sentences that hold the kind of fact asked for and every constraint
    plausible: list[Candidate]  # sentences that hold every constraint (year, month, ordinal, place)
    features: DecisionFeatures | None
    probability: float | None
    refusal: str | None  # the reason a hard rule refused, as the answer text
    foreign: tuple[str, ...] = ()  # places outside the corpus' home region that the question names


def answer_question(ctx: AnswerContext, text: str, history: list[dict] | None = None, top_k: int = 5,
                    filters: Filters | None = None, mode: str = "hybrid") -> Answer:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    q = parse_question(text, history, ctx.term_stats.rare)
    direct = _docnum_lookup(ctx, q)
    if direct is not None:
        direct.timing_ms = {"total": _ms(started)}
        return direct
    a = assess(ctx, q, top_k, filters, mode, timings)
    t = time.perf_counter()
    answer = decide_and_write(ctx, a, top_k)
    timings["answer"] = timings.get("answer", 0.0) + _ms(t)
    timings["total"] = _ms(started)
    answer.timing_ms = timings
    return answer


def _docnum_lookup(ctx: AnswerContext, q: Question) -> Answer | None:
    """A 文号 not in the corpus (quote who cites it, or say so), or "what is document X" (its opening)."""
    if not q.docnum:
        return None
    docs = ctx.find_by_docnum(q.text)
    if not docs:
        return _cited_docnum_answer(ctx, q.docnum) or _refusal(W.UNKNOWN_DOCNUM, ctx, docnum=q.docnum)
    if q.intent.document:
        return _document_answer(ctx, docs[0])
    return None


def assess(ctx: AnswerContext, q: Question, top_k: int, filters: Filters | None, mode: str, timings: dict | None = None) -> Assessment:
    """Retrieve, rank the sentences, apply the scope rules and compute the decision features."""
    timings = timings if timings is not None else {}
    if q.docnum:  # a detail question about a named document: look only inside that document
        docs = ctx.find_by_docnum(q.text)
        filters = replace(filters or Filters(), doc_ids=tuple(d.doc_id for d in docs))
    unknown_years = ctx.scope.unknown_years(q.years)
    if unknown_years:
        return Assessment(q, [], [], [], [], None, None, _scope_text(W.OUT_OF_SCOPE_YEAR, ctx, year=unknown_years[0]))
    qvec = None
    if mode != "bm25":  # embedded once: for dense search and for the similarity feature
        t = time.perf_counter()
        qvec = ctx.embed_query(q.query)
        timings["embed"] = _ms(t)
    signals = RetrievalSignals()
    hits = ctx.search(q.query, k=max(top_k * 2, ctx.policy.min_candidates), filters=filters, mode=mode,
                      timings=timings, query_vector=qvec, signals=signals, lexical_query=q.expanded_query)
    t = time.perf_counter()
    similarity = _sentence_similarity(ctx, qvec) if qvec is not None else None
    ranked = rank_sentences(hits, ctx.paragraph, q, ctx.term_stats, similarity, ctx.policy.semantic_weight)
    plausible = [c for c in ranked if not missing_constraint(q, c)]
    foreign = () if q.docnum else ctx.scope.foreign_places(q.text)
    if foreign:  # another place: only what the gazettes say about that place itself
        plausible = [c for c in plausible if all(mentions_place(p, c) for p in foreign)]
        if not plausible:
            return Assessment(q, hits, ranked, [], [], None, None, _scope_text(W.OUT_OF_SCOPE_PLACE, ctx, place=foreign[0]))
    if q.years and not plausible:
        return Assessment(q, hits, ranked, [], [], None, None, _scope_text(W.OUT_OF_SCOPE_YEAR, ctx, year=q.years[0]))
    exact = [c for c in plausible if fits_intent(q, c)]
    features = decision_features(ctx, q, hits, ranked, plausible, exact, signals, qvec)
    # a named document exists: quote its most relevant passage rather than guess it is off topic
    model = ctx.decision if qvec is not None and not q.docnum else None
    probability = model.probability(features) if model else None
    timings["answer"] = _ms(t)
    return Assessment(q, hits, ranked, exact, plausible, features, probability, None, foreign)


def decision_features(ctx: AnswerContext, q: Question, hits: list[Hit], ranked: list[Candidate], plausible: list[Candidate],
                      exact: list[Candidate], signals: RetrievalSignals, qvec: np.ndarray | None) -> DecisionFeatures:
    best = (exact or plausible or ranked or [None])[0]
    stats = ctx.term_stats
    top_term = max(q.terms, key=stats.weight) if q.terms else None
    return DecisionFeatures(
        bm25_top=math.log1p(max(signals.bm25_top, 0.0)),
        dense_top=signals.dense_top,
        agree=float(signals.agree),
        best_cover=best.cover if best else 0.0,
        sentence_cover=coverage(q.terms, best.sentence, stats) if best else 0.0,
        top_term_in_sentence=float(bool(best and top_term and coverage([top_term], best.sentence, stats) > 0)),
        paragraph_missing=1.0 - coverage(q.terms, f"{best.paragraph.text} {best.hit.chunk.title}", stats) if best else 1.0,
        chunk_cover=coverage(q.terms, hits[0].chunk.text + hits[0].chunk.title, ctx.term_stats) if hits else 0.0,
        unknown_share=unknown_share(q.terms, ctx.term_stats),
        fits_intent=float(bool(exact) and exact[0].cover >= ctx.policy.min_cover),
        sentence_sim=_similarity(ctx, qvec, [c.sentence for c in (exact or plausible)[:5]]),
        n_terms=math.log1p(len(q.terms)),
        expanded=float(q.expanded_query != q.query),
    )


def _sentence_similarity(ctx: AnswerContext, qvec: np.ndarray) -> Callable[[str], float | None]:
    """Cosine of the question to a sentence, from the vectors built with the index (None if absent)."""
    def similarity(sentence: str) -> float | None:
        v = ctx.sentence_vectors.get(sentence_key(sentence))
        return None if v is None else float(v @ qvec)
    return similarity


def _similarity(ctx: AnswerContext, qvec: np.ndarray | None, texts: list[str]) -> float:
    """Best cosine of the question to these sentences, from the vectors built with the index."""
    if qvec is None:
        return 0.0
    sims = [x for x in map(_sentence_similarity(ctx, qvec), texts) if x is not None]
    return max(sims, default=0.0)


def decide_and_write(ctx: AnswerContext, a: Assessment, top_k: int) -> Answer:
    """Refuse, answer from the exact evidence, or hedge with the best passage."""
    if a.refusal:
        return Answer(answer=a.refusal, answered=False)
    if not _answerable(ctx, a):
        if a.foreign:  # the gazettes mention the place, but not for what was asked
            return _refusal(W.OUT_OF_SCOPE_PLACE, ctx, place=a.foreign[0])
        return _refusal(W.REFUSAL, ctx)
    strong = [c for c in a.exact if c.cover >= ctx.policy.min_cover]
    if strong:
        evidence = _select_evidence(ctx, a.question, strong, top_k)
        return _write_answer(ctx, _with_lists(ctx, evidence + _part_evidence(ctx, a, evidence)), a.question)
    pool = a.exact or a.plausible
    # the best passages of the best document, one sentence each: a hedge shows what is closest
    best: list[Candidate] = []
    for c in pool:
        if c.hit.chunk.doc_id == pool[0].hit.chunk.doc_id and all(c.paragraph.paragraph_id != b.paragraph.paragraph_id for b in best):
            best.append(c)
        if len(best) == ctx.policy.hedge_passages:
            break
    evidence = [_Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, [c.sentence], c.score) for c in best]
    answer = _write_answer(ctx, _with_lists(ctx, evidence), a.question)
    answer.answer = W.HEDGE_LEAD + "\n" + answer.answer
    return answer


def _answerable(ctx: AnswerContext, a: Assessment) -> bool:
    if not a.plausible:
        return False
    if a.question.docnum:
        return True
    if a.probability is not None and ctx.decision is not None:
        return a.probability >= ctx.decision.threshold
    # no trained model for this embedder: the exact evidence must cover the question well enough
    return bool(a.exact) and a.exact[0].cover >= ctx.policy.fallback_min_cover


def _same_or_as_good(c: Candidate, top: Candidate, q: Question, policy: AnswerPolicy) -> bool:
    """Evidence from a second document must answer as fully as the best, or it only dilutes the citations."""
    margin = policy.other_doc_margin_figure if q.intent.figure else policy.other_doc_margin
    return c.hit.chunk.doc_id == top.hit.chunk.doc_id or c.cover >= top.cover - margin


def _select_evidence(ctx: AnswerContext, q: Question, candidates: list[Candidate], top_k: int) -> list[_Evidence]:
    """The paragraphs (at most max_paragraphs) and their sentences that answer the question."""
    policy = ctx.policy
    top = candidates[0]
    best = [c for c in candidates if c.score >= top.score - policy.score_window and _same_or_as_good(c, top, q, policy)]
    if q.intent.validity:  # the 施行 / 有效期 clause answers it, though it shares few words with the topic
        best.sort(key=lambda c: not VALIDITY_RE.search(c.sentence))
    evidence: dict[str, _Evidence] = {}
    for c in best[: max(3, top_k)]:
        key = c.paragraph.paragraph_id
        if key not in evidence:
            if len(evidence) >= policy.max_paragraphs:
                continue
            evidence[key] = _Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, score=c.score)
        ev = evidence[key]
        if c.sentence not in ev.sentences and len(ev.sentences) < policy.max_sentences_per_paragraph:
            ev.sentences.append(c.sentence)
    if q.intent.department:  # the department is in the item's closing note: quote it too
        for ev in evidence.values():
            note = next((x for x in sentences(ev.paragraph.text) if DEPT_NOTE_RE.search(x)), None)
            if note and not any(DEPT_NOTE_RE.search(x) for x in ev.sentences):
                ev.sentences.append(note)
    return list(evidence.values())


def _with_lists(ctx: AnswerContext, chosen: list[_Evidence]) -> list[_Evidence]:
    """A lead-in line ("市人民政府决定，任命：") says nothing alone: the paragraph it introduces follows it."""
    out: list[_Evidence] = []
    quoted = {e.paragraph.paragraph_id for e in chosen}
    for ev in chosen:
        out.append(ev)
        if not ev.paragraph.text.rstrip().endswith(("：", ":")):
            continue
        following = ev.doc.paragraphs[ev.paragraph.index + 1: ev.paragraph.index + 2]
        if following and following[0].kind not in ("heading", "signature", "title") and following[0].paragraph_id not in quoted:
            nxt = following[0]
            quoted.add(nxt.paragraph_id)
            out.append(_Evidence(ev.doc, nxt, sentences(nxt.text)[:ctx.policy.max_sentences_per_paragraph], ev.score))
    return out


def _part_evidence(ctx: AnswerContext, a: Assessment, chosen: list[_Evidence]) -> list[_Evidence]:
    """For a question that asks several things, the best passage of each part not yet quoted.

    A part ranks the candidates by its own key terms first and the whole question's coverage
    second ("原来是谁" has no terms of its own: it takes the next best person of the same topic).
    Only the documents already quoted are searched: the parts ask about one subject.
    """
    q, policy = a.question, ctx.policy
    docs = {e.doc.doc_id for e in chosen}
    quoted = {e.paragraph.paragraph_id for e in chosen}
    extra: list[_Evidence] = []
    for part in q.parts:
        pool = [c for c in a.plausible if c.hit.chunk.doc_id in docs and c.cover >= policy.min_cover and fits_intent(part, c)]
        if not pool:
            continue
        best = max(pool, key=lambda c: (coverage(part.terms, c.sentence, ctx.term_stats), c.score))
        if best.paragraph.paragraph_id in quoted:
            continue
        quoted.add(best.paragraph.paragraph_id)
        extra.append(_Evidence(ctx.document(best.hit.chunk.doc_id), best.paragraph, [best.sentence], best.score))
    return extra


# ---------------------------------------------------------------- writing

def _refusal(template: str, ctx: AnswerContext, **values) -> Answer:
    return Answer(answer=_scope_text(template, ctx, **values), answered=False)


def _scope_text(template: str, ctx: AnswerContext, **values) -> str:
    s = ctx.scope
    return template.format(corpus=s.corpus_name, home=s.home_name or "本地", first=s.first_year, last=s.last_year, **values)


def _cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _citation(n: int, ev: _Evidence) -> Citation:
    p = ev.paragraph
    return Citation(
        n=n, doc_id=ev.doc.doc_id, docnum=ev.doc.docnum, title=ev.doc.title, date=ev.doc.date,
        section=" > ".join(p.heading_path), quote=p.text, paragraph_id=p.paragraph_id,
        url=f"/documents/{ev.doc.doc_id}#p{p.index}", score=round(ev.score, 4),
    )


def _document_answer(ctx: AnswerContext, doc: Document) -> Answer | None:
    """A lookup by 文号: the document's title, date and opening paragraph."""
    body = [p for p in doc.paragraphs if p.kind not in ("signature", "heading", "title") and len(p.text) > 20]
    # an 印发 notice's own text is boilerplate: quote the opening of the document it carries
    inner = [p for p in body if doc.embedded_titles and len(p.heading_path) > 1 and p.heading_path[1] in doc.embedded_titles]
    first = next((p for p in inner or body if not p.text.startswith("各县")), body[0] if body else None)
    if first is None:
        return None
    lead = sentences(first.text)[:2]
    when = W.DOCUMENT_SIGNED.format(date=_cn_date(doc.date)) if doc.date else ""
    values = dict(docnum=doc.docnum, issuer=doc.issuer or "", title=doc.title, when=when, lead="".join(lead))
    title = next((p for p in doc.paragraphs if p.kind == "title"), None)
    if title is None:
        return Answer(answer=W.DOCUMENT_LOOKUP.format(**values), answered=True, citations=[_citation(1, _Evidence(doc, first, lead, 1.0))])
    citations = [_citation(1, _Evidence(doc, title, [title.text], 1.0)), _citation(2, _Evidence(doc, first, lead, 1.0))]
    return Answer(answer=W.DOCUMENT_LOOKUP_TITLED.format(**values), answered=True, citations=citations)


def _cited_docnum_answer(ctx: AnswerContext, docnum: str) -> Answer | None:
    """A 文号 the gazettes only mention (e.g. as repealed): quote where they mention it."""
    paragraphs = ctx.paragraphs_citing(docnum)[:3]
    if not paragraphs:
        return None
    lines, citations = [W.CITED_ONLY.format(docnum=docnum)], []
    for n, p in enumerate(paragraphs, start=1):
        doc = ctx.document(p.doc_id)
        said = next((s for s in sentences(p.text) if docnum in normalize_docnum_text(s)), p.text)
        lines.append(W.SOURCE_LINE.format(label=doc.label, when="") + f"{said}[{n}]")
        citations.append(_citation(n, _Evidence(doc, p, [said], 1.0)))
    return Answer(answer="\n".join(lines), answered=True, citations=citations)


def normalize_docnum_text(s: str) -> str:
    """The sentence with every 文号 in it written in normalised form."""
    return DOCNUM_RE.sub(lambda m: normalize_docnum(m.group(0)) or m.group(0), s)


def _validity_notes(doc: Document, ctx: AnswerContext, today: date) -> list[str]:
    notes = []
    v = doc.validity
    if v and v.expires and v.expires < today.isoformat():
        notes.append(W.EXPIRED.format(label=doc.label, date=_cn_date(v.expires)))
    for other in ctx.documents():
        if other.validity and doc.docnum and doc.docnum in other.validity.repeals:
            notes.append(W.REPEALED.format(label=doc.label, other=other.label))
    return notes


def _join_excerpts(paragraph: str, parts: list[str]) -> str:
    """Sentences in paragraph order; "……" marks where text between them was left out."""
    out = parts[0]
    for prev, part in zip(parts, parts[1:]):
        adjacent = paragraph.find(prev) + len(prev) == paragraph.find(part)
        out += part if adjacent else "……" + part
    return out


def _write_answer(ctx: AnswerContext, chosen: list[_Evidence], q: Question) -> Answer:
    """One line per paragraph, "根据《…》（文号）：sentences[n]", newest document first when years differ.

    When a date is asked for and the sentences give none (an appointment, a decision), the
    document's signing date is the answer: it goes into the line's source.
    """
    several_dates = len({e.doc.date for e in chosen if e.doc.date}) > 1
    if several_dates:
        chosen = sorted(chosen, key=lambda e: e.doc.date or "", reverse=True)
    lines, citations, notes = [], [], []
    today = date.today()
    opened: tuple[str, str] | None = None  # (doc_id, source text) of the line being written
    for n, ev in enumerate(chosen, start=1):
        in_order = sorted(ev.sentences, key=ev.paragraph.text.find)
        quoted_text = _join_excerpts(ev.paragraph.text, in_order)
        when = W.SOURCE_YEAR.format(year=ev.doc.date[:4]) if several_dates and ev.doc.date else ""
        if q.intent.date and ev.doc.date and not any(DATE_RE.search(x) for x in in_order):
            when = W.SOURCE_SIGNED.format(date=_cn_date(ev.doc.date))
        source = W.SOURCE_LINE.format(label=ev.doc.label, when=when)
        quoted = f"{quoted_text}[{n}]"
        if opened == (ev.doc.doc_id, source):
            lines[-1] += quoted  # the same document again: one opener, several quotes
        else:
            lines.append(source + quoted)
            opened = (ev.doc.doc_id, source)
        citations.append(_citation(n, ev))
        for note in _validity_notes(ev.doc, ctx, today):
            if note not in notes:
                notes.append(note)
    if several_dates:
        newest = chosen[0].doc
        notes.insert(0, W.SEVERAL_YEARS.format(label=newest.label, date=_cn_date(newest.date)))
    return Answer(answer="\n".join(lines + notes), answered=True, citations=citations, notes=notes)


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 3)
