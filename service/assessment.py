"""Assessing a question: retrieve, rank the sentences, apply the scope rules, compute the decision features.

The hard rules refuse here, before any model: a year the corpus never mentions, another place
the gazettes say nothing about, a year no candidate holds. What is left goes to the decision
model (service/decision.py) and to the choice of evidence (service/answer.py).
"""
from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import vocabulary as V
from .answer_context import AnswerContext
from .decision import DecisionFeatures, decision_features
from .evidence import Candidate, fits_intent, mentions_place, missing_constraint, rank_sentences
from .passage_ranker import ranker_order
from .question import Question
from .refusal import Refusal, RefusalKind
from .results import Filters, Hit, RetrievalSignals

NOT_ASKED_FIGURES_RE = re.compile(V.NOT_ASKED_FIGURES)


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
    refusal: Refusal | None  # why a hard rule refused
    foreign: tuple[str, ...] = ()  # places outside the corpus' home region that the question names


def refused(q: Question, refusal: Refusal, hits: Sequence[Hit] = (), ranked: Sequence[Candidate] = ()) -> Assessment:
    """The assessment of a question a hard rule refuses."""
    return Assessment(q, list(hits), list(ranked), [], [], None, None, refusal)


def assess(ctx: AnswerContext, q: Question, top_k: int, filters: Filters | None, mode: str, timings: dict | None = None) -> Assessment:
    """Retrieve, rank the sentences, apply the scope rules and compute the decision features."""
    timings = timings if timings is not None else {}
    if q.docnum:  # a detail question about a named document: look only inside that document
        docs = ctx.find_by_docnum(q.docnum)
        filters = replace(filters or Filters(), doc_ids=tuple(d.doc_id for d in docs))
    unknown_years = ctx.scope.unknown_years(q.years)
    if unknown_years:
        return refused(q, Refusal(RefusalKind.OTHER_YEAR, {"year": unknown_years[0]}))
    qvec = None
    if mode != "bm25":  # embedded once: for dense search and for the similarity feature
        t = time.perf_counter()
        qvec = ctx.embed_query(q.query)
        timings["embed"] = ms_since(t)
    signals = RetrievalSignals()
    similarity = ctx.sentence_similarity(qvec) if qvec is not None else None

    def candidates(k: int) -> tuple[list[Hit], list[Candidate], list[Candidate]]:
        hits = ctx.search(q.query, k=k, filters=filters, mode=mode, timings=timings, query_vector=qvec,
                          signals=signals, question=q)
        t = time.perf_counter()
        ranked = rank_sentences(hits, ctx.paragraph, q, ctx.term_stats, similarity, ctx.policy.scoring)
        ranked = ranker_order(ranked, q, ctx.ranker, hits, ctx.term_stats, ctx.document)  # the learned order, when adopted
        plausible = [c for c in ranked if not missing_constraint(q, c)]
        timings["answer"] = timings.get("answer", 0.0) + ms_since(t)
        return hits, ranked, plausible

    hits, ranked, plausible = candidates(max(top_k * 2, ctx.policy.min_candidates))
    if ranked and not plausible and (q.years or q.months or q.ordinals):
        # the topic was found, but not the year or ordinal asked: the passage that names it may rank lower
        hits, ranked, plausible = candidates(ctx.policy.constrained_candidates)
    t = time.perf_counter()
    if q.docnum and not plausible:  # the named document pins the subject: an ordinal it never writes does not refuse
        plausible = [c for c in ranked if not missing_constraint(replace(q, ordinals=()), c)]
    foreign = () if q.docnum else ctx.scope.foreign_places(q.text, q.places)
    if foreign:  # another place: only what the gazettes say about that place itself, or what applies there (a national document)
        plausible = [c for c in plausible if all(mentions_place(p, c) or ctx.scope.applies_to(c.hit.chunk.doc_id, p) for p in foreign)]
        if not plausible:
            return refused(q, Refusal(RefusalKind.OTHER_PLACE, {"place": foreign[0]}), hits, ranked)
    if q.years and not plausible:
        return refused(q, Refusal(RefusalKind.OTHER_YEAR, {"year": q.years[0]}), hits, ranked)
    exact = [c for c in plausible if (fits_intent(q, c) if all(mentions_place(p, c) for p in foreign) else fits_elsewhere(q, c))]
    features = decision_features(ctx, q, hits, ranked, plausible, exact, signals, qvec)
    # a named document exists: quote its most relevant passage rather than guess it is off topic
    model = ctx.decision if qvec is not None and not q.docnum else None
    probability = model.probability(features) if model else None
    timings["answer"] += ms_since(t)
    return Assessment(q, hits, ranked, exact, plausible, features, probability, None, foreign)


def fits_elsewhere(q: Question, c: Candidate) -> bool:
    """fits_intent, for a sentence that applies to the place asked about without naming it (a
    national document's): its dates and ordinals (2019年, 第十二条) are no figure of that place."""
    if q.parts:
        return any(fits_elsewhere(part, c) for part in q.parts)
    if q.intent.figure:
        c = replace(c, sentence=NOT_ASKED_FIGURES_RE.sub("", c.sentence))
    return fits_intent(q, c)


def ms_since(t: float) -> float:
    """Milliseconds since perf_counter() read t."""
    return round((time.perf_counter() - t) * 1000, 3)
