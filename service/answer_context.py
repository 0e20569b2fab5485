"""What answering needs from a loaded index, and nothing else (the Engine builds it once)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from indexer.models import Document, Paragraph
from indexer.text import sentence_key

from .decision import DecisionModel
from .evidence import TermStats
from .passage_ranker import PassageRanker
from .policy import AnswerPolicy
from .results import Hit
from .scope import CorpusScope


@dataclass
class AnswerContext:
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
    ranker: PassageRanker | None = None  # the learned order of the candidate sentences, when adopted

    def sentence_similarity(self, qvec: np.ndarray) -> Callable[[str], float | None]:
        """Cosine of the question to a sentence, from the vectors built with the index (None if absent)."""
        def similarity(sentence: str) -> float | None:
            v = self.sentence_vectors.get(sentence_key(sentence))
            return None if v is None else float(v @ qvec)
        return similarity
