"""Result types shared by retrieval, answering, the API, the CLI and the benchmark runner."""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.models import Chunk, TableRow

SEARCH_MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on retrieval. Years are signing years, inclusive."""

    year_from: int | None = None
    year_to: int | None = None
    type: str | None = None  # a Document.type, e.g. 通知
    issuer: str | None = None  # substring of Document.issuer
    doc_ids: tuple[str, ...] | None = None  # only these documents (a 文号 named in a detail question)

    def is_empty(self) -> bool:
        return not any((self.year_from, self.year_to, self.type, self.issuer, self.doc_ids))


@dataclass(frozen=True)
class Hit:
    """One ranked chunk. `score` is the fused score (hybrid) or the single retriever's score."""

    chunk: Chunk
    score: float
    rank: int  # 1-based
    matched_terms: tuple[str, ...] = ()  # query terms found in the chunk text, for highlighting


@dataclass
class RetrievalSignals:
    """How sure each retriever was, for the answer decision: top scores and whether they agree."""

    bm25_top: float = 0.0  # best BM25 score (0 when no query token occurs anywhere)
    dense_top: float = 0.0  # best cosine similarity of the query to a chunk
    bm25_doc: str | None = None  # the document of each retriever's best chunk
    dense_doc: str | None = None

    @property
    def agree(self) -> bool:
        return self.bm25_doc is not None and self.bm25_doc == self.dense_doc


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] marker used in the answer text
    doc_id: str
    docnum: str | None
    title: str
    date: str | None
    section: str
    quote: str  # verbatim text of one paragraph of that document
    paragraph_id: str
    url: str  # /documents/{doc_id}#p{paragraph index}
    score: float
    page: int | None = None  # the printed page of the quote (PDF sources)
    # a table row's structure (caption, header, cells): the quote is the row's cells joined by a
    # tab; the answer text and the source card read it under its header
    table: TableRow | None = None


@dataclass
class Answer:
    answer: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    timing_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # validity / newer-figure remarks also in the text
    answer_mode: str = "extractive"  # ANSWER_MODES: what wrote the text shown
    fallback: str | None = None  # why a generated answer was asked for and the extractive one is shown
    generation: GenerationRecord | None = None  # what the model wrote and how it fared (None: not tried)


ANSWER_MODES = ("extractive", "generated")


@dataclass(frozen=True)
class AnswerEvent:
    """One step of answering (service/answering.py): the passages a model reads (`passages`: an
    Answer whose citations they are), a piece of the model's text (`delta`), or the answer to show (`final`)."""

    kind: str  # "passages" | "delta" | "final"
    text: str = ""
    answer: Answer | None = None


@dataclass
class GenerationRecord:
    """One attempt at a generated answer, for the response's `check` and the benchmark."""

    passed: bool  # every check passed (a refusal by the model passes)
    failed_check: str | None = None  # the first check that failed
    refusal: bool = False  # the model said the passages do not hold the answer
    sentences: int = 0  # sentences of the model's text
    figures_ok: int = 0  # of those, sentences whose figures all lie in their cited passages
    sentences_with_figures: int = 0
    figures_ok_with_figures: int = 0
    first_token_ms: float | None = None  # from the start of answering to the model's first piece of text
    llm_ms: float | None = None  # the model's whole generation
    text: str = ""  # the model's text, kept for the benchmark; not sent to users when it failed
