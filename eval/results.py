"""What an evaluation run records: each question's search and answer through one system, and the
report over a question file. The runner fills them in; the report module renders them."""
from __future__ import annotations

from dataclasses import dataclass, field

from eval import metrics as M
from eval.dataset import Question


@dataclass(frozen=True)
class RetrievedChunk:
    rank: int
    chunk_id: str
    doc_id: str
    docnum: str | None
    title: str
    text: str
    score: float | None = None
    section: str = ""  # heading path, " > "-joined

    @property
    def evidence_text(self) -> str:
        """What evidence is looked for in: the document title, the heading path and the text."""
        return "\n".join(x for x in (self.title, self.section, self.text) if x)


@dataclass(frozen=True)
class CitedQuote:
    n: int
    doc_id: str
    docnum: str | None
    title: str
    quote: str
    paragraph_id: str | None = None
    date: str | None = None  # the document's date, shown on the citation
    context: str = ""  # what the card shows beside the quote: a table row's caption and header


@dataclass
class SearchOutcome:
    chunks: list[RetrievedChunk] = field(default_factory=list)
    ms: float | None = None
    error: str | None = None


@dataclass
class AskOutcome:
    answer: str = ""
    answered: bool = False
    citations: list[CitedQuote] = field(default_factory=list)
    timing_ms: dict = field(default_factory=dict)
    ms: float | None = None
    error: str | None = None
    answer_mode: str = "extractive"
    fallback: str | None = None
    generation: dict | None = None  # GenerationRecord fields (the API's `check`), when generation was tried
    notes: list[str] = field(default_factory=list)


@dataclass
class QuestionResult:
    """One question through one system, with what each metric needs."""

    question_id: str
    system: str
    kind: str
    answerable: bool
    search: SearchOutcome
    ask: AskOutcome
    documents: list[M.DocRef] = field(default_factory=list)  # distinct, in rank order
    gold_ranks: list[int | None] | None = None  # None: not scored for retrieval
    evidence_ranks: list[int | None] | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    quotes_verbatim: list[bool] = field(default_factory=list)  # one per citation
    facts: list[str] = field(default_factory=list)
    facts_found: list[bool] = field(default_factory=list)
    fact_recall: float | None = None
    # end-to-end figures over every answerable question, a refusal scoring 0 (None: not scored)
    cited_gold: bool | None = None  # some citation is a gold document
    first_cited_gold: bool | None = None  # the first citation is
    quote_evidence: float | None = None  # share of evidence strings inside the quotes
    first_quote_evidence: float | None = None  # share inside the first quote
    answer_facts: float | None = None  # fact recall of the answer text
    # figures (numbers, dates, 文号, departments) of the answer shown: sentences holding any, and
    # those whose figures all lie in their cited quotes (title and 文号 included)
    shown_figure_sentences: int = 0
    shown_figures_ok: int = 0


@dataclass
class Report:
    systems: list[str]
    questions: list[Question]
    results: dict[str, list[QuestionResult]]  # system → one per question, question order
    overall: dict[str, dict]  # system → metric → value
    by_kind: dict[str, dict[str, dict]]  # system → kind → metric → value
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    dataset_errors: list[str] = field(default_factory=list)
