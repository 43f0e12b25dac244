"""Prometheus /metrics, JSON logs with a request id, and `medpolicy serve --workers` (issue 13)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient

from api.observability import JsonFormatter, reply_kind
from api.pii import PIIMaskingFilter
from api_fakes import FakeAssistant, FakeCalculators, FakeKB, make_settings
from backing import ROOT, free_port
from test_wechat_webhook import incoming, post_plain

PHONE, RESIDENT_ID = "13812345678", "110101199003074514"


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from the exposition text (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(name + "{"):
            got = ",".join(sorted(line[line.index("{") + 1:line.index("}")].split(",")))
            if got == want:
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_requests_replies_and_ratings_are_counted(client: TestClient) -> None:
    before = client.get("/metrics").text
    turn = client.post("/api/chat", json={"message": "住院起付线是多少"}).json()
    client.post("/api/chat", json={"message": "住院报销"})  # the fake asks which hospital level
    client.post("/api/feedback", json={"session_id": turn["session_id"], "turn_id": turn["turn_id"], "rating": 4})
    after = client.get("/metrics").text
    delta = lambda name, **labels: sample(after, name, **labels) - sample(before, name, **labels)  # noqa: E731
    assert delta("medpolicy_http_requests_total", method="POST", route="/api/chat", status="200") == 2
    assert delta("medpolicy_http_requests_total", method="POST", route="/api/feedback", status="201") == 1
    assert delta("medpolicy_http_request_duration_seconds_count", method="POST", route="/api/chat") == 2
    assert delta("medpolicy_replies_total", channel="web", kind="answer") == 1
    assert delta("medpolicy_replies_total", channel="web", kind="clarification") == 1
    assert delta("medpolicy_feedback_ratings_total", rating="4") == 1


def test_metrics_carry_no_personal_data(client: TestClient) -> None:
    client.post("/api/chat", json={"message": f"我电话{PHONE}，身份证{RESIDENT_ID}，起付线多少"})
    post_plain(client, incoming(Content="起付线多少"))
    client.get(f"/api/chat/{PHONE}")  # an unknown path: counted as "unmatched", not by its text
    text = client.get("/metrics").text
    assert PHONE not in text and RESIDENT_ID not in text
    assert "oUserOpenId" not in text and "FromUserName" not in text
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert "unmatched" in routes
    assert all(r == "unmatched" or r.startswith("/") and PHONE not in r for r in routes)


def test_reply_kinds() -> None:
    cite = [SimpleNamespace(chunk_id="c")]
    assert reply_kind(SimpleNamespace(intent="policy_question", citations=cite, grounded=True)) == "answer"
    assert reply_kind(SimpleNamespace(intent="policy_question", citations=[], grounded=True)) == "refusal"
    assert reply_kind(SimpleNamespace(intent="out_of_scope", citations=[])) == "refusal"
    assert reply_kind(SimpleNamespace(intent="estimate", clarification=object(), citations=[])) == "clarification"
    assert reply_kind(SimpleNamespace(intent="estimate", estimate={"reimbursed": "1"}, citations=cite)) == "estimate"
    assert reply_kind(SimpleNamespace(intent="greeting", citations=[])) == "other"
    assert reply_kind(SimpleNamespace(kind="related", intent="policy_question", citations=cite)) == "related"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", made)
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-abc-123"}).headers["x-request-id"] == "proxy-abc-123"
    # a header that could smuggle a phone number into the logs is replaced
    assert PHONE not in client.get("/healthz", headers={"X-Request-ID": f"id-{PHONE}"}).headers["x-request-id"]


def test_json_log_lines_have_the_request_id_and_no_personal_data(tmp_path: Path) -> None:
    class Broken(FakeAssistant):
        def ask(self, message: str, *a: Any, **k: Any) -> Any:
            logging.getLogger("medpolicy.test").warning("assistant saw %s", message)
            raise RuntimeError(f"failed on {message}")

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PIIMaskingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        app_ = __import__("api.app", fromlist=["create_app"]).create_app(
            make_settings(tmp_path), assistant=Broken(), kb=FakeKB(), calculators=FakeCalculators(), warm_up=False)
        with TestClient(app_, raise_server_exceptions=False) as c:
            r = c.post("/api/chat", json={"message": f"电话{PHONE}起付线"}, headers={"X-Request-ID": "req-0001-abcd"})
    finally:
        root.removeHandler(handler)
    assert r.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ours = [entry for entry in lines if entry["request_id"] == "req-0001-abcd"]
    assert {"medpolicy.test", "medpolicy.api"} <= {entry["logger"] for entry in ours}
    assert PHONE not in stream.getvalue()
    assert set(ours[0]) >= {"ts", "level", "logger", "message", "request_id"}


def test_serve_hands_uvicorn_the_factory_and_the_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from api.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: seen.update(target=target, **kw))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    result = CliRunner().invoke(app, ["serve", "--workers", "3", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["target"] == "api.app:create_service_app" and seen["factory"] is True
    assert seen["workers"] == 3 and seen["port"] == 8123
    assert Path(os.environ.pop("PROMETHEUS_MULTIPROC_DIR")).is_dir()


def test_serve_with_two_workers_answers_and_aggregates_metrics(backing: Any, tmp_path: Path) -> None:
    """The real command: two worker processes, JSON log lines, /metrics summed over workers."""
    from backing import fresh_database

    port = free_port()
    env = {**os.environ, "MEDPOLICY_DATA_DIR": str(tmp_path / "data"), "MEDPOLICY_CORPUS_DIRS": json.dumps([str(tmp_path / "none")]),
           "MEDPOLICY_DATABASE_URL": fresh_database(backing.database_url), "MEDPOLICY_REDIS_URL": backing.redis_url,
           "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        for _ in range(6):
            assert httpx.get(url + "/healthz", timeout=5).status_code == 200
        assert len(psutil.Process(proc.pid).children(recursive=True)) >= 2
        text = httpx.get(url + "/metrics", timeout=5).text
        assert sample(text, "medpolicy_http_requests_total", method="GET", route="/healthz", status="200") >= 6
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    json_lines = [line for line in err.decode().splitlines() if line.startswith("{")]
    assert json_lines and all("request_id" in json.loads(line) for line in json_lines)
