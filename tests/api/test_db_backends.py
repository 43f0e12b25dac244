"""The service database behaves the same on SQLite and PostgreSQL (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.db import ServiceDB, open_service_db
from api_fakes import make_settings
from backing import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        database = open_service_db(make_settings(tmp_path))
        assert isinstance(database, ServiceDB)
    else:
        backing = request.getfixturevalue("backing")
        database = open_service_db(make_settings(tmp_path, database_url=fresh_database(backing.database_url)))
        assert type(database).__name__ == "PostgresServiceDB"
    yield database
    database.close()


def test_turns_feedback_and_audit_round_trip(db: Any) -> None:
    turn = db.record_turn(session_id="w-abc", channel="web", message="起付线多少", answer="500元[1]",
                          intent="policy_question", citations=["c1"], grounded=True, latency_ms=3.5)
    assert db.turn_session(turn) == "w-abc"
    assert db.session_channel("w-abc") == "web"
    assert db.session_channel("w-none") is None
    [row] = db.turns("w-abc")
    assert (row["message"], row["answer"], row["citations"], row["grounded"]) == ("起付线多少", "500元[1]", '["c1"]', 1)
    first = db.record_feedback(session_id="w-abc", turn_id=turn, rating=5, comment="很好")
    second = db.record_feedback(session_id="w-abc", turn_id=turn, rating=2, comment=None)
    assert second > first
    assert [f["rating"] for f in db.feedback(turn)] == [5, 2]
    db.audit("127.0.0.1", "reingest", {"files": ["a.txt"]})
    assert db.audit_log()[0]["action"] == "reingest"


def test_personal_numbers_are_masked_on_write(db: Any) -> None:
    turn = db.record_turn(session_id="w-x", channel="web", message="我的手机13812345678", answer="好",
                          intent=None, citations=[], grounded=False, latency_ms=1.0)
    db.record_feedback(session_id="w-x", turn_id=turn, rating=3, comment="身份证110101199003074514")
    db.audit("a", "b", {"note": "13812345678"})
    stored = repr((db.turns("w-x"), db.feedback(), db.audit_log()))
    assert "13812345678" not in stored and "110101199003074514" not in stored


def test_feedback_must_name_an_existing_turn(db: Any) -> None:
    import sqlite3

    import psycopg

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)):
        db.record_feedback(session_id="w-x", turn_id="no-such-turn", rating=3, comment=None)


def test_postgres_migrates_once_and_is_reopened_intact(backing: Any, tmp_path: Path) -> None:
    from api.db_postgres import SCHEMA_VERSION, PostgresServiceDB

    url = fresh_database(backing.database_url)
    first = PostgresServiceDB(url)
    turn = first.record_turn(session_id="w-a", channel="web", message="m", answer="a", intent=None,
                             citations=[], grounded=True, latency_ms=1.0)
    first.close()
    again = PostgresServiceDB(url)  # a second worker starting: no migration re-runs, data kept
    assert again.schema_version == SCHEMA_VERSION
    assert again.turn_session(turn) == "w-a"
    again.close()


def test_postgres_session_store_keeps_dialogue_state_masked(backing: Any) -> None:
    from api.db_postgres import PostgresServiceDB, PostgresSessionStore
    from assistant.state import DialogueState

    db = PostgresServiceDB(fresh_database(backing.database_url))
    store = PostgresSessionStore(db.pool)
    state = DialogueState(session_id="wx-1", last_query="电话13812345678 起付线")
    store.save(state)
    loaded = store.get("wx-1")
    assert loaded is not None and loaded.session_id == "wx-1"
    assert "13812345678" not in (loaded.last_query or "")
    store.reset("wx-1")
    assert store.get("wx-1") is None
    db.close()
