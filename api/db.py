"""The service's own state: sessions, turns, feedback and an audit log — SQLite by default.

`open_service_db(settings)` returns the SQLite `ServiceDB` below, or `PostgresServiceDB`
(api/db_postgres.py) when `MEDPOLICY_DATABASE_URL` is set; both satisfy `ServiceDatabase`.

Embedded (a single file, path configurable) so `medpolicy serve` needs no other server, and it
survives restarts. The schema is versioned with `PRAGMA user_version`; each migration runs once,
in order, inside a transaction. Callers pass text that has already been PII-masked; the free
text written here (messages, answers, comments, audit details) is masked once more as a last
line of defence, so no code path can store an ID, phone or card number by forgetting to.
The assistant's dialogue state lives in its own store and may share the same file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from api.pii import mask_pii, mask_value

if TYPE_CHECKING:
    from api.settings import ServiceSettings


class ServiceDatabase(Protocol):
    """What the routes need from the service's state store, whichever backend holds it."""

    def record_turn(self, *, session_id: str, channel: str, message: str, answer: str, intent: str | None,
                    citations: list[str], grounded: bool, latency_ms: float) -> str: ...
    def record_feedback(self, *, session_id: str, turn_id: str, rating: int, comment: str | None) -> int: ...
    def audit(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> None: ...
    def turn_session(self, turn_id: str) -> str | None: ...
    def session_channel(self, session_id: str) -> str | None: ...
    def turns(self, session_id: str) -> list[dict[str, Any]]: ...
    def feedback(self, turn_id: str | None = None) -> list[dict[str, Any]]: ...
    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


def open_service_db(settings: ServiceSettings) -> ServiceDatabase:
    """PostgreSQL when a database URL is configured, else the embedded SQLite file."""
    if settings.database_url:
        from api.db_postgres import PostgresServiceDB

        return PostgresServiceDB(settings.database_url)
    return ServiceDB(settings.service_db_path)

MIGRATIONS: list[str] = [
    # version 1
    """
    CREATE TABLE IF NOT EXISTS svc_sessions (
        session_id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS svc_turns (
        turn_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES svc_sessions(session_id),
        channel TEXT NOT NULL,
        message TEXT NOT NULL,
        answer TEXT NOT NULL,
        intent TEXT,
        citations TEXT NOT NULL,
        grounded INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS svc_turns_session ON svc_turns(session_id, created_at);
    CREATE TABLE IF NOT EXISTS svc_feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        turn_id TEXT NOT NULL REFERENCES svc_turns(turn_id),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS svc_audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ServiceDB:
    """Thread-safe access to the service database (one connection, serialised by a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: no fsync per commit (it cost ~8 ms per turn); the file cannot be
            # corrupted, at worst the last turns before a power cut are lost.
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._lock = threading.Lock()
        self.migrate()

    # -- schema -----------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        with self._lock:
            current = self.schema_version
            if current > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database {self.path} has schema version {current}, newer than this program's {SCHEMA_VERSION}"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                self._conn.execute("BEGIN")
                try:
                    for statement in MIGRATIONS[version - 1].split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                    self._conn.execute(f"PRAGMA user_version = {version}")
                    self._conn.execute("COMMIT")
                except Exception:
                    self._conn.execute("ROLLBACK")
                    raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except Exception:
                self._conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

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
        """Store one question/answer pair; returns the new turn id."""
        turn_id = uuid.uuid4().hex
        now = _now()
        with self._tx() as c:
            c.execute(
                "INSERT INTO svc_sessions(session_id, channel, created_at, last_seen_at) VALUES (?,?,?,?) "
                "ON CONFLICT(session_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
                (session_id, channel, now, now),
            )
            c.execute(
                "INSERT INTO svc_turns VALUES (?,?,?,?,?,?,?,?,?,?)",
                (turn_id, session_id, channel, mask_pii(message), mask_pii(answer), intent, json.dumps(citations),
                 int(grounded), latency_ms, now),
            )
        return turn_id

    def record_feedback(self, *, session_id: str, turn_id: str, rating: int, comment: str | None) -> int:
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO svc_feedback(session_id, turn_id, rating, comment, created_at) VALUES (?,?,?,?,?)",
                (session_id, turn_id, rating, mask_pii(comment) if comment else comment, _now()),
            )
            return int(cur.lastrowid or 0)

    def audit(self, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO svc_audit_log(at, actor, action, detail) VALUES (?,?,?,?)",
                (_now(), actor, action, json.dumps(mask_value(detail or {}), ensure_ascii=False)),
            )

    # -- reads ------------------------------------------------------------------
    def turn_session(self, turn_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT session_id FROM svc_turns WHERE turn_id = ?", (turn_id,)).fetchone()
        return None if row is None else str(row["session_id"])

    def session_channel(self, session_id: str) -> str | None:
        """The channel a session was created on, or None for an id the service never issued."""
        with self._lock:
            row = self._conn.execute(
                "SELECT channel FROM svc_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return None if row is None else str(row["channel"])

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM svc_turns WHERE session_id = ? ORDER BY created_at", (session_id,)
            ).fetchall()
        return [dict(r) for r in rows]

    def feedback(self, turn_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM svc_feedback", tuple[str, ...]()
        if turn_id:
            sql, args = sql + " WHERE turn_id = ?", (turn_id,)
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql + " ORDER BY id", args).fetchall()]

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM svc_audit_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]
