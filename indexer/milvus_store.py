"""The Milvus vector store (GAZETTE_VECTOR_BACKEND=milvus): schema, sync from the index folder, search.

The index folder (indexer.index_files) stays the source of truth; a Milvus collection is a copy of
its chunk vectors with the metadata that filtered search needs:

    row      INT64 primary key: the chunk's position in the store (what the Retriever ranks)
    vector   FLOAT_VECTOR, inner product over L2-normalised rows (cosine), as dense.faiss
    doc_id, docnum, type, issuer   VARCHAR;  year INT64 (0: unknown)
    text     VARCHAR with Milvus' jieba analyzer, and `sparse`, its BM25 function's output
             (Milvus full-text search; only measured, see README: the local BM25 is used)

A collection is named PREFIX_<corpus hash> (GAZETTE_MILVUS_COLLECTION, the manifest's corpus
hash), so an unchanged corpus is never inserted again; it counts as synced once every row is in,
flushed, and the `gazette.synced_at` property is set. A half-written one is dropped and written
again. After a sync the two newest synced collections of the prefix are kept (a service still
serving the previous corpus keeps working across one change) and older ones are dropped.

pymilvus is imported only here, and only when the Milvus backend is used: the cold CLI stays fast.
Every failure to reach or use Milvus is a VectorStoreUnavailable naming the URI.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

from .errors import VectorStoreUnavailable
from .locks import SYNC_LOCK, cache_file_lock
from .models import Chunk, Document

if TYPE_CHECKING:
    from .settings import Settings

log = logging.getLogger(__name__)

KEEP = 2  # synced collections kept per prefix: the current corpus and the one before it
INSERT_BATCH = 1000
SYNCED = "gazette.synced_at"  # collection property: set last, once every row is in and flushed
MAX_VARCHAR = 65535  # bytes, Milvus' limit
# A collection is written once, flushed and loaded before its first search, and never changed after:
# searches need not wait for the newest timestamp (Strong), which costs time, most on a server.
READ_CONSISTENCY = "Eventually"
TEXT_ANALYZER = {"tokenizer": "jieba", "filter": ["cnalphanumonly"]}


@dataclass
class SyncReport:
    collection: str
    rows: int
    inserted: bool  # False: the collection was already synced
    seconds: float


def filter_expression(filters: Any) -> str | None:
    """A Milvus boolean expression for the service's Filters (year range, type, issuer substring,
    doc_ids), or None when there is nothing to filter. Same semantics as service.retrieval.filter_mask:
    a year bound excludes documents of unknown year; `issuer` is a substring test."""
    if filters is None or filters.is_empty():
        return None
    parts = []
    if filters.year_from:
        parts.append(f"year >= {int(filters.year_from)}")
    if filters.year_to:
        parts.append(f"(year > 0 and year <= {int(filters.year_to)})")
    if filters.type:
        parts.append(f"type == {_literal(filters.type)}")
    if filters.issuer:
        parts.append(f"issuer like {_literal('%' + _escape_like(filters.issuer) + '%')}")
    if filters.doc_ids:
        parts.append(f"doc_id in [{', '.join(_literal(d) for d in filters.doc_ids)}]")
    return " and ".join(parts)


def is_lite_uri(uri: str) -> bool:
    return "://" not in uri


def _literal(s: str) -> str:
    """A Milvus string literal: double quotes, backslash escapes (JSON's are understood)."""
    return json.dumps(str(s), ensure_ascii=False)


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MilvusStore:
    """One Milvus deployment (a lite file or a server) and the collections of one prefix in it."""

    def __init__(self, settings: Settings, full_text: bool = False):
        self.settings = settings
        self.uri = settings.milvus_target
        self.prefix = settings.milvus_collection
        self.timeout = settings.milvus_timeout
        self.token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
        self.full_text = full_text  # also store the text and Milvus' BM25 over it
        self._client = None

    # ------------------------------------------------------------ connection and errors

    @property
    def is_lite(self) -> bool:
        """A milvus-lite file (one process at a time), not a server URI."""
        return is_lite_uri(self.uri)

    @property
    def client(self):
        if self._client is None:
            with self.errors("cannot connect to"):
                # grpc's C core logs reconnects (milvus-lite's "too_many_pings" GOAWAY) on stderr;
                # failures reach the caller as exceptions, so keep its own logging quiet
                os.environ.setdefault("GRPC_VERBOSITY", "NONE")
                from pymilvus import MilvusClient

                if self.is_lite:  # its folder must exist
                    Path(self.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
                self._client = MilvusClient(uri=self.uri, token=self.token, timeout=self.timeout)
        return self._client

    @contextmanager
    def errors(self, doing: str):
        """Any failure inside becomes one VectorStoreUnavailable sentence that names the URI."""
        try:
            yield
        except VectorStoreUnavailable:
            raise
        except ImportError as e:
            raise VectorStoreUnavailable(
                f"GAZETTE_VECTOR_BACKEND=milvus needs pymilvus (and milvus-lite for a local file): {e}"
            ) from e
        except Exception as e:  # pymilvus raises MilvusException, grpc and OS errors
            detail = getattr(e, "message", None) or str(e) or type(e).__name__
            raise VectorStoreUnavailable(
                f"{doing} Milvus at {self.uri}: {detail} (GAZETTE_MILVUS_URI takes a milvus-lite file, "
                "which one process opens at a time, or a server such as http://host:19530)"
            ) from e

    # ------------------------------------------------------------ collections

    def collection_name(self, corpus_hash: str) -> str:
        return f"{self.prefix}_{corpus_hash[:16]}{'_ft' if self.full_text else ''}"

    def is_synced(self, name: str, rows: int) -> bool:
        """The collection exists, was completely written, and holds `rows` rows."""
        c = self.client
        with self.errors("cannot read collections of"):
            if not c.has_collection(name):
                return False
            props = c.describe_collection(name).get("properties") or {}
            if SYNCED not in props:
                return False
            return int(c.get_collection_stats(name).get("row_count", -1)) == rows

    def sync(self, corpus_hash: str, rows: int,
             read: Callable[[], tuple[Sequence[Document], Sequence[Chunk], np.ndarray]]) -> SyncReport:
        """Make the collection of this corpus hold exactly its `rows` chunks (idempotent), loaded for search.

        `read()` gives the documents, the chunks and their vectors (rows in chunk order); it is
        called only when the collection has to be written."""
        started = time.perf_counter()
        name = self.collection_name(corpus_hash)
        if self.is_synced(name, rows):
            self._load(name)
            return SyncReport(name, rows, False, time.perf_counter() - started)
        with cache_file_lock(self.settings, SYNC_LOCK):  # processes of this cache folder write it once
            if self.is_synced(name, rows):
                self._load(name)
                return SyncReport(name, rows, False, time.perf_counter() - started)
            self._write(name, rows, read)
        self._load(name)
        self.prune(keep=name)
        return SyncReport(name, rows, True, time.perf_counter() - started)

    def _write(self, name: str, rows: int, read) -> None:
        docs, chunks, vectors = read()
        vectors = np.asarray(vectors, dtype=np.float32)
        if not len(chunks) == len(vectors) == rows:
            raise ValueError(f"{rows} rows expected, got {len(chunks)} chunks and {len(vectors)} vectors")
        c = self.client
        with self.errors(f"cannot write collection {name} to"):
            if c.has_collection(name):  # half-written (an interrupted sync): start again
                c.drop_collection(name)
            c.create_collection(name, schema=self._schema(int(vectors.shape[1])), index_params=self._index_params())
            by_id = {d.doc_id: d for d in docs}
            for start in range(0, len(chunks), INSERT_BATCH):
                c.insert(name, list(self._rows(by_id, chunks, vectors, start, start + INSERT_BATCH)))
            c.flush(name)  # searches see only flushed rows
            c.alter_collection_properties(name, {SYNCED: str(time.time())})

    def prune(self, keep: str) -> list[str]:
        """Drop this prefix's collections but `keep` and the newest other synced one (KEEP in all)."""
        c = self.client
        with self.errors("cannot list collections of"):
            ours = re.compile(rf"{re.escape(self.prefix)}_[0-9a-f]{{16}}(_ft)?")
            mine = [n for n in c.list_collections() if ours.fullmatch(n) and n != keep]
            synced_at = {n: float((c.describe_collection(n).get("properties") or {}).get(SYNCED, 0)) for n in mine}
            kept = sorted((n for n in mine if synced_at[n]), key=lambda n: -synced_at[n])[: KEEP - 1]
            dropped = [n for n in mine if n not in kept]
            for n in dropped:
                c.drop_collection(n)
        return dropped

    def _load(self, name: str) -> None:
        with self.errors(f"cannot load collection {name} in"):
            self.client.load_collection(name)  # a reopened collection is released until loaded

    def _schema(self, dim: int):
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("row", DataType.INT64, is_primary=True)
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        s.add_field("doc_id", DataType.VARCHAR, max_length=512)
        s.add_field("docnum", DataType.VARCHAR, max_length=512)
        s.add_field("year", DataType.INT64)
        s.add_field("type", DataType.VARCHAR, max_length=128)
        s.add_field("issuer", DataType.VARCHAR, max_length=2048)
        if self.full_text:
            s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True, analyzer_params=TEXT_ANALYZER)
            s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            s.add_function(Function(name="text_bm25", function_type=FunctionType.BM25,
                                    input_field_names=["text"], output_field_names=["sparse"]))
        return s

    def _index_params(self):
        ip = self.client.prepare_index_params()
        # milvus-lite: exact search (as dense.faiss); a server: its own choice (HNSW-like) for scale
        ip.add_index("vector", index_type="FLAT" if self.is_lite else "AUTOINDEX", metric_type="IP")
        if self.full_text:
            ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        return ip

    def _rows(self, by_id: dict[str, Document], chunks: Sequence[Chunk], vectors: np.ndarray, start: int, stop: int) -> Iterable[dict]:
        from .chunker import embedding_text
        from .text import normalize_for_index

        for row in range(start, min(stop, len(chunks))):
            ch = chunks[row]
            d = by_id.get(ch.doc_id)
            out = {
                "row": row,
                "vector": vectors[row].astype(np.float32).tolist(),
                "doc_id": ch.doc_id,
                "docnum": _clip(ch.docnum or "", 512),
                "year": int((d.year if d else None) or 0),
                "type": _clip((d.type if d else ch.type) or "", 128),
                "issuer": _clip((d.issuer if d else ch.issuer) or "", 2048),
            }
            if self.full_text:
                out["text"] = _clip(normalize_for_index(embedding_text(ch)), MAX_VARCHAR)
            yield out

    # ------------------------------------------------------------ search

    def dense(self, corpus_hash: str) -> MilvusDense:
        return MilvusDense(self, self.collection_name(corpus_hash))

    def full_text_search(self, corpus_hash: str) -> MilvusFullText:
        return MilvusFullText(self, self.collection_name(corpus_hash))


def _clip(s: str, max_bytes: int) -> str:
    b = s.encode("utf-8")
    return s if len(b) <= max_bytes else b[:max_bytes].decode("utf-8", "ignore")


class MilvusDense:
    """Dense search in a synced collection: the Retriever's dense backend (same interface as FaissDense)."""

    name = "milvus"

    def __init__(self, store: MilvusStore, collection: str):
        self.store, self.collection = store, collection

    def search(self, qvec: np.ndarray, n: int, filters: Any = None, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) best first, at most n, only rows that pass the filters (Milvus filters
        them itself, from the metadata fields; `mask` is not needed)."""
        q = np.asarray(qvec, dtype=np.float32).reshape(-1).tolist()
        with self.store.errors(f"dense search in collection {self.collection} failed at"):
            res = self.store.client.search(
                self.collection, data=[q], anns_field="vector", limit=n, output_fields=["row"],
                filter=filter_expression(filters) or "", search_params={"metric_type": "IP"},
                consistency_level=READ_CONSISTENCY,
            )
        return [(int(h["row"]), float(h["distance"])) for h in res[0]]


class MilvusFullText:
    """Milvus' own BM25 (jieba analyzer) over the chunk texts; same search signature as BM25Index."""

    name = "milvus-bm25"

    def __init__(self, store: MilvusStore, collection: str):
        self.store, self.collection = store, collection

    def search(self, query: str, k: int, allowed: np.ndarray | None = None, filters: Any = None) -> list[tuple[int, float]]:
        """Top-k (row, score), best first. milvus-lite returns BM25 scores negated: made positive."""
        if not query.strip():
            return []
        with self.store.errors(f"full-text search in collection {self.collection} failed at"):
            res = self.store.client.search(
                self.collection, data=[query], anns_field="sparse", limit=k, output_fields=["row"],
                filter=filter_expression(filters) or "", search_params={"metric_type": "BM25"},
                consistency_level=READ_CONSISTENCY,
            )
        found = [(int(h["row"]), abs(float(h["distance"]))) for h in res[0]]
        return [(r, s) for r, s in found if s > 0 and (allowed is None or allowed[r])]


def sync_index_dir(settings: Settings, index_dir: Path | None = None) -> SyncReport:
    """Sync the collection from the index folder on disk (the source of truth); reads the vectors
    and the store only when the collection of its corpus hash is not synced yet."""
    from .index_files import FAISS_FILE, STORE, read_manifest

    index_dir = index_dir or settings.index_dir
    manifest = read_manifest(index_dir)
    import faiss

    from .store import Store

    def read():
        st = Store.load(index_dir / STORE)
        index = faiss.read_index(str(index_dir / FAISS_FILE))
        return st.documents(), st.chunks, index.reconstruct_n(0, index.ntotal)

    return MilvusStore(settings).sync(manifest["corpus_hash"], manifest["chunks"], read)
