"""The index folder's format, in one place: what `save_index` writes, `load_index` reads.

    manifest.json    format version, model, dimension, corpus hash, counts, parse problems
    store.sqlite3    documents, paragraphs and chunks (indexer.store)
    dense.faiss      chunk vectors (FAISS inner product over L2-normalised rows)
    bm25/            BM25 over jieba tokens (indexer.lexical, bm25s plain files)
    sentences.npy    sentence vectors for the on-topic check, rows in the order of
    sentences.json   their keys

The builder (indexer.build) and the engine (service.engine) both go through here; change the
layout here only, and bump FORMAT_VERSION with it (an index of another version is refused, and
the corpus hash includes the version, so `gazette index` rebuilds).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import IndexMismatchError, IndexMissingError
from .models import Chunk, Document

if TYPE_CHECKING:
    from .lexical import BM25Index
    from .store import Store

FORMAT_VERSION = 4  # 3: paragraphs keep their page, documents their source format; 4: table rows and 大事记 days
MANIFEST = "manifest.json"
STORE = "store.sqlite3"
FAISS_FILE = "dense.faiss"
BM25_DIR = "bm25"
SENTENCE_VECTORS = "sentences.npy"
SENTENCE_KEYS = "sentences.json"


@dataclass
class LoadedIndex:
    manifest: dict[str, Any]
    store: Store
    dense: Any  # a faiss.Index
    bm25: BM25Index
    sentence_vectors: dict[str, np.ndarray]  # sentence key → vector


def read_manifest(index_dir: Path) -> dict:
    """The manifest of the index at index_dir; IndexMissingError / IndexMismatchError (other format)."""
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index at {index_dir}: run `gazette index` first")
    manifest = json.loads(path.read_text("utf-8"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index at {index_dir} has format {manifest.get('format_version')}, this version reads {FORMAT_VERSION}: run `gazette index`"
        )
    return manifest


def save_index(
    directory: Path,
    manifest: dict[str, Any],
    docs: list[Document],
    chunks: list[Chunk],
    chunk_vectors: np.ndarray,
    bm25: BM25Index,
    sentence_keys: list[str],
    sentence_vectors: np.ndarray,
) -> None:
    """Write every file of an index into the (empty) directory; the manifest last, with the format version."""
    import faiss

    from .store import write_store

    write_store(directory / STORE, docs, chunks)
    dense = faiss.IndexFlatIP(chunk_vectors.shape[1])
    dense.add(np.ascontiguousarray(chunk_vectors, dtype=np.float32))
    faiss.write_index(dense, str(directory / FAISS_FILE))
    bm25.save(directory / BM25_DIR)
    np.save(directory / SENTENCE_VECTORS, np.asarray(sentence_vectors, dtype=np.float32))
    (directory / SENTENCE_KEYS).write_text(json.dumps(sentence_keys, ensure_ascii=False), "utf-8")
    full = {"format_version": FORMAT_VERSION, "dim": int(chunk_vectors.shape[1]), **manifest}
    (directory / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, indent=2), "utf-8")


def load_index(directory: Path) -> LoadedIndex:
    """Read an index written by save_index; never embeds anything."""
    import faiss

    from .lexical import BM25Index
    from .store import Store

    manifest = read_manifest(directory)
    keys = json.loads((directory / SENTENCE_KEYS).read_text("utf-8"))
    vectors = np.load(directory / SENTENCE_VECTORS)
    return LoadedIndex(
        manifest=manifest,
        store=Store.load(directory / STORE),
        dense=faiss.read_index(str(directory / FAISS_FILE)),
        bm25=BM25Index.load(directory / BM25_DIR),
        sentence_vectors=dict(zip(keys, vectors)),
    )
