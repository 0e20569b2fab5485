"""Build the index folder: store (SQLite), dense vectors (FAISS), BM25, manifest.

The new index is written into a sibling temp folder and swapped in at the end, so a failed or
interrupted build never leaves the existing index half-written. Vectors come from a cache keyed
by model and text, so an unchanged chunk is never embedded twice.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .chunker import chunk_documents, embedding_text
from .duplicates import Duplicate
from .embedder import Embedder, load_embedder
from .errors import GazetteError, VectorStoreUnavailable
from .index_files import (  # noqa: F401  (re-exported: the names callers have used)
    BM25_DIR, FAISS_FILE, FORMAT_VERSION, MANIFEST, SENTENCE_KEYS, SENTENCE_VECTORS, STORE, read_manifest, save_index,
)
from .locks import build_lock
from .milvus_store import sync_index_dir
from .parser import gazette_files, parse_files
from .readers import readers_code_hash
from .settings import Settings
from .store import EmbeddingCache
from .models import Document
from .text import MIN_SENTENCE_CHARS, normalize_for_index, sentence_key, sentences
from .tokens import count_tokens

log = logging.getLogger(__name__)

# The modules whose code decides what the index holds: parsing, chunking, token counting, the
# lexical tokeniser, the stored layout. Settings, the embedder's loading code, the corpus commands
# and the ONNX query encoder are left out: editing them does not change a built index. (The vectors
# are covered by the model name; their cache is keyed by it.) A change to this file's own logic that
# shapes the index (sentence_keys, the manifest) bumps index_files.FORMAT_VERSION or INDEX_LOGIC_VERSION.
INDEX_SHAPING_MODULES = (
    "text", "numerals", "frontmatter", "articles", "paragraphs", "metadata", "parser", "duplicates", "models",
    "chunker", "tokens", "lexical", "store", "index_files", "pages", "tables", "chronicle",
)
INDEX_LOGIC_VERSION = 1  # build.py's own index-shaping logic (sentence_keys, what is embedded)
EMBED_BUCKET = 64  # texts per embedding call, after sorting by length


@dataclass
class BuildReport:
    up_to_date: bool = False
    files: int = 0
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks embedded in this run
    reused: int = 0  # chunk vectors taken from the cache
    sentences_embedded: int = 0  # sentence vectors (for the on-topic check) embedded in this run
    errors: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # file name → why it could not be parsed
    duplicates: list[Duplicate] = field(default_factory=list)  # copies of documents skipped (indexer.duplicates)
    seconds: float = 0.0
    index_dir: str = ""
    vector_store: str = ""  # GAZETTE_VECTOR_BACKEND=milvus: what the sync of the collection did
    warnings: list[str] = field(default_factory=list)  # e.g. the collection could not be synced


def indexer_code_hash() -> str:
    """A hash of the source of the modules that shape the index: a changed parser or chunker rebuilds it."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in INDEX_SHAPING_MODULES:
        h.update(name.encode() + b"\0" + (here / f"{name}.py").read_bytes())
    h.update(readers_code_hash().encode())  # how a PDF, page or portal page is read shapes the index too
    return h.hexdigest()


def index_settings_key(settings: Settings, model_name: str) -> str:
    """The settings that shape the index, and nothing answer-time (top_k, host, question length…)."""
    return "|".join(
        str(v) for v in (FORMAT_VERSION, INDEX_LOGIC_VERSION, model_name, settings.passage_prefix,
                         settings.max_chunk_tokens, settings.target_chunk_chars)
    )


def corpus_hash(files: list[Path], settings: Settings, model_name: str) -> str:
    """Changes whenever a file, the index-shaping code or a setting that shapes the index changes."""
    h = hashlib.sha256(index_settings_key(settings, model_name).encode())
    h.update(indexer_code_hash().encode())
    for f in files:
        h.update(f.name.encode())
        h.update(hashlib.sha256(f.read_bytes()).digest() if f.is_file() else b"missing")
    return h.hexdigest()


def _embed_chunks(texts: list[str], settings: Settings, embedder: Embedder | None, progress: bool) -> tuple[np.ndarray, int, Embedder | None]:
    """Vectors for all texts: cached ones reused, the rest embedded (loading the model only then)."""
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    name = embedder.name if embedder else settings.model
    keys = [EmbeddingCache.key(t) for t in texts]
    found = cache.get_many(name, keys)
    missing = [i for i, k in enumerate(keys) if k not in found]
    if missing:
        embedder = embedder or load_embedder(settings)
        new = embed_by_length(embedder, [texts[i] for i in missing], progress)
        fresh = {keys[i]: new[j] for j, i in enumerate(missing)}
        cache.put_many(name, fresh)
        found.update(fresh)
    vectors = np.vstack([found[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 1), np.float32)
    return vectors, len(missing), embedder


def embed_by_length(embedder: Embedder, texts: list[str], progress: bool = False) -> np.ndarray:
    """embedder.embed_passages over texts sorted by length, in buckets, rows back in the input order.

    A batch is padded to its longest text, so similar lengths together waste the least work.
    (sentence-transformers also sorts inside one encode call; this does it for any embedder,
    and keeps a bucket's padding bounded when the cache leaves a few long texts to embed.)
    """
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [
        embedder.embed_passages([texts[i] for i in order[start : start + EMBED_BUCKET]], show_progress_bar=False)
        for start in _progress(range(0, len(order), EMBED_BUCKET), progress)
    ]
    out = np.empty((len(texts), parts[0].shape[1]), np.float32)
    out[order] = np.vstack(parts)
    return out


def _progress(it, show: bool):
    if not show:
        return it
    from tqdm import tqdm

    return tqdm(it, desc="embedding", unit="batch")


def sentence_keys(docs: list[Document]) -> list[str]:
    """Every answerable sentence of the corpus (its opening), once: their vectors serve the on-topic check."""
    keys = (
        sentence_key(s)
        for d in docs
        for p in d.paragraphs
        if p.kind not in ("signature", "heading", "title")
        for s in sentences(p.text)
        if len(s) >= MIN_SENTENCE_CHARS
    )
    return list(dict.fromkeys(keys))


def build_index(settings: Settings, paths: list[Path] | None = None, embedder: Embedder | None = None, progress: bool = True, force: bool = False) -> BuildReport:
    """Parse, chunk, embed and write the index; does nothing when the corpus is unchanged."""
    started = time.perf_counter()
    with build_lock(settings):
        report = _build_index(settings, paths, embedder, progress, force, started)
        if settings.vector_backend == "milvus":
            sync_vector_store(settings, report)
        return report


def sync_vector_store(settings: Settings, report: BuildReport) -> None:
    """Copy the index folder into its Milvus collection (a no-op when already synced). A failure is
    a warning, not a failed build: the index folder is the source of truth and is in place, and
    loading the engine syncs again (and fails then with the same clear message)."""
    try:
        sync = sync_index_dir(settings, settings.index_dir)
    except VectorStoreUnavailable as e:
        report.warnings.append(f"the Milvus collection was not synced: {e}")
        return
    done = f"{sync.rows} rows inserted in {sync.seconds:.1f}s" if sync.inserted else "already synced"
    report.vector_store = f"milvus collection {sync.collection} at {settings.milvus_target}: {done}"


def _build_index(settings: Settings, paths: list[Path] | None, embedder: Embedder | None, progress: bool, force: bool, started: float) -> BuildReport:
    from .lexical import BM25Index

    files = gazette_files(paths or [settings.corpus_dir])
    name = embedder.name if embedder else settings.model
    chash = corpus_hash(files, settings, name)
    index_dir = settings.index_dir
    report = BuildReport(files=len(files), index_dir=str(index_dir))
    try:
        current = read_manifest(index_dir)
    except GazetteError:
        current = None
    if current and current.get("corpus_hash") == chash and not force:
        report.up_to_date = True
        report.documents, report.chunks = current["documents"], current["chunks"]
        report.errors = current.get("errors", [])
        report.problems = current.get("problems", {})
        report.duplicates = [Duplicate(**d) for d in current.get("duplicates", [])]
        report.seconds = time.perf_counter() - started
        return report

    parsed = parse_files(files, cache_dir=source_cache_dir(settings))
    report.errors = [str(e) for e in parsed.errors]
    report.problems = {Path(e.path).name: e.problem for e in parsed.errors}
    report.duplicates = parsed.duplicates
    if not parsed.documents:
        raise GazetteError("no documents could be parsed: " + ("; ".join(report.errors) or f"no gazette files in {', '.join(map(str, paths or [settings.corpus_dir]))}"))
    docs = parsed.documents
    chunks = chunk_documents(docs, count_tokens, settings.max_chunk_tokens, settings.target_chunk_chars)
    texts = [embedding_text(c) for c in chunks]
    vectors, embedded, embedder = _embed_chunks(texts, settings, embedder, progress)
    keys = sentence_keys(docs)
    sentence_vectors, sentences_embedded, embedder = _embed_chunks(keys, settings, embedder, progress)

    tmp = index_dir.parent / f".{index_dir.name}.building"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        manifest = {
            "model": name,
            "corpus_hash": chash,
            "files": [f.name for f in files],
            "documents": len(docs),
            "chunks": len(chunks),
            "sentences": len(keys),
            "errors": report.errors,
            "problems": report.problems,
            "duplicates": [asdict(d) for d in report.duplicates],
            "max_chunk_tokens": settings.max_chunk_tokens,
            "tokenizer": "jieba+domain dictionary; tiktoken cl100k_base for lengths",
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        bm25 = BM25Index.build([normalize_for_index(t) for t in texts])
        save_index(tmp, manifest, docs, chunks, vectors, bm25, keys, sentence_vectors)
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.documents, report.chunks = len(docs), len(chunks)
    report.embedded, report.reused = embedded, len(chunks) - embedded
    report.sentences_embedded = sentences_embedded
    report.seconds = time.perf_counter() - started
    return report


def _swap_in(new: Path, target: Path) -> None:
    """Replace target by new with two renames; the old index stays whole until the last moment."""
    old = target.parent / f".{target.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def source_cache_dir(settings: Settings) -> Path:
    """Where what the readers took out of PDFs is kept (OCR costs seconds a page; a rebuild reuses it)."""
    return settings.cache_dir / "sources"
