"""Several workers sharing PostgreSQL and Redis (issue 13), each a real service process.

Two single-process services on two ports stand for two workers, so a test decides which worker
gets which request (uvicorn's --workers hands connections out at random); `--workers 2` itself
is exercised by the kill -9 test. The assistant is the fake one, made slow where WeChat's reply
deadline must come into play.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from api.db import ServiceDB
from api.sessions import wechat_session_id
from api.wechat.handler import RATE_LIMITED_TEXT
from api_fakes import WECHAT_TOKEN
from backing import Worker, fresh_database, flush_redis

SECRET = "multiworker-test-secret-0123456789abcdef"
ANSWER = "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"


def signed() -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def message(openid: str, msg_id: str, content: str = "住院起付线是多少") -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def post_wechat(worker: Worker, body: bytes, params: dict[str, str]) -> httpx.Response:
    return httpx.post(worker.url + "/wechat", params=params, content=body, headers={"Content-Type": "text/xml"},
                      timeout=20)


def content_of(resp: httpx.Response) -> str:
    assert resp.status_code == 200, resp.text
    start = resp.text.index("<Content><![CDATA[") + len("<Content><![CDATA[")
    return resp.text[start:resp.text.index("]]></Content>")]


@pytest.fixture
def start_workers(backing: Any, tmp_path: Path) -> Iterator[Callable[..., list[Worker]]]:
    started: list[Worker] = []
    database_url = fresh_database(backing.database_url)
    flush_redis(backing.redis_url)

    def start(n: int = 2, **settings: str) -> list[Worker]:
        env = {
            "MEDPOLICY_DATA_DIR": str(tmp_path / "data"),
            "MEDPOLICY_DATABASE_URL": database_url,
            "MEDPOLICY_REDIS_URL": backing.redis_url,
            "MEDPOLICY_SESSION_SECRET": SECRET,
            "MEDPOLICY_WECHAT_TOKEN": WECHAT_TOKEN,
            **settings,
        }
        workers = [Worker(env) for _ in range(n)]
        started.extend(workers)
        return workers

    start.database_url = database_url  # type: ignore[attr-defined]
    yield start
    for w in started:
        w.stop()


def test_wechat_retry_answered_by_another_worker_is_one_turn_and_one_reply(start_workers: Any) -> None:
    from api.db_postgres import PostgresServiceDB

    a, b = start_workers(2, MEDPOLICY_TEST_FAKE_DELAY="1.0")
    params, body = signed(), message("o-retry", "7001")
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(post_wechat, a, body, params)
        time.sleep(0.3)  # WeChat's retry arrives while worker A is still answering
        retry = pool.submit(post_wechat, b, body, params)
        replies = [content_of(first.result()), content_of(retry.result())]
    assert replies == [ANSWER, ANSWER]
    db = PostgresServiceDB(start_workers.database_url)
    turns = db.turns(wechat_session_id(SECRET.encode(), "o-retry"))
    db.close()
    assert len(turns) == 1


def test_replay_with_another_body_is_refused_by_the_other_worker(start_workers: Any) -> None:
    a, b = start_workers(2)
    params = signed()
    assert content_of(post_wechat(a, message("o-replay", "7101"), params)) == ANSWER
    replayed = post_wechat(b, message("o-replay", "7102", "别的问题"), params)
    assert replayed.status_code == 403
    assert replayed.json()["error"]["code"] == "replayed_request"


def test_rate_limits_hold_across_workers(start_workers: Any) -> None:
    a, b = start_workers(2, MEDPOLICY_RATE_LIMIT_CHAT="3/minute", MEDPOLICY_WECHAT_RATE_LIMIT_MESSAGES="2")
    statuses = [httpx.post(w.url + "/api/chat", json={"message": "住院起付线是多少"}, timeout=10).status_code
                for w in (a, b, a, b, a, b)]
    assert statuses.count(200) == 3 and statuses.count(429) == 3
    texts = [content_of(post_wechat(w, message("o-limit", f"72{i}"), signed())) for i, w in enumerate((a, b, a, b))]
    assert texts[:2] == [ANSWER, ANSWER]
    assert texts[2:] == [RATE_LIMITED_TEXT, RATE_LIMITED_TEXT]


class FakeWeChatAPI:
    """WeChat's token and customer-service endpoints, counting token fetches."""

    def __init__(self) -> None:
        self.token_fetches = 0
        self.sent: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                with api.lock:
                    api.token_fetches += 1
                    n = api.token_fetches
                time.sleep(0.3)  # a slow token endpoint widens the window for a second fetch
                self._json({"access_token": f"TOKEN-{n}", "expires_in": 7200})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length).decode("utf-8"))
                token = self.path.split("access_token=")[-1]
                with api.lock:
                    api.sent.append({**payload, "token": token})
                self._json({"errcode": 0})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_one_access_token_fetch_for_all_workers(start_workers: Any) -> None:
    api = FakeWeChatAPI()
    try:
        workers = start_workers(
            2, MEDPOLICY_TEST_FAKE_DELAY="0.8", MEDPOLICY_WECHAT_REPLY_DEADLINE_SECONDS="0.2",
            MEDPOLICY_WECHAT_APP_ID="wx-app", MEDPOLICY_WECHAT_APP_SECRET="app-secret",
            MEDPOLICY_WECHAT_API_BASE=api.url,
        )
        jobs = [(workers[i % 2], message(f"o-push-{i}", f"73{i}")) for i in range(4)]
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda j: post_wechat(j[0], j[1], signed()), jobs))
        assert [r.text for r in replies] == ["success"] * 4  # all missed the window: pushed later
        deadline = time.monotonic() + 15
        while len(api.sent) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sorted(s["touser"] for s in api.sent) == [f"o-push-{i}" for i in range(4)]
        assert api.token_fetches == 1
        assert {s["token"] for s in api.sent} == {"TOKEN-1"}
    finally:
        api.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_nothing_acknowledged_is_lost_when_a_worker_is_killed(backend: str, backing: Any, tmp_path: Path) -> None:
    """`--workers 2` under load; one worker gets SIGKILL mid-load. Every turn and rating whose
    response the client received is in the database afterwards."""
    env = {"MEDPOLICY_DATA_DIR": str(tmp_path / "data"), "MEDPOLICY_RATE_LIMIT_CHAT": "",
           "MEDPOLICY_RATE_LIMIT_FEEDBACK": "", "MEDPOLICY_TEST_FAKE_DELAY": "0.01"}
    if backend == "postgresql":
        env |= {"MEDPOLICY_DATABASE_URL": fresh_database(backing.database_url), "MEDPOLICY_REDIS_URL": backing.redis_url}
    server = Worker(env, workers=2)
    acked_turns: list[tuple[str, str]] = []
    acked_feedback: list[int] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not stop.is_set():
                try:
                    r = http.post("/api/chat", json={"message": "住院起付线是多少"})
                    if r.status_code != 200:
                        continue
                    turn = r.json()
                    acked_turns.append((turn["session_id"], turn["turn_id"]))
                    f = http.post("/api/feedback", json={"session_id": turn["session_id"], "turn_id": turn["turn_id"],
                                                         "rating": 4})
                    if f.status_code == 201:
                        acked_feedback.append(f.json()["feedback_id"])
                except httpx.HTTPError:
                    pass  # the killed worker's connections fail: those were never acknowledged

    try:
        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        children = psutil.Process(server.proc.pid).children()
        assert len(children) >= 2
        os.kill(children[0].pid, signal.SIGKILL)
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(15)
    finally:
        stop.set()
        server.stop()
    assert len(acked_turns) > 20 and acked_feedback
    if backend == "postgresql":
        from api.db_postgres import PostgresServiceDB

        db: Any = PostgresServiceDB(env["MEDPOLICY_DATABASE_URL"])
    else:
        db = ServiceDB(tmp_path / "data" / "service.sqlite3")
    missing = [t for s, t in acked_turns if db.turn_session(t) != s]
    stored_feedback = {f["id"] for f in db.feedback()}
    db.close()
    assert missing == []
    assert set(acked_feedback) <= stored_feedback
