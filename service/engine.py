"""The engine: a loaded index (store, FAISS, BM25, embedder) and the operations on it.

The CLI, the API and the benchmark runner all go through one Engine, loaded once.
"""
from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from indexer.embedder import Embedder, load_embedder
from indexer.errors import IndexMismatchError
from indexer.models import Document
from indexer.settings import Settings
from indexer.store import Store

from .results import Answer, Filters, Hit
from .retrieval import DenseBackend, FaissDense, Retriever

if TYPE_CHECKING:
    from .question import Question


class Engine:
    def __init__(self, settings: Settings, store: Store, retriever: Retriever, manifest: dict, sentence_vectors: dict[str, np.ndarray] | None = None):
        self.settings = settings
        self.store = store
        self.retriever = retriever
        self.manifest = manifest
        self.sentence_vectors = sentence_vectors or {}  # sentence_key → vector, built with the index

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None, warm: bool = True,
             prefetch_model: bool = False) -> "Engine":
        """Load a built index; never re-embeds. Raises IndexMissingError / IndexMismatchError.

        warm (the service): load the model and everything answering needs now, not in the first
        request. Not warm (one CLI command): the model loads on the first question embedded, the
        answering tables on the first answer, so `gazette search --mode bm25` never loads the model.
        prefetch_model (not warm, a command that will embed): the model starts loading in a
        background thread now, while the index and jieba's dictionary load.
        """
        import faiss

        from indexer.index_files import load_index, read_manifest

        faiss.omp_set_num_threads(1)  # per-query search is faster single-threaded on 2 cores
        index_dir = settings.index_dir
        manifest = read_manifest(index_dir)  # the model check comes before loading anything big
        wanted = embedder.name if embedder else settings.model
        if manifest["model"] != wanted:
            raise IndexMismatchError(
                f"the index at {index_dir} was built with model {manifest['model']!r}, but {wanted!r} is configured: run `gazette index`"
            )
        if embedder is None and not warm:
            embedder = DeferredEmbedder(settings, manifest["dim"])
            if prefetch_model:
                embedder.prefetch()
        index = load_index(index_dir)
        embedder = embedder or load_embedder(settings)
        if embedder.dim != manifest["dim"]:
            raise IndexMismatchError(f"index dimension {manifest['dim']} != model dimension {embedder.dim}: run `gazette index`")
        retriever = Retriever(index.store, dense_backend(settings, index), index.bm25, embedder)
        engine = cls(settings, index.store, retriever, index.manifest, index.sentence_vectors)
        if warm:
            _ = engine.answer_context  # term stats, scope and jieba's dictionaries loaded here, not in the first request
            from .scope import places_in

            places_in("聊城")
        return engine

    @cached_property
    def term_stats(self):
        """Term weights over the chunks, for judging how well a sentence covers a question."""
        from .people import appointed_people

        return cached_term_stats(self.settings, self.manifest, lambda: [c.text + " " + c.title for c in self.store.chunks],
                                 lambda: appointed_people(self.documents()))

    @cached_property
    def scope(self):
        """What the corpus covers (home region, years, name), derived from the documents."""
        from .scope import CorpusScope

        docs = self.documents()
        texts = [c.text for c in self.store.chunks] + [d.title for d in docs]
        return CorpusScope.of(docs, texts, self.settings.corpus_name)

    @cached_property
    def answer_context(self):
        """The typed view of this index that answering works on."""
        from .answer_context import AnswerContext
        from .decision import load_decision_model
        from .passage_ranker import load_passage_ranker

        return AnswerContext(
            search=self.search,
            embed_query=self.retriever.embedder.embed_query,
            paragraph=self.store.get_paragraph,
            document=self.get_document,
            documents=self.documents,
            find_by_docnum=self.find_by_docnum,
            paragraphs_citing=self.store.paragraphs_citing,
            term_stats=self.term_stats,
            sentence_vectors=self.sentence_vectors,
            scope=self.scope,
            decision=load_decision_model(self.model_name),
            ranker=load_passage_ranker(),
        )

    @property
    def chunks(self):
        return self.store.chunks

    @property
    def model_name(self) -> str:
        return self.manifest["model"]

    def documents(self) -> list[Document]:
        return self.store.documents()

    def get_document(self, doc_id: str) -> Document:
        return self.store.get_document(doc_id)

    def find_by_docnum(self, text: str) -> list[Document]:
        return self.store.find_by_docnum(text)

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid", timings: dict | None = None,
               query_vector=None, signals=None, question: Question | None = None) -> list[Hit]:
        """Ranked chunks for the query, parsed once (`question`: its parse, when answering has it):
        BM25 also gets the gazettes' words for its rare everyday words, and a 文号 it names goes first."""
        if question is None:
            from .question import parse_question

            question = parse_question(query, None, self.term_stats.rare, self.term_stats.people_names)
        return self.retriever.search(query, k=k, filters=filters, mode=mode, timings=timings, query_vector=query_vector,
                                     signals=signals, lexical_query=self.term_stats.lexical_query(question),
                                     docnum=question.query_docnum)

    def ask(self, question: str, history: list[dict] | None = None, top_k: int | None = None, filters: Filters | None = None, mode: str = "hybrid") -> Answer:
        """The extractive answer (service/answer.py); service/answering.py decides whether a generated one is written from it."""
        from .answer import answer_question

        return answer_question(self.answer_context, question, history=history or [], top_k=top_k or self.settings.top_k, filters=filters, mode=mode)


def dense_backend(settings: Settings, index) -> DenseBackend:
    """The dense search of GAZETTE_VECTOR_BACKEND over a loaded index: its faiss index, or the
    Milvus collection of its corpus hash (synced first if it is not: idempotent, and a no-op when
    `gazette index` already did it). VectorStoreUnavailable when Milvus cannot be reached."""
    if settings.vector_backend == "faiss":
        return FaissDense(index.dense)
    from indexer.milvus_store import MilvusStore

    store = MilvusStore(settings)
    corpus_hash = index.manifest["corpus_hash"]
    store.sync(corpus_hash, len(index.store.chunks),
               lambda: (index.store.documents(), index.store.chunks, index.dense.reconstruct_n(0, index.dense.ntotal)))
    return store.dense(corpus_hash)


class DeferredEmbedder:
    """The configured embedder, loaded on first use (a CLI command that may never embed anything).

    Its dimension is the index's until then; loading checks that the model agrees.
    """

    def __init__(self, settings: Settings, dim: int):
        self.settings, self.name, self.dim = settings, settings.model, dim
        self._loaded: Embedder | None = None
        self._prefetch: threading.Thread | None = None

    def prefetch(self) -> None:
        """Start loading the model in a background thread. ONNX Runtime builds its session (most
        of the load) without holding the GIL, so on 2 cores it overlaps with the index and jieba's
        dictionary loading in the main thread: a cold `gazette ask` is about 0.5 s shorter."""
        if self._loaded is None and self._prefetch is None:
            # not a daemon: a process that never embeds waits for it at exit rather than being
            # torn down inside ONNX Runtime
            self._prefetch = threading.Thread(target=self._load_quietly, name="model-prefetch")
            self._prefetch.start()

    def _load_quietly(self) -> None:
        try:
            self._load()
        except Exception:  # noqa: BLE001 - the first embed_query loads again and raises it in the caller
            pass

    def _load(self) -> None:
        loaded = load_embedder(self.settings)
        if loaded.dim != self.dim:
            raise IndexMismatchError(f"index dimension {self.dim} != model dimension {loaded.dim}: run `gazette index`")
        self._loaded = loaded

    def _embedder(self) -> Embedder:
        if self._prefetch is not None:
            self._prefetch.join()
        if self._loaded is None:
            self._load()
        return self._loaded

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder().embed_query(text)

    def embed_passages(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        return self._embedder().embed_passages(texts, show_progress_bar=show_progress_bar)


def cached_term_stats(settings: Settings, manifest: dict, texts, people=lambda: []):
    """TermStats over the chunk texts (jieba over every chunk: seconds), cached in the cache folder.

    The cache file is named by the index's corpus hash and the source of the code that computes
    the statistics (service/evidence.py, the corpus' short names and appointed people and the
    vocabulary that finds them, the lexical tokeniser, text normalisation), so a rebuilt index or
    changed code computes them afresh; a missing or unreadable file is recomputed.
    """
    import dataclasses
    import hashlib
    import json
    from pathlib import Path

    import indexer.lexical
    import indexer.text

    from . import abbreviations, evidence, people as people_module, vocabulary

    h = hashlib.sha256(str(manifest.get("corpus_hash")).encode())
    for module in (evidence, abbreviations, people_module, vocabulary, indexer.lexical, indexer.text):
        h.update(Path(module.__file__).read_bytes())
    path = Path(settings.cache_dir) / "derived" / f"term_stats-{h.hexdigest()[:24]}.json"
    try:
        return evidence.TermStats(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    stats = evidence.TermStats.of(texts(), people())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{id(stats)}.tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(stats), ensure_ascii=False), "utf-8")
        tmp.replace(path)  # readers see a whole file or none
    except OSError:
        pass  # a read-only cache folder: compute each time
    return stats
