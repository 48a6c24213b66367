"""The run's SQLite store: calls by fingerprint, persistence, artifacts, usage per invocation, call errors."""

from __future__ import annotations

import json
import sqlite3

import pytest

from seedless.engine.llm.clients.base import ChatReply
from seedless.engine.store.calls import Store, StoredCall, UsageRow, read_artifact


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "nested" / "run.sqlite"


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    yield s
    try:
        s.close()
    except sqlite3.ProgrammingError:
        pass  # already closed by the test


def put(store: Store, fp: str, *, role: str = "taxonomy_proposer", model: str = "fake:m",
        reply: ChatReply | None = None, outcome: str = "ok", detail: str | None = None) -> ChatReply:
    reply = reply or ChatReply('{"children": ["a"]}', "stop", 11, 5, 0.25)
    store.put(fp, role=role, prompt="taxonomy_propose", model=model,
              request={"messages": [["user", "hi"]], "seed": 1}, reply=reply, outcome=outcome, detail=detail)
    return reply


def test_store_creates_parent_directory(db_path):
    assert not db_path.parent.exists()
    s = Store(db_path)
    s.close()
    assert db_path.exists()


def test_put_then_get_returns_the_same_reply(store):
    reply = ChatReply('{"children": ["x", "y"]}', "length", 123, 45, 1.5)
    put(store, "fp-1", reply=reply, outcome="length", detail="truncated")
    got = store.get("fp-1")
    assert isinstance(got, StoredCall)
    assert got.fingerprint == "fp-1"
    assert got.reply == reply
    assert got.reply.text == '{"children": ["x", "y"]}'
    assert got.reply.finish_reason == "length"
    assert got.reply.prompt_tokens == 123
    assert got.reply.completion_tokens == 45
    assert got.reply.latency_s == 1.5
    assert got.outcome == "length"


def test_unknown_fingerprint_gives_none(store):
    assert store.get("nope") is None
    put(store, "known")
    assert store.get("nope") is None
    assert store.get("known") is not None


def test_put_replaces_an_existing_fingerprint(store):
    put(store, "fp", reply=ChatReply("first", "stop", 1, 1, 0.1), outcome="invalid")
    put(store, "fp", reply=ChatReply("second", "stop", 2, 2, 0.2), outcome="ok")
    got = store.get("fp")
    assert got is not None
    assert got.reply.text == "second" and got.outcome == "ok"
    assert store.call_count() == 1


def test_put_records_request_and_detail(store, db_path):
    put(store, "fp", outcome="invalid", detail="children: Field required")
    con = sqlite3.connect(db_path)
    try:
        row = con.execute("SELECT role, prompt, model, request, outcome, detail, invocation FROM calls "
                          "WHERE fingerprint = 'fp'").fetchone()
    finally:
        con.close()
    assert row[0] == "taxonomy_proposer"
    assert row[1] == "taxonomy_propose"
    assert row[2] == "fake:m"
    assert json.loads(row[3]) == {"messages": [["user", "hi"]], "seed": 1}
    assert row[4] == "invalid"
    assert row[5] == "children: Field required"
    assert row[6] == store.invocation


def test_data_survives_close_and_reopen(db_path):
    s = Store(db_path)
    reply = put(s, "persist", reply=ChatReply("kept", "stop", 3, 4, 0.5))
    s.set_artifact("tax/colour", {"nodes": ["a", "b"]})
    s.close()

    again = Store(db_path)
    try:
        got = again.get("persist")
        assert got is not None
        assert got.reply == reply
        assert got.outcome == "ok"
        assert again.get_artifact("tax/colour") == {"nodes": ["a", "b"]}
        assert again.call_count() == 1
        assert again.invocation != s.invocation
    finally:
        again.close()


def test_close_marks_invocation_finished(db_path):
    s = Store(db_path, command="expand")
    inv = s.invocation
    s.close(status="failed")
    con = sqlite3.connect(db_path)
    try:
        row = con.execute("SELECT command, started, finished, status FROM invocations WHERE id = ?",
                          (inv,)).fetchone()
    finally:
        con.close()
    assert row[0] == "expand"
    assert row[2] is not None and row[2] >= row[1]
    assert row[3] == "failed"


def test_open_invocation_is_marked_running(store, db_path):
    con = sqlite3.connect(db_path)
    try:
        row = con.execute("SELECT command, finished, status FROM invocations WHERE id = ?",
                          (store.invocation,)).fetchone()
    finally:
        con.close()
    assert row == ("run", None, "running")


def test_artifacts_set_get(store):
    assert store.get_artifact("missing") is None
    store.set_artifact("plan/colour/1", {"plan": "split by hue", "n": 3})
    store.set_artifact("list", [1, "two", None])
    assert store.get_artifact("plan/colour/1") == {"plan": "split by hue", "n": 3}
    assert store.get_artifact("list") == [1, "two", None]
    store.set_artifact("list", "replaced")
    assert store.get_artifact("list") == "replaced"


def test_artifacts_prefix_listing(store):
    store.set_artifact("node/a/2", 2)
    store.set_artifact("node/a/1", 1)
    store.set_artifact("node/b/1", 3)
    store.set_artifact("nodes", 4)
    store.set_artifact("other", 5)
    assert store.artifacts("node/a/") == {"node/a/1": 1, "node/a/2": 2}
    assert list(store.artifacts("node/a/")) == ["node/a/1", "node/a/2"]  # ordered by key
    assert store.artifacts("node/") == {"node/a/1": 1, "node/a/2": 2, "node/b/1": 3}
    assert store.artifacts("node") == {"node/a/1": 1, "node/a/2": 2, "node/b/1": 3, "nodes": 4}
    assert store.artifacts("zzz") == {}


def test_artifacts_delete_by_prefix(store):
    store.set_artifact("node/a/1", 1)
    store.set_artifact("node/a/2", 2)
    store.set_artifact("node/b/1", 3)
    store.set_artifact("node/ab", 4)
    store.delete_artifacts("node/a/")
    assert store.get_artifact("node/a/1") is None
    assert store.get_artifact("node/a/2") is None
    assert store.artifacts("node/") == {"node/b/1": 3, "node/ab": 4}


def test_usage_groups_by_role_and_model(store):
    put(store, "1", role="taxonomy_proposer", model="m1", reply=ChatReply("a", "stop", 10, 1, 0.1))
    put(store, "2", role="taxonomy_proposer", model="m1", reply=ChatReply("b", "stop", 20, 2, 0.1))
    put(store, "3", role="taxonomy_proposer", model="m2", reply=ChatReply("c", "stop", 5, 7, 0.1))
    put(store, "4", role="taxonomy_critic", model="m1", reply=ChatReply("d", "stop", 100, 50, 0.1))
    assert store.usage() == [
        UsageRow("taxonomy_critic", "m1", 1, 100, 50),
        UsageRow("taxonomy_proposer", "m1", 2, 30, 3),
        UsageRow("taxonomy_proposer", "m2", 1, 5, 7),
    ]


def test_usage_empty_store(store):
    assert store.usage() == []
    assert store.usage(this_invocation_only=True) == []


def test_usage_this_invocation_only_separates_invocations(db_path):
    first = Store(db_path)
    put(first, "a", role="taxonomy_proposer", model="m", reply=ChatReply("x", "stop", 10, 1, 0.1))
    put(first, "b", role="taxonomy_proposer", model="m", reply=ChatReply("y", "stop", 10, 1, 0.1))
    first.close()

    second = Store(db_path)
    try:
        put(second, "c", role="taxonomy_proposer", model="m", reply=ChatReply("z", "stop", 7, 3, 0.1))
        put(second, "d", role="level_planner", model="m", reply=ChatReply("w", "stop", 2, 2, 0.1))
        assert second.usage(this_invocation_only=True) == [
            UsageRow("level_planner", "m", 1, 2, 2),
            UsageRow("taxonomy_proposer", "m", 1, 7, 3),
        ]
        assert second.usage() == [
            UsageRow("level_planner", "m", 1, 2, 2),
            UsageRow("taxonomy_proposer", "m", 3, 27, 5),
        ]
    finally:
        second.close()


def test_usage_two_open_instances_on_one_file(db_path):
    a = Store(db_path)
    b = Store(db_path)
    try:
        assert a.invocation != b.invocation
        put(a, "from-a", role="factor_proposer", model="m", reply=ChatReply("x", "stop", 4, 4, 0.1))
        put(b, "from-b", role="factor_proposer", model="m", reply=ChatReply("y", "stop", 9, 1, 0.1))
        assert a.usage(this_invocation_only=True) == [UsageRow("factor_proposer", "m", 1, 4, 4)]
        assert b.usage(this_invocation_only=True) == [UsageRow("factor_proposer", "m", 1, 9, 1)]
        assert a.usage() == b.usage() == [UsageRow("factor_proposer", "m", 2, 13, 5)]
        assert b.get("from-a") is not None  # committed at once, visible to the other connection
    finally:
        a.close()
        b.close()


def test_log_error_rows_are_written(store, db_path):
    store.log_error("fp-x", role="taxonomy_critic", prompt="taxonomy_critic", model="openai:m",
                    reason="HTTP 400: bad")
    store.log_error("fp-y", role="level_planner", prompt="level_plan", model="openai:m",
                    reason="gave up after 3 tries")
    con = sqlite3.connect(db_path)
    try:
        rows = con.execute("SELECT fingerprint, role, prompt, model, reason, invocation, created "
                           "FROM call_errors ORDER BY id").fetchall()
    finally:
        con.close()
    assert [r[:6] for r in rows] == [
        ("fp-x", "taxonomy_critic", "taxonomy_critic", "openai:m", "HTTP 400: bad", store.invocation),
        ("fp-y", "level_planner", "level_plan", "openai:m", "gave up after 3 tries", store.invocation),
    ]
    assert all(r[6] > 0 for r in rows)
    # errors are not calls: nothing to reuse, nothing in usage
    assert store.get("fp-x") is None
    assert store.call_count() == 0
    assert store.usage() == []


def test_call_count(store):
    assert store.call_count() == 0
    put(store, "1")
    put(store, "2")
    assert store.call_count() == 2


def test_cached_prompt_tokens_are_stored_returned_and_summed(store):
    put(store, "1", role="critic", model="m", reply=ChatReply("a", "stop", 700, 20, 0.1, cached_tokens=600))
    put(store, "2", role="critic", model="m", reply=ChatReply("b", "stop", 700, 20, 0.1))
    assert store.get("1").reply.cached_tokens == 600
    assert store.usage() == [UsageRow("critic", "m", 2, 1400, 40, 600)]


def test_a_store_written_before_cached_tokens_were_recorded_opens_and_counts_them_as_zero(db_path):
    import sqlite3
    db_path.parent.mkdir(parents=True)
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE calls (fingerprint TEXT PRIMARY KEY, role TEXT NOT NULL, prompt TEXT NOT NULL, "
                "model TEXT NOT NULL, request TEXT NOT NULL, reply TEXT NOT NULL, finish_reason TEXT NOT NULL, "
                "prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, latency_s REAL NOT NULL, "
                "outcome TEXT NOT NULL, detail TEXT, invocation TEXT NOT NULL, created REAL NOT NULL)")
    con.execute("INSERT INTO calls VALUES ('old', 'critic', 'critic_requirements', 'm', '{}', 'r', 'stop', 5, 1, "
                "0.1, 'ok', NULL, 'i0', 0)")
    con.commit()
    con.close()
    store = Store(db_path)
    try:
        assert store.get("old").reply.cached_tokens == 0
        put(store, "new", role="critic", model="m", reply=ChatReply("b", "stop", 7, 1, 0.1, cached_tokens=3))
        assert store.usage() == [UsageRow("critic", "m", 2, 12, 2, 3)]
    finally:
        store.close()


def test_read_artifact_reads_a_stored_value_without_writing_to_the_store(tmp_path):
    db = tmp_path / "seedless.db"
    store = Store(db)
    store.set_artifact("card/facts", {"rows": 3})
    store.close()
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM invocations").fetchone()[0]
    assert read_artifact(db, "card/facts") == {"rows": 3} and read_artifact(db, "other") is None
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM invocations").fetchone()[0] == before
    assert read_artifact(tmp_path / "missing.db", "card/facts") is None and not (tmp_path / "missing.db").exists()
