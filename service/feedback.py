"""User feedback on answers, kept in a small SQLite file (settings.feedback_db)."""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from indexer.errors import GazetteError

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations_json TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    comment TEXT
)
"""


class FeedbackStoreError(GazetteError):
    """The feedback database could not be opened or written."""


class FeedbackStore:
    """Thread-safe: one short-lived connection per call, writes serialised by a lock.

    The file and table are created on first use, so a read-only cache folder breaks feedback
    only, not the whole service.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            if not self._ready:
                with conn:
                    conn.execute(SCHEMA)
                self._ready = True
            return conn
        except (OSError, sqlite3.Error) as e:
            raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def add(
        self, question: str, answer: str, citations: list[dict], helpful: bool, comment: str | None
    ) -> int:
        """Store one piece of feedback; returns its id."""
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            question,
            answer,
            json.dumps(citations, ensure_ascii=False, default=str),
            int(helpful),
            comment,
        )
        with self._lock:
            conn = self._connect()
            try:
                with closing(conn), conn:
                    cur = conn.execute(
                        "INSERT INTO feedback (created_at, question, answer, citations_json, helpful, comment)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    return int(cur.lastrowid)
            except sqlite3.Error as e:
                raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def get(self, feedback_id: int) -> dict | None:
        """One stored feedback row as a dict (citations decoded), or None."""
        rows = self._select("WHERE id = ?", (feedback_id,))
        return rows[0] if rows else None

    def recent(self, limit: int = 100) -> list[dict]:
        """The newest feedback rows first."""
        return self._select("ORDER BY id DESC LIMIT ?", (limit,))

    def _select(self, where: str, params: tuple) -> list[dict]:
        conn = self._connect()
        try:
            with closing(conn):
                conn.row_factory = sqlite3.Row
                rows = conn.execute(f"SELECT * FROM feedback {where}", params).fetchall()
        except sqlite3.Error as e:
            raise FeedbackStoreError(f"feedback store unavailable: {e}") from e
        return [_row_dict(r) for r in rows]


def _row_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["citations"] = json.loads(d.pop("citations_json"))
    d["helpful"] = bool(d["helpful"])
    return d
