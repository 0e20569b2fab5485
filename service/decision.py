"""The answer decision: a small logistic model over retrieval and evidence signals.

It replaces a pile of thresholds. Given what retrieval found and how well the best evidence fits
the question, it gives the probability that the gazettes answer the question; the policy then
answers (exact evidence), hedges (best passage under a plain lead-in) or refuses.

`decision_features` computes the signals from an assessment's candidates (service/assessment.py).
The model is trained by `gazette train-decision` (eval/decision_training.py) on labelled
questions and stored as plain JSON coefficients in data/decision_model.json: no pickle, and
scoring is a dot product. Each embedding model gets its own coefficients, because similarity
scores are not comparable across models; for a model without its own, a lexical-only model
(no similarity features) is used.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import Protocol

import numpy as np

from . import vocabulary as V
from .evidence import Candidate, TermStats, best_for_part, combined_cover, coverage, unknown_share
from .policy import AnswerPolicy, ScoringPolicy
from .question import Question
from .results import Hit, RetrievalSignals



class FeatureContext(Protocol):
    """What the features read of the answer context (AnswerContext has it; decision.py does not
    import it, since the context holds the decision model)."""

    term_stats: TermStats
    policy: AnswerPolicy

    def sentence_similarity(self, qvec: np.ndarray) -> Callable[[str], float | None]: ...

MODEL_FILE = Path(__file__).parent / "data" / "decision_model.json"
LEXICAL = "*lexical*"  # the key of the coefficients that ignore embedding similarities


@dataclass(frozen=True)
class DecisionFeatures:
    """Signals of one question's retrieval and evidence; every field is a number."""

    bm25_top: float  # log(1 + best BM25 score)
    dense_top: float  # best query-chunk cosine
    agree: float  # 1 when BM25 and dense put the same document first
    best_cover: float  # key-term coverage of the best sentence with its context (0..1)
    sentence_cover: float  # the same for the sentence's own words alone
    top_term_in_sentence: float  # 1 when the question's most specific term is in the best sentence
    paragraph_missing: float  # share of key-term weight absent from the best paragraph and its title
    chunk_cover: float  # key-term coverage of the best chunk as a whole
    # key-term coverage of the best sentence's document title and section headings: whether the
    # passage sits where the gazette speaks of the question's subject. A near miss is often
    # answered by a figure from a section about something else ("雁阵形集群领军企业奖励多少" →
    # the awards for 技术创新示范企业); cross-validated AUC 0.939 → 0.945, refusal F1 0.780 → 0.804
    section_cover: float
    unknown_share: float  # share of key-term weight in words the corpus never uses
    # 1 when the best-ranked sentence of the kind of fact asked for covers the question (≥ min_cover);
    # "any such sentence" was tried: cross-validated no better, and dev lost 3 answers
    fits_intent: float
    # how much better the best sentence covers the question than the best one holding the kind of
    # fact asked for: "高龄津贴每月多少钱" finds 高龄津贴 without an amount, and amounts of 低保
    intent_gap: float
    sentence_sim: float  # cosine of the question to the best sentence
    # 1 when the question names a person the corpus appoints or removes, and the best sentence names them
    person_named: float
    n_terms: float  # log(1 + number of key terms)
    expanded: float  # 1 when everyday words were mapped to the gazettes' terms

    def vector(self, names: list[str]) -> list[float]:
        values = asdict(self)
        return [float(values[n]) for n in names]


FEATURE_NAMES = list(DecisionFeatures.__dataclass_fields__)
DOCUMENT_ANAPHORA_RE = re.compile(V.DOCUMENT_ANAPHORA)


def decision_features(ctx: FeatureContext, q: Question, hits: list[Hit], ranked: list[Candidate], plausible: list[Candidate],
                      exact: list[Candidate], signals: RetrievalSignals, qvec: np.ndarray | None) -> DecisionFeatures:
    best = (exact or plausible or ranked or [None])[0]
    stats = ctx.term_stats
    scoring = ctx.policy.scoring
    top_term = max(q.terms, key=stats.weight) if q.terms else None
    # a question that asks several things is answered by several sentences: its coverage is theirs together
    chosen = [best, *(c for c in part_bests(q, plausible, stats, scoring) if c is not best)] if best else []
    said = " ".join(with_referent(c) for c in chosen)
    context = " ".join(dict.fromkeys(f"{c.paragraph.text} {c.hit.chunk.title}" for c in chosen))
    return DecisionFeatures(
        bm25_top=math.log1p(max(signals.bm25_top, 0.0)),
        dense_top=signals.dense_top,
        agree=float(signals.agree),
        # with no candidate at all, said and context are empty and every coverage is 0
        best_cover=best.cover if len(chosen) == 1 else combined_cover(coverage(q.terms, said, stats), coverage(q.terms, context, stats), scoring),
        sentence_cover=coverage(q.terms, said, stats),
        top_term_in_sentence=float(bool(top_term and coverage([top_term], said, stats) > 0)),
        paragraph_missing=1.0 - coverage(q.terms, context, stats),
        chunk_cover=coverage(q.terms, hits[0].chunk.text + hits[0].chunk.title, stats) if hits else 0.0,
        section_cover=coverage(q.terms, " ".join(best.hit.chunk.heading_path), stats) if best else 0.0,
        unknown_share=unknown_share(q.terms, stats),
        fits_intent=float(bool(exact) and exact[0].cover >= ctx.policy.min_cover),
        intent_gap=max((c.cover for c in plausible), default=0.0) - max((c.cover for c in exact), default=0.0) if exact else 0.0,
        sentence_sim=best_similarity(ctx, qvec, [c.sentence for c in (exact or plausible)[:5]]),
        person_named=float(bool(best) and any(t in best.sentence for t in q.terms if stats.is_person(t))),
        n_terms=math.log1p(len(q.terms)),
        expanded=float(q.expanded_query != q.query),
    )


def with_referent(c: Candidate) -> str:
    """The sentence, followed by its document's title when it speaks of "本办法" / "本意见"."""
    return f"{c.sentence} {c.hit.chunk.title}" if DOCUMENT_ANAPHORA_RE.search(c.sentence) else c.sentence


def part_bests(q: Question, plausible: list[Candidate], stats: TermStats, scoring: ScoringPolicy = ScoringPolicy()) -> list[Candidate]:
    """For each part of a question that asks several things, the candidate that covers it best."""
    return [best_for_part(part, plausible, stats, scoring) for part in q.parts if part.terms and plausible]


def best_similarity(ctx: FeatureContext, qvec: np.ndarray | None, texts: list[str]) -> float:
    """Best cosine of the question to these sentences, from the vectors built with the index."""
    if qvec is None:
        return 0.0
    sims = [x for x in map(ctx.sentence_similarity(qvec), texts) if x is not None]
    return max(sims, default=0.0)
LEXICAL_FEATURES = [n for n in FEATURE_NAMES if n not in ("dense_top", "sentence_sim")]


@dataclass(frozen=True)
class DecisionModel:
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float  # below this probability the question is refused

    def probability(self, f: DecisionFeatures) -> float:
        x = f.vector(self.features)
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@lru_cache(maxsize=8)
def load_decision_model(embedding_model: str, path: Path = MODEL_FILE) -> DecisionModel | None:
    """The coefficients for this embedding model, else the lexical-only ones; None without a file."""
    if not path.is_file():
        return None
    models = json.loads(path.read_text("utf-8"))["models"]
    entry = models.get(embedding_model) or models.get(LEXICAL)
    return DecisionModel(**{k: entry[k] for k in DecisionModel.__dataclass_fields__}) if entry else None
