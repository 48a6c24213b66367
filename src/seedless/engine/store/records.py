"""Every try at every datapoint slot, accepted or rejected, committed to the run's SQLite store as it finishes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from seedless.core.dataset.record import Record, Rejection
from seedless.core.plan.mix import Mix

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
  slot INTEGER NOT NULL, basis TEXT NOT NULL, mix_id TEXT NOT NULL, attempt INTEGER NOT NULL,
  mix TEXT NOT NULL, complexify INTEGER NOT NULL, accepted INTEGER NOT NULL, stage TEXT,
  meta_prompt TEXT NOT NULL, body TEXT NOT NULL, invocation TEXT NOT NULL, created REAL NOT NULL,
  PRIMARY KEY (slot, basis, mix_id, attempt)
);
"""


# A slot's tries end at its first accepted one. Two commands on one run directory (before the lock) could leave
# further tries of an accepted slot, a second accepted one included: they are ignored everywhere.
UNTIL_ACCEPTED = ("attempt <= COALESCE((SELECT MIN(a.attempt) FROM records a WHERE a.slot = records.slot "
                  "AND a.basis = records.basis AND a.mix_id = records.mix_id AND a.accepted = 1), attempt)")


def mix_id(mix: Mix) -> str:
    material = json.dumps([mix.strategy, [list(p) for p in mix.nodes]], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _mix_from(text: str) -> Mix:
    strategy, nodes = json.loads(text)
    return Mix(strategy, tuple(tuple(p) for p in nodes))


@dataclass
class SlotRows:
    """What the store holds for one slot under one mix: its tries so far, in order."""

    mix: Mix
    mix_id: str
    complexify: bool
    attempts: int = 0
    accepted: bool = False
    meta_prompts: list[str] = field(default_factory=list)  # kept meta-prompt per try ("" when none)


@dataclass(frozen=True)
class Row:
    slot: int
    attempt: int
    mix: Mix
    complexify: bool
    accepted: bool
    stage: str | None
    body: str
    mix_id: str


class RecordStore:
    """Rows are keyed by (slot, basis, mix, attempt): a changed spec (basis) or a changed mix after an edit
    never overwrites earlier tries; only the slot's current mix under the current basis counts."""

    def __init__(self, db: sqlite3.Connection, basis: str, invocation: str):
        self.db = db
        self.basis = basis
        self.invocation = invocation
        db.executescript(SCHEMA)

    def put(self, slot: int, attempt: int, mix: Mix, complexify: bool, meta_prompt: str,
            result: Record | Rejection) -> None:
        accepted = isinstance(result, Record)
        stage = None if accepted else result.stage  # type: ignore[union-attr]
        self.db.execute(
            "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (slot, self.basis, mix_id(mix), attempt, json.dumps([mix.strategy, [list(p) for p in mix.nodes]],
                                                                ensure_ascii=False),
             int(complexify), int(accepted), stage, meta_prompt, result.model_dump_json(), self.invocation,
             time.time()))

    def slots(self) -> dict[int, SlotRows]:
        """Each slot's tries under the current basis (up to its first accepted one), for the mix it was last
        tried with."""
        out: dict[int, SlotRows] = {}
        latest: dict[int, float] = {}
        rows = self.db.execute(
            "SELECT slot, mix_id, mix, complexify, attempt, accepted, meta_prompt, created FROM records "
            f"WHERE basis = ? AND {UNTIL_ACCEPTED} ORDER BY slot, mix_id, attempt", (self.basis,))
        groups: dict[tuple[int, str], SlotRows] = {}
        for slot, mid, mix, flag, attempt, accepted, meta, created in rows:
            group = groups.get((slot, mid))
            if group is None:
                group = groups[(slot, mid)] = SlotRows(_mix_from(mix), mid, bool(flag))
            group.attempts = max(group.attempts, attempt + 1)
            group.accepted = group.accepted or bool(accepted)
            group.meta_prompts.append(meta)
            if created >= latest.get(slot, -1.0):
                latest[slot], out[slot] = created, group
        return out

    def rows(self, accepted: bool | None = None, *, body: bool = True) -> Iterator[Row]:
        """Rows of the current basis in slot and try order, each slot's up to its first accepted one, streamed;
        `body=False` leaves each body empty."""
        where = "" if accepted is None else f" AND accepted = {int(accepted)}"
        column = "body" if body else "''"
        cursor = self.db.execute(
            f"SELECT slot, attempt, mix, complexify, accepted, stage, {column}, mix_id "
            f"FROM records WHERE basis = ?{where} AND {UNTIL_ACCEPTED} ORDER BY slot, attempt", (self.basis,))
        for slot, attempt, mix, flag, ok, stage, body, mid in cursor:
            yield Row(slot, attempt, _mix_from(mix), bool(flag), bool(ok), stage, body, mid)
