"""A learned order of the candidate sentences: a pairwise linear ranker over the hand score's parts.

The hand score (evidence.rank_sentences: key-term coverage + intent bonuses + rank prior + scaled
embedding similarity) picks the sentence an answer quotes first. `gazette train-ranker`
(eval/passage_training.py) fits a pairwise logistic model on the train questions: for each
question, every (sentence whose paragraph holds the evidence, sentence whose does not) pair. The
hand score is one of its features, but a pairwise fit weighs every pair alike, not the top one, so
the model can still do worse than the hand score at the top: hence the cross-validated comparison.

It is stored as plain JSON weights in data/passage_ranker.json, with its cross-validated figures
against the hand score, and used only when `adopted` is true there: the training adopts it only
when it beats the hand score in cross-validation grouped by question. Otherwise (and without a
file) the hand order stands.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.text import is_lead_in

from .evidence import TermStats, coverage, fills_frame, labelled
from .patterns import APPOINTMENT_RE, DATE_OR_TIME_LIMIT_RE, DEPT_NOTE_RE, DEPT_RE, FIGURE_RE, PROCEDURE_RE, VALIDITY_RE

if TYPE_CHECKING:
    from indexer.models import Document

    from .evidence import Candidate
    from .question import Question
    from .results import Hit

RANKER_FILE = Path(__file__).parent / "data" / "passage_ranker.json"

# Paragraph kinds that carry a document's content (not its title, headings, captions or signature):
# the first of them often states the document's purpose or its main rule.
BODY_KINDS = frozenset({"text", "list_item", "table_row", "chronicle", "appointment"})

# What a candidate sentence is described by: the hand score, its parts, and where the sentence sits.
FEATURE_NAMES = (
    "hand_score",  # the hand-weighted score itself (the fallback order)
    "cover",  # key-term coverage with its paragraph's context (0..1)
    "full_cover",  # the same over every key term, reachable or not
    "similarity",  # embedding similarity to the question, scaled 0..1 within the question
    "rank_prior",  # 1 / (chunk rank + 1)
    "chunk_score",  # the retrieval score of its chunk
    "fits_frame",  # it says the question's words around the asked slot
    "figure_asked_and_held",
    "date_asked_and_held",
    "department_note",  # a 牵头单位 note, when a department is asked for
    "department_word",
    "validity_clause",  # a 施行 / 有效期 clause, when validity is asked
    "procedure_word",
    "appointment_line",
    "lead_in",  # it ends with a colon: it introduces what follows
    "first_of_paragraph",
    "log_length",
    "table_row",
    "list_item",
    "chronicle_item",
    # where the sentence sits, beyond its own words: the label is its paragraph's, not its own
    "paragraph_cover",  # key-term coverage of its whole paragraph
    "title_cover",  # key-term coverage of its document's title and section path
    "first_body_paragraph",  # its paragraph is the document's first content paragraph
    "document_rank",  # 1 / (rank of its document among the hits' documents)
)


@dataclass(frozen=True)
class Placement:
    """Where a candidate sits, beyond its own sentence (read from its paragraph, document and hits)."""

    frame_filled: bool
    paragraph_cover: float
    title_cover: float
    first_body_paragraph: bool
    document_rank: int  # 1-based, by the best hit of each document


def candidate_features(q: "Question", c: "Candidate", at: Placement) -> list[float]:
    """The feature vector of one candidate, in FEATURE_NAMES order."""
    s, it, kind = c.sentence, q.intent, c.paragraph.kind
    return [
        c.score, c.cover, c.full_cover, c.similarity, 1.0 / (c.hit.rank + 1), c.hit.score,
        float(at.frame_filled),
        float(bool(it.figure and FIGURE_RE.search(s))),
        float(bool(it.date and DATE_OR_TIME_LIMIT_RE.search(s))),
        float(bool(it.department and DEPT_NOTE_RE.search(s))),
        float(bool(it.department and DEPT_RE.search(s))),
        float(bool(it.validity and VALIDITY_RE.search(s))),
        float(bool(it.procedure and PROCEDURE_RE.search(s))),
        float(bool(it.new_post and APPOINTMENT_RE.search(s))),
        float(is_lead_in(s)),
        float(c.paragraph.text.startswith(s)),
        math.log(max(len(s), 1)),
        float(kind == "table_row"),
        float(kind == "list_item"),
        float(kind == "chronicle"),
        at.paragraph_cover, at.title_cover, float(at.first_body_paragraph), 1.0 / at.document_rank,
    ]


def question_features(q: "Question", candidates: list["Candidate"], hits: list["Hit"], stats: TermStats,
                      document: Callable[[str], "Document"]) -> list[list[float]]:
    """The feature vectors of one question's candidates (hits: what retrieval returned, best first)."""
    doc_rank: dict[str, int] = {}
    for h in sorted(hits, key=lambda h: h.rank):
        doc_rank.setdefault(h.chunk.doc_id, len(doc_rank) + 1)
    first_body: dict[str, str | None] = {}
    out = []
    for c in candidates:
        doc_id = c.hit.chunk.doc_id
        if doc_id not in first_body:
            first_body[doc_id] = next((p.paragraph_id for p in document(doc_id).paragraphs if p.kind in BODY_KINDS), None)
        at = Placement(
            frame_filled=any(fills_frame(f, c.sentence) for f in q.frames),
            paragraph_cover=coverage(q.terms, labelled(c.paragraph.text.strip(), c.paragraph), stats),
            title_cover=coverage(q.terms, f"{c.hit.chunk.title} {' '.join(c.hit.chunk.heading_path)}", stats),
            first_body_paragraph=first_body[doc_id] == c.paragraph.paragraph_id,
            document_rank=doc_rank.get(doc_id, len(doc_rank) + 1),
        )
        out.append(candidate_features(q, c, at))
    return out


@dataclass(frozen=True)
class PassageRanker:
    features: tuple[str, ...]
    weights: tuple[float, ...]  # on the raw features: a dot product, no scaling at run time

    def score(self, x: list[float]) -> float:
        return sum(w * v for w, v in zip(self.weights, x))


def ranker_order(ranked: list["Candidate"], q: "Question", ranker: PassageRanker | None, hits: list["Hit"],
                 stats: TermStats, document: Callable[[str], "Document"]) -> list["Candidate"]:
    """The candidates in the ranker's order (ties keep the hand order); the hand order without one.
    Each keeps its hand score (c.score): the answer's thresholds are set on that scale."""
    if ranker is None or not ranked:
        return ranked
    scores = [ranker.score(x) for x in question_features(q, ranked, hits, stats, document)]
    order = sorted(range(len(ranked)), key=lambda i: -scores[i])
    return [ranked[i] for i in order]


@lru_cache(maxsize=4)
def load_passage_ranker(path: Path = RANKER_FILE) -> PassageRanker | None:
    """The adopted ranker; None without a file, or when training did not adopt it."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if not data.get("adopted") or tuple(data["features"]) != FEATURE_NAMES:
        return None
    return PassageRanker(tuple(data["features"]), tuple(data["weights"]))
