"""SQLite store of documents, paragraphs and chunks, and the embedding cache.

The store is written once per build into the new index folder; at serving time it is read
into memory whole (the corpus is small: tens of documents, a few thousand paragraphs).
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np

from .errors import DocumentNotFound
from .models import Chunk, Document, GazetteIssue, Paragraph, TableRow, Validity
from .text import DOCNUM_RE, normalize_docnum

SCHEMA = """
CREATE TABLE documents (
  doc_id TEXT PRIMARY KEY, docnum TEXT, title TEXT NOT NULL, issuer TEXT, date TEXT, type TEXT NOT NULL,
  issue_json TEXT, validity_json TEXT, source_file TEXT NOT NULL, embedded_titles_json TEXT NOT NULL, ord INTEGER NOT NULL,
  source_format TEXT NOT NULL, source_pages INTEGER
);
CREATE TABLE paragraphs (
  paragraph_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), idx INTEGER NOT NULL,
  heading_path_json TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, page INTEGER,
  table_json TEXT, day TEXT, day_end TEXT
);
CREATE TABLE chunks (
  row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
  idx INTEGER NOT NULL, paragraph_ids_json TEXT NOT NULL, heading_path_json TEXT NOT NULL, text TEXT NOT NULL,
  n_tokens INTEGER NOT NULL, index_text TEXT, day TEXT
);
CREATE INDEX paragraphs_doc ON paragraphs(doc_id, idx);
CREATE INDEX documents_docnum ON documents(docnum);
"""


def write_store(path: Path, docs: list[Document], chunks: list[Chunk]) -> None:
    """Write a new store file (the caller writes into a fresh folder, so no migration)."""
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    d.doc_id, d.docnum, d.title, d.issuer, d.date, d.type,
                    json.dumps(d.issue.__dict__, ensure_ascii=False) if d.issue else None,
                    json.dumps(d.summary()["validity"], ensure_ascii=False) if d.validity else None,
                    d.source_file, json.dumps(list(d.embedded_titles), ensure_ascii=False), k, d.source_format, d.source_pages,
                )
                for k, d in enumerate(docs)
            ],
        )
        db.executemany(
            "INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    p.paragraph_id, p.doc_id, p.index, json.dumps(p.heading_path, ensure_ascii=False), p.text, p.kind, p.page,
                    json.dumps(p.table.as_dict(), ensure_ascii=False) if p.table else None, p.day, p.day_end,
                )
                for d in docs
                for p in d.paragraphs
            ],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (row, c.chunk_id, c.doc_id, c.index, json.dumps(c.paragraph_ids), json.dumps(c.heading_path, ensure_ascii=False), c.text, c.n_tokens,
                 c.index_text, c.day)
                for row, c in enumerate(chunks)
            ],
        )


class Store:
    """Documents and chunks of a built index, in memory. Chunk i is row i of the vector index."""

    def __init__(self, documents: list[Document], chunks: list[Chunk]):
        self._docs = {d.doc_id: d for d in documents}
        self._order = [d.doc_id for d in documents]
        self.chunks = chunks
        self._paragraphs = {p.paragraph_id: p for d in documents for p in d.paragraphs}
        self._by_docnum: dict[str, list[str]] = {}
        for d in documents:
            if d.docnum:
                self._by_docnum.setdefault(d.docnum, []).append(d.doc_id)
        # 文号 cited inside paragraphs ("…（聊政发〔2016〕56号）同时废止"): documents the corpus only mentions
        self._mentions: dict[str, list[str]] = {}
        for pid, p in self._paragraphs.items():
            for m in DOCNUM_RE.finditer(p.text):
                key = normalize_docnum(m.group(0))
                if key and key != self._docs[p.doc_id].docnum:
                    self._mentions.setdefault(key, []).append(pid)

    @classmethod
    def load(cls, path: Path) -> "Store":
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            paras: dict[str, list[Paragraph]] = {}
            for pid, doc_id, idx, hp, text, kind, page, table, day, day_end in db.execute("SELECT * FROM paragraphs ORDER BY doc_id, idx"):
                paras.setdefault(doc_id, []).append(
                    Paragraph(pid, doc_id, idx, tuple(json.loads(hp)), text, kind, page,
                              table=TableRow.from_dict(json.loads(table)) if table else None, day=day, day_end=day_end)
                )
            docs = []
            for row in db.execute("SELECT * FROM documents ORDER BY ord"):
                doc_id, docnum, title, issuer, date, type_, issue, validity, source, embedded, _, fmt, pages = row
                v = json.loads(validity) if validity else None
                docs.append(
                    Document(
                        doc_id=doc_id, docnum=docnum, title=title, issuer=issuer, date=date, type=type_,
                        issue=GazetteIssue(**json.loads(issue)) if issue else None,
                        validity=Validity(**{**v, "repeals": tuple(v["repeals"])}) if v else None,
                        source_file=source, paragraphs=paras.get(doc_id, []), embedded_titles=tuple(json.loads(embedded)),
                        source_format=fmt, source_pages=pages,
                    )
                )
            by_id = {d.doc_id: d for d in docs}
            chunks = [
                Chunk(
                    chunk_id=cid, doc_id=doc_id, index=idx, paragraph_ids=tuple(json.loads(pids)),
                    heading_path=tuple(json.loads(hp)), text=text, n_tokens=n,
                    docnum=by_id[doc_id].docnum, title=by_id[doc_id].title, date=by_id[doc_id].date,
                    type=by_id[doc_id].type, issuer=by_id[doc_id].issuer, index_text=index_text, day=day,
                )
                for _, cid, doc_id, idx, pids, hp, text, n, index_text, day in db.execute("SELECT * FROM chunks ORDER BY row")
            ]
        return cls(docs, chunks)

    def documents(self) -> list[Document]:
        return [self._docs[i] for i in self._order]

    def get_document(self, doc_id: str) -> Document:
        try:
            return self._docs[doc_id]
        except KeyError:
            raise DocumentNotFound(f"unknown document: {doc_id}") from None

    def get_paragraph(self, paragraph_id: str) -> Paragraph:
        return self._paragraphs[paragraph_id]

    def paragraphs_citing(self, docnum: str) -> list[Paragraph]:
        """Paragraphs of other documents that cite this 文号."""
        return [self._paragraphs[pid] for pid in self._mentions.get(docnum, [])]

    def find_by_docnum(self, text: str) -> list[Document]:
        """Documents whose 文号 matches any bracket or spacing variant in `text`.

        Words typed before the issuer's abbreviation ("请问余府发〔2012〕3号…") are dropped by trying
        ever shorter prefixes: normalize_docnum only knows the anchors 聊, 鲁 and 国.
        """
        key = normalize_docnum(text)
        if not key:
            return []
        ids = self._by_docnum.get(key)
        if ids is None and (m := re.fullmatch(r"(.+?)(〔\d{4}〕\d+号)", key)):
            prefix, tail = m.groups()
            ids = next((self._by_docnum[prefix[k:] + tail] for k in range(1, len(prefix) - 1) if prefix[k:] + tail in self._by_docnum), None)
        return [self._docs[i] for i in ids or []]


class EmbeddingCache:
    """Vectors keyed by (model, text hash), kept across builds so unchanged chunks are never re-embedded."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, dim INTEGER, vec BLOB, PRIMARY KEY (model, key))")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with closing(sqlite3.connect(self.path)) as db:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                q = f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({','.join('?' * len(part))})"
                for k, blob in db.execute(q, [model, *part]):
                    out[k] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                [(model, k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
