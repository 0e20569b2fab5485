"""User feedback on answers, kept in a small SQLite file (settings.feedback_db).

Every answer the API gives is kept too (table `answers`: id, question, answer, citations), so
feedback can name the answer by its id instead of sending it back; a feedback row copies the
answer's question, answer and citations, so it stays readable after old answers are pruned.
"""
from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta, timezone
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

ANSWERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    route TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations_json TEXT NOT NULL,
    answered INTEGER NOT NULL
)
"""

PRUNE_EVERY = 1000  # answers recorded between two prunings of old ones

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedbackStoreError(GazetteError):
    """The feedback database could not be opened or written."""


class FeedbackStore:
    """Thread-safe: one short-lived connection per call, writes serialised by a lock.

    The file and table are created on first use, so a read-only cache folder breaks feedback
    only, not the whole service.
    """

    def __init__(self, path: Path, answer_log_days: int = 30):
        self.path = Path(path)
        self.answer_log_days = answer_log_days
        self._lock = threading.Lock()
        self._ready = False
        self._answers_since_prune = 0
        self._queue: queue.Queue | None = None  # answers waiting for the writer thread
        self._writer_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            # WAL: readers never wait for the writer, and a commit costs no fsync of the whole file
            conn.execute("PRAGMA synchronous=NORMAL")
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                with conn:
                    conn.execute(SCHEMA)
                    conn.execute(ANSWERS_SCHEMA)
                    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
                    if "answer_id" not in columns:  # a store made before answers had ids
                        conn.execute("ALTER TABLE feedback ADD COLUMN answer_id TEXT")
                self._ready = True
            return conn
        except (OSError, sqlite3.Error) as e:
            raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def add_answer(
        self, answer_id: str, route: str, question: str, answer: str, citations: list[dict], answered: bool
    ) -> None:
        """Keep one answer the API gave, under the id it was given with."""
        self._insert_answers([_answer_row(answer_id, route, question, answer, citations, answered)])

    def queue_answer(
        self, answer_id: str, route: str, question: str, answer: str, citations: list[dict], answered: bool
    ) -> None:
        """add_answer without waiting for SQLite (a connection and a commit: milliseconds per answer,
        the largest part of the API's time outside the engine): a writer thread inserts it. Reads of
        answers flush first, so feedback naming the id finds it; close() flushes at shutdown (the
        app's lifespan). A failed write is logged, as before."""
        row = _answer_row(answer_id, route, question, answer, citations, answered)
        with self._writer_lock:  # never after close()'s end marker on the same queue
            if self._queue is None:
                self._queue = queue.Queue()
                # a daemon: a store nobody closes must not keep the process alive
                threading.Thread(target=self._write_queued, args=(self._queue,), name="answer-log", daemon=True).start()
            self._queue.put(row)

    def flush(self) -> None:
        """Wait until every queued answer is written (or its failure logged)."""
        if self._queue is not None:
            self._queue.join()

    def close(self) -> None:
        """Flush the queued answers and stop the writer thread (the app's shutdown)."""
        with self._writer_lock:
            q, self._queue = self._queue, None
            if q is not None:
                q.put(None)  # the end marker: the thread writes what came before, then stops
        if q is not None:
            q.join()

    def _write_queued(self, q: queue.Queue) -> None:
        """The writer thread: whatever has queued up goes in one transaction."""
        while True:
            rows = [q.get()]
            while not q.empty():
                rows.append(q.get())
            batch = [r for r in rows if r is not None]
            try:
                if batch:
                    self._insert_answers(batch)
            except FeedbackStoreError as e:
                for r in batch:
                    logger.warning("answer %s not kept: %s", r[0], e)
            except Exception:  # noqa: BLE001 - the thread must live on, or flush() would wait forever
                logger.exception("answers not kept")
            finally:
                for _ in rows:
                    q.task_done()
            if None in rows:
                return

    def _insert_answers(self, rows: list[tuple]) -> None:
        with self._lock:
            conn = self._connect()
            try:
                with closing(conn), conn:
                    conn.executemany(
                        "INSERT INTO answers (id, created_at, route, question, answer, citations_json, answered)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                    self._answers_since_prune += len(rows)
                    if self._answers_since_prune >= PRUNE_EVERY:
                        self._prune_answers(conn)
            except (sqlite3.Error, UnicodeError) as e:
                raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def prune_answers(self) -> int:
        """Delete answers older than answer_log_days that no feedback refers to; how many went."""
        self.flush()
        with self._lock:
            conn = self._connect()
            try:
                with closing(conn), conn:
                    return self._prune_answers(conn)
            except sqlite3.Error as e:
                raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def _prune_answers(self, conn: sqlite3.Connection) -> int:
        self._answers_since_prune = 0
        cutoff = (datetime.now(timezone.utc) - timedelta(days=self.answer_log_days)).isoformat(timespec="seconds")
        cur = conn.execute(
            "DELETE FROM answers WHERE created_at < ?"
            " AND id NOT IN (SELECT answer_id FROM feedback WHERE answer_id IS NOT NULL)",
            (cutoff,),
        )
        return cur.rowcount

    def get_answer(self, answer_id: str) -> dict | None:
        """One kept answer as a dict (citations decoded, answered a bool), or None."""
        self.flush()  # an answer still queued counts as kept
        conn = self._connect()
        try:
            with closing(conn):
                conn.row_factory = sqlite3.Row
                row = conn.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        except (sqlite3.Error, UnicodeError) as e:
            raise FeedbackStoreError(f"feedback store unavailable: {e}") from e
        if row is None:
            return None
        d = dict(row)
        d["citations"] = json.loads(d.pop("citations_json"))
        d["answered"] = bool(d["answered"])
        return d

    def add(
        self,
        question: str,
        answer: str,
        citations: list[dict],
        helpful: bool,
        comment: str | None,
        answer_id: str | None = None,
    ) -> int:
        """Store one piece of feedback; returns its id."""
        row = (
            _now(),
            question,
            answer,
            json.dumps(citations, ensure_ascii=False, default=str),
            int(helpful),
            comment,
            answer_id,
        )
        with self._lock:
            conn = self._connect()
            try:
                with closing(conn), conn:
                    cur = conn.execute(
                        "INSERT INTO feedback (created_at, question, answer, citations_json, helpful, comment, answer_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    return int(cur.lastrowid)
            except (sqlite3.Error, UnicodeError) as e:
                raise FeedbackStoreError(f"feedback store unavailable: {e}") from e

    def get(self, feedback_id: int) -> dict | None:
        """One stored feedback row as a dict (citations decoded), or None."""
        rows = self._select("WHERE id = ?", (feedback_id,))
        return rows[0] if rows else None

    def recent(self, limit: int = 100, before: int | None = None) -> list[dict]:
        """The newest feedback rows first; with `before`, only rows with a smaller id (paging)."""
        if before is not None:
            return self._select("WHERE id < ? ORDER BY id DESC LIMIT ?", (before, limit))
        return self._select("ORDER BY id DESC LIMIT ?", (limit,))

    def export(self) -> list[dict]:
        """Every feedback row, oldest first; an empty list when the store was never written."""
        if not self.path.is_file():
            return []
        return self._select("ORDER BY id", ())

    def _select(self, where: str, params: tuple) -> list[dict]:
        conn = self._connect()
        try:
            with closing(conn):
                conn.row_factory = sqlite3.Row
                rows = conn.execute(f"SELECT * FROM feedback {where}", params).fetchall()
        except (sqlite3.Error, UnicodeError) as e:
            raise FeedbackStoreError(f"feedback store unavailable: {e}") from e
        return [_row_dict(r) for r in rows]


def _answer_row(answer_id: str, route: str, question: str, answer: str, citations: list[dict], answered: bool) -> tuple:
    return (answer_id, _now(), route, question, answer, json.dumps(citations, ensure_ascii=False), int(answered))


def _row_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["citations"] = json.loads(d.pop("citations_json"))
    d["helpful"] = bool(d["helpful"])
    return d
