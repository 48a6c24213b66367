"""The run's SQLite store: every completed model call by fingerprint, call errors, artifacts, and usage."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedless.engine.llm.clients.base import ChatReply

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
  fingerprint TEXT PRIMARY KEY,
  role TEXT NOT NULL, prompt TEXT NOT NULL, model TEXT NOT NULL,
  request TEXT NOT NULL, reply TEXT NOT NULL, finish_reason TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, latency_s REAL NOT NULL,
  outcome TEXT NOT NULL, detail TEXT, invocation TEXT NOT NULL, created REAL NOT NULL,
  cached_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS call_errors (
  id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL, role TEXT NOT NULL, prompt TEXT NOT NULL,
  model TEXT NOT NULL, reason TEXT NOT NULL, invocation TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS artifacts (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS invocations (
  id TEXT PRIMARY KEY, command TEXT NOT NULL, started REAL NOT NULL, finished REAL, status TEXT
);
"""


@dataclass(frozen=True)
class StoredCall:
    fingerprint: str
    reply: ChatReply
    outcome: str


@dataclass(frozen=True)
class UsageRow:
    role: str
    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0  # of prompt_tokens, served from the server's prefix cache


def read_usage_by_prompt(db: Path) -> list[UsageRow]:
    """`Store.usage_by_prompt` of the store at `db`, read without writing anything; [] when it cannot be read."""
    if not db.is_file():
        return []
    try:
        connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT prompt, model, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens) "
                "FROM calls GROUP BY prompt, model ORDER BY prompt, model").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return []
    return [UsageRow(*r) for r in rows]


def read_artifact(db: Path, key: str) -> Any | None:
    """The artifact `key` of the store at `db`, read without writing anything (no invocation is recorded); None when
    there is no store, no such artifact, or the store cannot be read."""
    if not db.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT value FROM artifacts WHERE key = ?", (key,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return None if row is None else json.loads(row[0])


class Store:
    """One connection, used from the event-loop thread; each write is committed at once (crash-safe)."""

    def __init__(self, path: Path, command: str = "run"):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(calls)")}
        if "cached_tokens" not in columns:  # a store written before cached tokens were recorded
            self.db.execute("ALTER TABLE calls ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0")
        self.invocation = uuid.uuid4().hex[:12]
        self.db.execute("INSERT INTO invocations VALUES (?, ?, ?, NULL, 'running')",
                        (self.invocation, command, time.time()))

    def get(self, fingerprint: str) -> StoredCall | None:
        row = self.db.execute(
            "SELECT reply, finish_reason, prompt_tokens, completion_tokens, latency_s, cached_tokens, outcome "
            "FROM calls WHERE fingerprint = ?", (fingerprint,)).fetchone()
        if row is None:
            return None
        return StoredCall(fingerprint, ChatReply(*row[:6]), row[6])

    def put(self, fingerprint: str, *, role: str, prompt: str, model: str, request: dict[str, Any],
            reply: ChatReply, outcome: str, detail: str | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO calls (fingerprint, role, prompt, model, request, reply, finish_reason, "
            "prompt_tokens, completion_tokens, latency_s, outcome, detail, invocation, created, cached_tokens) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (fingerprint, role, prompt, model, json.dumps(request, sort_keys=True), reply.text,
             reply.finish_reason, reply.prompt_tokens, reply.completion_tokens, reply.latency_s,
             outcome, detail, self.invocation, time.time(), reply.cached_tokens))

    def log_error(self, fingerprint: str, *, role: str, prompt: str, model: str, reason: str) -> None:
        self.db.execute("INSERT INTO call_errors (fingerprint, role, prompt, model, reason, invocation, created) "
                        "VALUES (?,?,?,?,?,?,?)", (fingerprint, role, prompt, model, reason, self.invocation,
                                                   time.time()))

    def set_artifact(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?)",
                        (key, json.dumps(value, sort_keys=True), time.time()))

    def get_artifact(self, key: str) -> Any | None:
        row = self.db.execute("SELECT value FROM artifacts WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def artifacts(self, prefix: str) -> dict[str, Any]:
        rows = self.db.execute("SELECT key, value FROM artifacts WHERE key >= ? AND key < ? ORDER BY key",
                               (prefix, prefix + "\uffff")).fetchall()
        return {k: json.loads(v) for k, v in rows}

    def delete_artifacts(self, prefix: str) -> None:
        self.db.execute("DELETE FROM artifacts WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff"))

    def usage(self, this_invocation_only: bool = False) -> list[UsageRow]:
        where = "WHERE invocation = ?" if this_invocation_only else ""
        args = (self.invocation,) if this_invocation_only else ()
        rows = self.db.execute(
            f"SELECT role, model, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens) "
            f"FROM calls {where} "
            "GROUP BY role, model ORDER BY role, model", args).fetchall()
        return [UsageRow(*r) for r in rows]

    def usage_by_prompt(self) -> list[UsageRow]:
        """Like `usage`, keyed by call site (prompt name) instead of role: every call stored in the run."""
        rows = self.db.execute(
            "SELECT prompt, model, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens) "
            "FROM calls GROUP BY prompt, model ORDER BY prompt, model").fetchall()
        return [UsageRow(*r) for r in rows]

    def call_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def reclaim(self) -> int:
        """Mark the earlier invocations still `running` as `killed` (call it holding the run's lock: none of them
        can be alive then); how many there were."""
        cursor = self.db.execute("UPDATE invocations SET status = 'killed' WHERE status = 'running' AND id != ?",
                                 (self.invocation,))
        return cursor.rowcount

    def statuses(self) -> dict[str, str]:
        """Each invocation's status, by id."""
        return dict(self.db.execute("SELECT id, status FROM invocations").fetchall())

    def close(self, status: str = "ok") -> None:
        """Record how the invocation ended (ok, failed, interrupted) and close; a store that can no longer be
        written (a full disk) is closed all the same, its row left `running` for the next command to mark."""
        try:
            self.db.execute("UPDATE invocations SET finished = ?, status = ? WHERE id = ?",
                            (time.time(), status, self.invocation))
        except sqlite3.Error:
            pass
        finally:
            self.db.close()
