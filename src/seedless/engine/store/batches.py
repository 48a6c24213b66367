"""The provider batches a run submitted, by id, with the custom ids each holds: what a restarted run attaches to instead
of submitting the same requests again; each request marked done once its reply (or error) was handed over."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
  id TEXT NOT NULL, endpoint TEXT NOT NULL, requests INTEGER NOT NULL, state TEXT NOT NULL,
  submitted REAL NOT NULL, ended REAL, invocation TEXT NOT NULL, PRIMARY KEY (endpoint, id)
);
CREATE TABLE IF NOT EXISTS batch_requests (
  endpoint TEXT NOT NULL, batch TEXT NOT NULL, custom_id TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (endpoint, batch, custom_id)
);
CREATE INDEX IF NOT EXISTS batch_requests_by_id ON batch_requests (endpoint, custom_id, done);
"""
SUBMITTED = "submitted"  # accepted by the provider, results not all handed over yet
COLLECTED = "collected"  # every request's outcome handed over


@dataclass(frozen=True)
class StoredBatch:
    id: str
    endpoint: str
    requests: int
    state: str  # submitted | collected | failed | lost (the provider no longer knows it)
    waiting: int  # requests whose outcome was not handed over yet


class BatchLedger:
    """Over the run store's connection (autocommit: each method's writes are one transaction, committed at once);
    `endpoint` keys a provider account (the model identity and the API root), so ids never mix across providers."""

    def __init__(self, db: sqlite3.Connection, invocation: str = ""):
        self.db = db
        self.invocation = invocation
        self.db.executescript(SCHEMA)

    @classmethod
    def in_memory(cls) -> BatchLedger:
        """A ledger that lasts as long as the process (no run store: nothing to resume from)."""
        return cls(sqlite3.connect(":memory:", isolation_level=None))

    def submitted(self, batch: str, endpoint: str, custom_ids: list[str]) -> None:
        """Record a batch the provider accepted, with its requests, before anything waits on it."""
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, NULL, ?)",
                            (batch, endpoint, len(custom_ids), SUBMITTED, time.time(), self.invocation))
            self.db.executemany("INSERT OR REPLACE INTO batch_requests VALUES (?, ?, ?, 0)",
                                [(endpoint, batch, cid) for cid in custom_ids])

    def waiting_in(self, endpoint: str, custom_id: str) -> str | None:
        """The latest submitted batch of `endpoint` that holds `custom_id` with its outcome not handed over yet."""
        row = self.db.execute(
            "SELECT b.id FROM batch_requests r JOIN batches b ON b.endpoint = r.endpoint AND b.id = r.batch "
            "WHERE r.endpoint = ? AND r.custom_id = ? AND r.done = 0 AND b.state = ? ORDER BY b.submitted DESC "
            "LIMIT 1", (endpoint, custom_id, SUBMITTED)).fetchone()
        return None if row is None else str(row[0])

    def pending(self, endpoint: str, batch: str) -> list[str]:
        """The custom ids of `batch` whose outcome was not handed over yet."""
        rows = self.db.execute("SELECT custom_id FROM batch_requests WHERE endpoint = ? AND batch = ? AND done = 0 "
                               "ORDER BY rowid", (endpoint, batch)).fetchall()
        return [str(r[0]) for r in rows]

    def delivered(self, endpoint: str, batch: str, custom_ids: list[str]) -> None:
        """These requests' outcomes were handed over; a batch with none left waiting is collected."""
        with self._transaction():
            self.db.executemany("UPDATE batch_requests SET done = 1 WHERE endpoint = ? AND batch = ? AND custom_id = ?",
                                [(endpoint, batch, cid) for cid in custom_ids])
            left = self.db.execute("SELECT COUNT(*) FROM batch_requests WHERE endpoint = ? AND batch = ? AND done = 0",
                                   (endpoint, batch)).fetchone()[0]
            if not left:
                self.db.execute("UPDATE batches SET state = ?, ended = ? WHERE endpoint = ? AND id = ? AND state = ?",
                                (COLLECTED, time.time(), endpoint, batch, SUBMITTED))

    def ended(self, endpoint: str, batch: str, state: str) -> None:
        """The batch is over without results to hand over (failed, lost): its requests may be sent again."""
        with self._transaction():
            self.db.execute("UPDATE batches SET state = ?, ended = ? WHERE endpoint = ? AND id = ?",
                            (state, time.time(), endpoint, batch))
            self.db.execute("UPDATE batch_requests SET done = 1 WHERE endpoint = ? AND batch = ?", (endpoint, batch))

    def batches(self, endpoint: str | None = None) -> list[StoredBatch]:
        """Every batch recorded (of one endpoint), oldest first."""
        where, args = ("WHERE b.endpoint = ?", (endpoint,)) if endpoint is not None else ("", ())
        rows = self.db.execute(
            "SELECT b.id, b.endpoint, b.requests, b.state, (SELECT COUNT(*) FROM batch_requests r WHERE "
            f"r.endpoint = b.endpoint AND r.batch = b.id AND r.done = 0) FROM batches b {where} ORDER BY b.submitted",
            args).fetchall()
        return [StoredBatch(*row) for row in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """BEGIN ... COMMIT on an autocommit connection (ROLLBACK when the block raises)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
