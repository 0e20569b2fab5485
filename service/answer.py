"""Extractive answers: decide whether the gazettes answer the question, then quote them.

    question.py (what is asked) → retrieval → evidence.py (which sentences answer it)
    → decision.py (answer, hedge or refuse) → this module (which passages answer it)
    → answer_writing.py (the answer text, every sentence quoted)

Every sentence of an answer is a verbatim piece of a quoted paragraph, marked [n] with its
citation. Hard scope rules come first (an unknown 文号, another city, a year the corpus never
mentions); then the decision model; then the answer is written from the exact evidence, or,
when retrieval is sure but no sentence states exactly what was asked, from the best passage
under a plain lead-in.
"""
from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from indexer.models import Document, Paragraph
from indexer.text import is_date_line, is_lead_in, iso_date, sentence_key, sentences, without_publicity_note

from . import vocabulary as V
from . import wording as W
from .decision import DecisionFeatures, DecisionModel
from .evidence import Candidate, TermStats, coverage, fits_intent, intent_bonus, mentions_place, missing_constraint, rank_sentences, combined_cover, unknown_share
from .answer_writing import Evidence, cited_docnum_answer, document_answer, refusal, scope_text, write_answer
from .patterns import DEPT_NOTE_RE, VALIDITY_RE
from .question import Question, parse_question
from .results import Answer, Filters, Hit, RetrievalSignals
from .scope import CorpusScope


DOCUMENT_ANAPHORA_RE = re.compile(V.DOCUMENT_ANAPHORA)
NOT_ASKED_FIGURES_RE = re.compile(V.NOT_ASKED_FIGURES)


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
    # When no candidate holds the year, month or ordinal asked for, retrieval looks this deep before
    # refusing: "到2025年建多少5G基站" finds the topic in the 2020 plan first, the 2025 target lower.
    constrained_candidates: int = 40
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
    q = parse_question(text, history, ctx.term_stats.rare, ctx.term_stats.people_names)
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
        return cited_docnum_answer(ctx, q.docnum) or refusal(W.UNKNOWN_DOCNUM, ctx, docnum=q.docnum)
    if q.intent.document:
        return document_answer(ctx, docs[0])
    return None


def assess(ctx: AnswerContext, q: Question, top_k: int, filters: Filters | None, mode: str, timings: dict | None = None) -> Assessment:
    """Retrieve, rank the sentences, apply the scope rules and compute the decision features."""
    timings = timings if timings is not None else {}
    if q.docnum:  # a detail question about a named document: look only inside that document
        docs = ctx.find_by_docnum(q.text)
        filters = replace(filters or Filters(), doc_ids=tuple(d.doc_id for d in docs))
    unknown_years = ctx.scope.unknown_years(q.years)
    if unknown_years:
        return Assessment(q, [], [], [], [], None, None, scope_text(W.OUT_OF_SCOPE_YEAR, ctx, year=unknown_years[0]))
    qvec = None
    if mode != "bm25":  # embedded once: for dense search and for the similarity feature
        t = time.perf_counter()
        qvec = ctx.embed_query(q.query)
        timings["embed"] = _ms(t)
    signals = RetrievalSignals()
    # BM25 finds the passages that use the corpus' other name for what the question names
    lexical_query = ctx.term_stats.lexical_query(q)
    similarity = _sentence_similarity(ctx, qvec) if qvec is not None else None

    def candidates(k: int) -> tuple[list[Hit], list[Candidate], list[Candidate]]:
        hits = ctx.search(q.query, k=k, filters=filters, mode=mode, timings=timings, query_vector=qvec,
                          signals=signals, lexical_query=lexical_query)
        t = time.perf_counter()
        ranked = rank_sentences(hits, ctx.paragraph, q, ctx.term_stats, similarity, ctx.policy.semantic_weight)
        plausible = [c for c in ranked if not missing_constraint(q, c)]
        timings["answer"] = timings.get("answer", 0.0) + _ms(t)
        return hits, ranked, plausible

    hits, ranked, plausible = candidates(max(top_k * 2, ctx.policy.min_candidates))
    if ranked and not plausible and (q.years or q.months or q.ordinals):
        # the topic was found, but not the year or ordinal asked: the passage that names it may rank lower
        hits, ranked, plausible = candidates(ctx.policy.constrained_candidates)
    t = time.perf_counter()
    if q.docnum and not plausible:  # the named document pins the subject: an ordinal it never writes does not refuse
        plausible = [c for c in ranked if not missing_constraint(replace(q, ordinals=()), c)]
    foreign = () if q.docnum else ctx.scope.foreign_places(q.text)
    if foreign:  # another place: only what the gazettes say about that place itself, or what applies there (a national document)
        plausible = [c for c in plausible if all(mentions_place(p, c) or ctx.scope.applies_to(c.hit.chunk.doc_id, p) for p in foreign)]
        if not plausible:
            return Assessment(q, hits, ranked, [], [], None, None, out_of_scope_place(ctx, foreign[0]))
    if q.years and not plausible:
        return Assessment(q, hits, ranked, [], [], None, None, scope_text(W.OUT_OF_SCOPE_YEAR, ctx, year=q.years[0]))
    exact = [c for c in plausible if (fits_intent(q, c) if all(mentions_place(p, c) for p in foreign) else fits_elsewhere(q, c))]
    features = decision_features(ctx, q, hits, ranked, plausible, exact, signals, qvec)
    # a named document exists: quote its most relevant passage rather than guess it is off topic
    model = ctx.decision if qvec is not None and not q.docnum else None
    probability = model.probability(features) if model else None
    timings["answer"] += _ms(t)
    return Assessment(q, hits, ranked, exact, plausible, features, probability, None, foreign)


def fits_elsewhere(q: Question, c: Candidate) -> bool:
    """fits_intent, for a sentence that applies to the place asked about without naming it (a
    national document's): its dates and ordinals (2019年, 第十二条) are no figure of that place."""
    if q.parts:
        return any(fits_elsewhere(part, c) for part in q.parts)
    if q.intent.figure:
        c = replace(c, sentence=NOT_ASKED_FIGURES_RE.sub("", c.sentence))
    return fits_intent(q, c)


def out_of_scope_place(ctx: AnswerContext, place: str) -> str:
    """The refusal for another place: "只涉及聊城市的事务" only when the corpus holds nothing else."""
    if ctx.scope.beyond_home:
        return scope_text(W.OUT_OF_SCOPE_PLACE_HELD, ctx, place=place, held=ctx.scope.holdings())
    return scope_text(W.OUT_OF_SCOPE_PLACE, ctx, place=place)


def decision_features(ctx: AnswerContext, q: Question, hits: list[Hit], ranked: list[Candidate], plausible: list[Candidate],
                      exact: list[Candidate], signals: RetrievalSignals, qvec: np.ndarray | None) -> DecisionFeatures:
    best = (exact or plausible or ranked or [None])[0]
    stats = ctx.term_stats
    top_term = max(q.terms, key=stats.weight) if q.terms else None
    # a question that asks several things is answered by several sentences: its coverage is theirs together
    chosen = [best, *(c for c in _part_bests(q, plausible, stats) if c is not best)] if best else []
    said = " ".join(_with_referent(c) for c in chosen)
    context = " ".join(dict.fromkeys(f"{c.paragraph.text} {c.hit.chunk.title}" for c in chosen))
    return DecisionFeatures(
        bm25_top=math.log1p(max(signals.bm25_top, 0.0)),
        dense_top=signals.dense_top,
        agree=float(signals.agree),
        # with no candidate at all, said and context are empty and every coverage is 0
        best_cover=best.cover if len(chosen) == 1 else combined_cover(coverage(q.terms, said, stats), coverage(q.terms, context, stats)),
        sentence_cover=coverage(q.terms, said, stats),
        top_term_in_sentence=float(bool(top_term and coverage([top_term], said, stats) > 0)),
        paragraph_missing=1.0 - coverage(q.terms, context, stats),
        chunk_cover=coverage(q.terms, hits[0].chunk.text + hits[0].chunk.title, ctx.term_stats) if hits else 0.0,
        section_cover=coverage(q.terms, " ".join(best.hit.chunk.heading_path), stats) if best else 0.0,
        unknown_share=unknown_share(q.terms, ctx.term_stats),
        fits_intent=float(bool(exact) and exact[0].cover >= ctx.policy.min_cover),
        intent_gap=max((c.cover for c in plausible), default=0.0) - max((c.cover for c in exact), default=0.0) if exact else 0.0,
        sentence_sim=_similarity(ctx, qvec, [c.sentence for c in (exact or plausible)[:5]]),
        person_named=float(bool(best) and any(t in best.sentence for t in q.terms if stats.is_person(t))),
        n_terms=math.log1p(len(q.terms)),
        expanded=float(q.expanded_query != q.query),
    )


def _with_referent(c: Candidate) -> str:
    """The sentence, followed by its document's title when it speaks of "本办法" / "本意见"."""
    return f"{c.sentence} {c.hit.chunk.title}" if DOCUMENT_ANAPHORA_RE.search(c.sentence) else c.sentence


def best_for_part(part: Question, pool: list[Candidate], stats: TermStats) -> Candidate:
    """The candidate that answers one part: the part's own key terms first, then the kind of fact
    the part asks for ("被任命为什么" → the appointment line, not the removal), then the question's score."""
    return max(pool, key=lambda c: (coverage(part.terms, c.sentence, stats), intent_bonus(part, c.sentence), c.score))


def _part_bests(q: Question, plausible: list[Candidate], stats: TermStats) -> list[Candidate]:
    """For each part of a question that asks several things, the candidate that covers it best."""
    return [best_for_part(part, plausible, stats) for part in q.parts if part.terms and plausible]


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
    # "多少钱" or "哪天" with no sentence stating a figure or date of that kind: a passage without it answers nothing
    missing = None if a.exact else _missing_kind_refusal(a.question)
    if not _answerable(ctx, a):
        if a.foreign:  # the gazettes mention the place, but not for what was asked
            return Answer(answer=out_of_scope_place(ctx, a.foreign[0]), answered=False)
        if missing and a.plausible and a.plausible[0].cover >= ctx.policy.min_cover:
            return refusal(missing, ctx)  # the topic is there, the figure or date asked for is not: say so
        return refusal(W.REFUSAL, ctx)
    strong = [c for c in a.exact if covers_enough(c, ctx.policy)]
    if strong:
        evidence = _select_evidence(ctx, a.question, with_best_match(strong, a.plausible), top_k)
        return write_answer(ctx, _with_date_line(a.question, _with_lists(ctx, _with_parts(ctx, a, evidence))), a.question)
    if missing:
        return refusal(missing, ctx)
    pool = a.exact or a.plausible
    # the best passages of the best document, one sentence each: a hedge shows what is closest
    best: list[Candidate] = []
    for c in pool:
        if c.hit.chunk.doc_id == pool[0].hit.chunk.doc_id and all(c.paragraph.paragraph_id != b.paragraph.paragraph_id for b in best):
            best.append(c)
        if len(best) == ctx.policy.hedge_passages:
            break
    evidence = [Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, [c.sentence], c.score) for c in best]
    evidence = _with_date_line(a.question, _with_lists(ctx, evidence))
    answer = write_answer(ctx, evidence, a.question)
    if not (a.question.intent.issued and evidence[0].paragraph.kind == "signature"):  # the date line answers exactly
        answer.answer = W.HEDGE_LEAD + "\n" + answer.answer
    return answer


def _missing_kind_refusal(q: Question) -> str | None:
    """The refusal for a question whose asked kind of fact no passage states: a figure, or a date
    (not "还有效吗", which the 施行 clause answers, nor a document's issue date, which its date line gives)."""
    if q.intent.figure:
        return W.NO_FIGURE
    if q.intent.date and not (q.intent.validity or q.intent.issued or q.intent.yes_no or q.parts):
        return W.NO_DATE
    return None


def covers_enough(c: Candidate, policy: AnswerPolicy) -> bool:
    """Whether a sentence of the asked kind covers the question well enough to be quoted as its answer.

    The words no passage holds count too: "分几个阶段推进" where no passage names a 阶段 is not
    answered by a count of projects, however well the sentence covers the other words; it gets the hedge."""
    return min(c.cover, c.full_cover) >= policy.min_cover


def with_best_match(strong: list[Candidate], plausible: list[Candidate]) -> list[Candidate]:
    """The exact evidence, plus the best-matching sentence of its document when that one outranks it.

    The intent cues can misread a question ("谁批" asks for an authority, not a person), so the
    sentence that matches the question best is quoted too, after the evidence of the asked kind.
    """
    top = plausible[0] if plausible else None
    if (top is None or top in strong or top.hit.chunk.doc_id != strong[0].hit.chunk.doc_id
            or top.cover < strong[0].cover or top.score <= strong[0].score or is_lead_in(top.sentence)):
        return strong
    return [*strong, top]


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


def _select_evidence(ctx: AnswerContext, q: Question, candidates: list[Candidate], top_k: int) -> list[Evidence]:
    """The paragraphs (at most max_paragraphs) and their sentences that answer the question."""
    policy = ctx.policy
    top = candidates[0]
    best = [c for c in candidates if c.score >= top.score - policy.score_window and _same_or_as_good(c, top, q, policy)]
    if q.intent.validity:  # the 施行 / 有效期 clause answers it, though it shares few words with the topic
        best.sort(key=lambda c: not VALIDITY_RE.search(c.sentence))
    evidence: dict[str, Evidence] = {}
    for c in best[: max(3, top_k)]:
        key = c.paragraph.paragraph_id
        if key not in evidence:
            if len(evidence) >= policy.max_paragraphs:
                continue
            evidence[key] = Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, score=c.score)
        ev = evidence[key]
        if c.sentence not in ev.sentences and len(ev.sentences) < policy.max_sentences_per_paragraph:
            ev.sentences.append(c.sentence)
    if q.intent.department:  # the department is in the item's closing note: quote it too
        for ev in evidence.values():
            note = next((x for x in sentences(ev.paragraph.text) if DEPT_NOTE_RE.search(x)), None)
            if note and not any(DEPT_NOTE_RE.search(x) for x in ev.sentences):
                ev.sentences.append(note)
    return list(evidence.values())


def _with_lists(ctx: AnswerContext, chosen: list[Evidence]) -> list[Evidence]:
    """A lead-in line ("市人民政府决定，任命：") says nothing alone: the paragraph it introduces follows it."""
    out: list[Evidence] = []
    quoted = {e.paragraph.paragraph_id for e in chosen}
    for ev in chosen:
        out.append(ev)
        if not is_lead_in(ev.paragraph.text.rstrip()):
            continue
        following = ev.doc.paragraphs[ev.paragraph.index + 1: ev.paragraph.index + 2]
        if following and following[0].kind not in ("heading", "signature", "title") and following[0].paragraph_id not in quoted:
            nxt = following[0]
            quoted.add(nxt.paragraph_id)
            out.append(Evidence(ev.doc, nxt, sentences(nxt.text)[:ctx.policy.max_sentences_per_paragraph], ev.score))
    return out


def _with_parts(ctx: AnswerContext, a: Assessment, chosen: list[Evidence]) -> list[Evidence]:
    """For a question that asks several things, the chosen evidence plus the best sentence of each
    part not yet quoted (added to its paragraph when that paragraph is already quoted).

    A part ranks the candidates by its own key terms first and the whole question's score second
    ("原来是谁" has no terms of its own: it takes the next best person of the same topic). Only
    the documents already quoted are searched: the parts ask about one subject.
    """
    out = list(chosen)
    docs = {e.doc.doc_id for e in chosen}
    for part in a.question.parts:
        # a part is judged by its own words too: "杜长涛被任命为什么" shares few with the whole question
        pool = [c for c in a.plausible if c.hit.chunk.doc_id in docs
                and max(c.cover, coverage(part.terms, c.sentence, ctx.term_stats)) >= ctx.policy.min_cover
                and fits_intent(part, c) and not is_lead_in(c.sentence)]  # a lead-in answers nothing alone
        if not pool:
            continue
        best = best_for_part(part, pool, ctx.term_stats)
        home = next((e for e in out if e.paragraph.paragraph_id == best.paragraph.paragraph_id), None)
        if home is None:
            out.append(Evidence(ctx.document(best.hit.chunk.doc_id), best.paragraph, [best.sentence], best.score))
        elif best.sentence not in home.sentences:
            home.sentences.append(best.sentence)
    return out


def _with_date_line(q: Question, chosen: list[Evidence]) -> list[Evidence]:
    """"聊政任〔2023〕14号是哪天签发的？": the first document's date line (under its signature) is
    quoted first, since the sentences chosen for the question's words do not state it."""
    if not q.intent.issued or not chosen:  # a part that asks it holds the cue, so the whole question does
        return chosen
    doc = chosen[0].doc
    found = date_line(doc)
    if found is None or any(e.paragraph.paragraph_id == found[0].paragraph_id for e in chosen):
        return chosen
    return [Evidence(doc, found[0], [found[1]], chosen[0].score), *chosen]


def date_line(doc: Document) -> tuple[Paragraph, str] | None:
    """The document's date line under its signature, and its date as printed: the signature line
    that states the signing date (in Arabic or Chinese numerals), else the last date line.

    A publicity note on the date line ("二○一五年三月二日（此件公开发布）") is not quoted, and a
    note on the line after it ("（此件公开发布）") is a paragraph of its own that hides nothing.
    """
    lines = [(p, without_publicity_note(p.text.strip())) for p in doc.paragraphs
             if p.kind == "signature" and is_date_line(p.text.strip())]
    if not lines:
        return None
    return next(((p, d) for p, d in lines if doc.date and iso_date(d) == doc.date), lines[-1])


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 3)
