"""The service's state in PostgreSQL (psycopg 3), for several workers or hosts sharing it.

Same tables, same behaviour and the same method signatures as the SQLite `ServiceDB`, so routes
and tests do not care which one they get (`api.db.open_service_db` chooses by
`MEDPOLICY_DATABASE_URL`). Every write commits before the method returns (PostgreSQL's default
synchronous commit), so a turn or rating the client saw acknowledged survives `kill -9` of the
worker. Migrations are numbered, run in order inside one transaction under an advisory lock, so
workers starting together migrate once. Free text is PII-masked on every write, as in SQLite.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from api.db import _now
from api.pii import mask_pii, mask_value

MIGRATIONS: list[list[str]] = [
    [  # version 1: the SQLite schema, with PostgreSQL's identity columns
        """CREATE TABLE IF NOT EXISTS svc_sessions (
            session_id TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS svc_turns (
            turn_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES svc_sessions(session_id),
            channel TEXT NOT NULL,
            message TEXT NOT NULL,
            answer TEXT NOT NULL,
            intent TEXT,
            citations TEXT NOT NULL,
            grounded INTEGER NOT NULL,
            latency_ms DOUBLE PRECISION NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS svc_turns_session ON svc_turns(session_id, created_at)",
        """CREATE TABLE IF NOT EXISTS svc_feedback (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id TEXT NOT NULL,
            turn_id TEXT NOT NULL REFERENCES svc_turns(turn_id),
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            comment TEXT,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS svc_audit_log (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL)""",
        # The assistant's dialogue states (assistant.session_store's table, one JSON row each)
        """CREATE TABLE IF NOT EXISTS assistant_sessions (
            session_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL)""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
_MIGRATION_LOCK = 0x6D6564706F6C  # "medpol": advisory lock id serialising migrations


def open_pool(url: str, max_size: int = 8) -> ConnectionPool:
    """A small pool: each worker's assistant threads and the event loop's threadpool share it."""
    pool = ConnectionPool(url, min_size=1, max_size=max_size, kwargs={"autocommit": True}, open=False)
    pool.open(wait=True, timeout=15)
    return pool


class PostgresServiceDB:
    def __init__(self, url: str, pool: ConnectionPool | None = None) -> None:
        self.url = url
        self._own_pool = pool is None
        self.pool = pool or open_pool(url)
        self.migrate()

    # -- schema -----------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT to_regclass('svc_schema_version') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return 0
            row = conn.execute("SELECT version FROM svc_schema_version").fetchone()
            return int(row[0]) if row else 0

    def migrate(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS svc_schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM svc_schema_version").fetchone()
            current = int(row[0]) if row else 0
            if row is None:
                conn.execute("INSERT INTO svc_schema_version VALUES (0)")
            if current > SCHEMA_VERSION:
                raise RuntimeError(f"database has schema version {current}, newer than this program's {SCHEMA_VERSION}")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute("UPDATE svc_schema_version SET version = %s", (version,))

    def close(self) -> None:
        if self._own_pool:
            self.pool.close()

    # -- writes -----------------------------------------------------------------
    def record_turn(
        self,
        *,
        session_id: str,
        channel: str,
        message: str,
        answer: str,
        intent: str | None,
        citations: list[str],
        grounded: bool,
        latency_ms: float,
    ) -> str:
        turn_id = uuid.uuid4().hex
        now = _now()
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO svc_sessions(session_id, channel, created_at, last_seen_at) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT(session_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
                (session_id, channel, now, now),
            )
            conn.execute(
                "INSERT INTO svc_turns VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (turn_id, session_id, channel, mask_pii(message), mask_pii(answer), intent, json.dumps(citations),
                 int(grounded), latency_ms, now),
            )
        return turn_id

    def record_feedback(self, *, session_id: str, turn_id: str, rating: int, comment: str | None) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO svc_feedback(session_id, turn_id, rating, comment, created_at) "
                "VALUES (%s,%s,%s,%s,%s) RETURNING id",
                (session_id, turn_id, rating, mask_pii(comment) if comment else comment, _now()),
            ).fetchone()
        return int(row[0]) if row else 0

    def audit(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO svc_audit_log(at, actor, action, detail) VALUES (%s,%s,%s,%s)",
                (_now(), actor, action, json.dumps(mask_value(detail or {}), ensure_ascii=False)),
            )

    # -- reads ------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(sql, args).fetchall())

    def turn_session(self, turn_id: str) -> str | None:
        rows = self._rows("SELECT session_id FROM svc_turns WHERE turn_id = %s", (turn_id,))
        return str(rows[0]["session_id"]) if rows else None

    def session_channel(self, session_id: str) -> str | None:
        rows = self._rows("SELECT channel FROM svc_sessions WHERE session_id = %s", (session_id,))
        return str(rows[0]["channel"]) if rows else None

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM svc_turns WHERE session_id = %s ORDER BY created_at", (session_id,))

    def feedback(self, turn_id: str | None = None) -> list[dict[str, Any]]:
        if turn_id:
            return self._rows("SELECT * FROM svc_feedback WHERE turn_id = %s ORDER BY id", (turn_id,))
        return self._rows("SELECT * FROM svc_feedback ORDER BY id")

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM svc_audit_log ORDER BY id DESC LIMIT %s", (limit,))


class PostgresSessionStore:
    """The assistant's dialogue states in PostgreSQL (the `SessionStore` protocol): every worker
    sees the state the previous turn left, whichever worker answered it."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def get(self, session_id: str) -> Any:
        from assistant.state import DialogueState

        with self.pool.connection() as conn:
            row = conn.execute("SELECT state FROM assistant_sessions WHERE session_id = %s", (session_id,)).fetchone()
        return DialogueState.model_validate_json(row[0]) if row else None

    def save(self, state: Any) -> None:
        import time

        from assistant.session_store import stored_form

        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO assistant_sessions (session_id, state, updated_at) VALUES (%s, %s, %s) "
                "ON CONFLICT(session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                (state.session_id, stored_form(state), time.time()),
            )

    def reset(self, session_id: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM assistant_sessions WHERE session_id = %s", (session_id,))
