"""Issue 12, "done when": every personal-number shape sent through chat, feedback, WeChat and admin
paths of the service with the real assistant (its own SQLite session store under the data dir),
then every table of every SQLite database under the data dir, the raw database files (WAL
included) and the captured logs are scanned: none of the numbers is found, neither as typed nor
in its normalised ASCII form."""

from __future__ import annotations

import io
import logging
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.pii import install_log_masking
from api_fakes import FakeKB, make_settings
from test_security import incoming, post_encrypted

# shape -> as typed
SHAPES = {
    "full-width ID": "１１０１０５１９４９１２３１００２Ｘ",
    "ID, wrong check digit": "110105194912310021",
    "spaced mobile": "138 1234 5678",
    "hyphenated mobile": "139-8765-4321",
    "landline": "(010)6552-1234",
    "bank card": "6222 0202 0011 2233 446",
}


def forms(typed: str) -> set[str]:
    """The number as typed, NFKC-normalised, and as bare ASCII digits."""
    normalised = unicodedata.normalize("NFKC", typed)
    digits = "".join(ch for ch in normalised if ch.isdigit() or ch in "Xx")
    return {typed, normalised, digits}


def scan_databases(data_dir: Path) -> list[str]:
    """Every text cell of every table of every SQLite file under the data dir, plus raw bytes."""
    found: list[str] = []
    needles = {form for typed in SHAPES.values() for form in forms(typed)}
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        for needle in needles:
            if needle.encode() in raw:
                found.append(f"{path.name}: bytes contain {needle!r}")
        if raw[:16] != b"SQLite format 3\x00":
            continue
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    text = " ".join(str(v) for v in row)
                    found += [f"{path.name}.{table}: {n!r}" for n in needles if n in text]
        finally:
            conn.close()
    return found


@pytest.fixture
def captured_logs() -> Any:
    """All records of the service, through the masking filter `medpolicy serve` installs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    install_log_masking()
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.mark.slow
def test_no_personal_number_survives_anywhere(tmp_path: Path, kb: Any, captured_logs: io.StringIO) -> None:
    from assistant.estimate_bridge import CalculatorPort
    from assistant.service import Assistant
    from assistant.session_store import SqliteSessionStore

    data_dir = tmp_path / "data"
    port = CalculatorPort.default()
    assistant = Assistant(kb, port, SqliteSessionStore(data_dir / "assistant_sessions.sqlite3"), llm=None,
                          calculators=port)
    settings = make_settings(data_dir, admin_api_key="s3cret-admin-key", db_path=data_dir / "service.sqlite3",
                             wechat_compatible_mode=False)
    app = create_app(settings, assistant=assistant, kb=FakeKB(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        for n, (shape, typed) in enumerate(SHAPES.items()):
            # web chat: a question, then a follow-up in the same server-issued session
            first = c.post("/api/chat", json={"message": f"我的号码{typed}，住院起付线是多少"})
            assert first.status_code == 200, (shape, first.text)
            assert first.json()["pii_masked"] is True, shape
            sid = first.json()["session_id"]
            follow = c.post("/api/chat", json={"message": f"{typed} 二级医院呢", "session_id": sid})
            assert follow.status_code == 200, (shape, follow.text)
            # a client trying the number as its session id
            assert c.post("/api/chat", json={"message": "起付线", "session_id": typed}).status_code == 422
            # feedback comment
            fb = c.post("/api/feedback", json={"session_id": sid, "turn_id": first.json()["turn_id"], "rating": 2,
                                               "comment": f"请回电{typed}"})
            assert fb.status_code == 201, fb.text
            # WeChat, safe mode, wechatpy as the client
            r = post_encrypted(c, incoming(f"oScan{n}", f"我的证件{typed}，门诊能报多少", msg_id=str(9000 + n)))
            assert r.status_code == 200, r.text
            # admin: a failed key attempt, and a document whose name carries the number (rejected)
            c.post("/api/admin/ingest", headers={"X-API-Key": "wrong" + unicodedata.normalize("NFKC", typed)})
            up = c.post("/api/admin/documents", headers={"X-API-Key": "s3cret-admin-key"},
                        files=[("files", (f"{typed}.exe", b"x", "application/octet-stream"))])
            assert up.status_code == 422, up.text
        app.state.wechat.wait_idle()
        logging.getLogger("medpolicy.api").warning("scan check: user wrote %s", SHAPES["spaced mobile"])
        audit = [row["action"] for row in app.state.services.db.audit_log(1000)]
    assert "admin_denied" in audit and "add_documents" in audit
    assert (data_dir / "assistant_sessions.sqlite3").exists() and (data_dir / "service.sqlite3").exists()
    assert scan_databases(data_dir) == []
    logged = captured_logs.getvalue()
    assert "scan check" in logged
    leaked = [n for typed in SHAPES.values() for n in forms(typed) if n in logged]
    assert leaked == []
