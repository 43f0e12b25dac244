"""Where dialogue states live between turns: a small interface and an embedded SQLite default.

SQLite because it needs no server, survives restarts and is what the service already ships; the
API may wrap this class or provide another `SessionStore` implementation.

Both stores mask personal numbers (ID, phone, bank card — `assistant.pii`) in every field of the
state before keeping it: the assistant normalises what it is told (full-width digits become
ASCII), so a question that reached it unmasked would otherwise be persisted in `last_query` or
`evidence` in a form no earlier masking saw. The session id is the key and is kept as issued.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from assistant.pii import mask_value
from assistant.state import DialogueState


def stored_form(state: DialogueState) -> str:
    """The JSON a store keeps for `state`: every value PII-masked, the session id as is."""
    data = state.model_dump(mode="json")
    session_id = data.pop("session_id")
    return json.dumps({"session_id": session_id, **mask_value(data)}, ensure_ascii=False)


class SessionStore(Protocol):
    def get(self, session_id: str) -> DialogueState | None: ...

    def save(self, state: DialogueState) -> None: ...

    def reset(self, session_id: str) -> None: ...


class InMemorySessionStore:
    """For tests and one-shot CLI use: nothing survives the process."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str) -> DialogueState | None:
        with self._lock:
            raw = self._states.get(session_id)
        return DialogueState.model_validate_json(raw) if raw else None

    def save(self, state: DialogueState) -> None:
        with self._lock:
            self._states[state.session_id] = stored_form(state)

    def reset(self, session_id: str) -> None:
        with self._lock:
            self._states.pop(session_id, None)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS assistant_sessions (
    session_id TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    updated_at REAL NOT NULL
)
"""


class SqliteSessionStore:
    """Dialogue states in one SQLite table, one JSON row per session.

    One connection guarded by a lock: the web server calls from several threads, and SQLite
    connections must not be used concurrently. WAL mode lets other processes read meanwhile.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        with self._lock:
            if str(path) != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                # WAL + NORMAL: no fsync per save (it cost ~8 ms of a ~40 ms lookup turn). A killed
                # process loses nothing committed; only a power cut can lose the last states.
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)

    def get(self, session_id: str) -> DialogueState | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT state FROM assistant_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return DialogueState.model_validate_json(row[0]) if row else None

    def save(self, state: DialogueState) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO assistant_sessions (session_id, state, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                (state.session_id, stored_form(state), time.time()),
            )

    def reset(self, session_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM assistant_sessions WHERE session_id = ?", (session_id,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
