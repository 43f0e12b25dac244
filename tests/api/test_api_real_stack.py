"""The same endpoints over the real stack: knowledge base built from the bundled corpus (the
session-scoped `kb` fixture), the real calculators and assistant, nothing injected."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from wechatpy import parse_message

from api.app import create_app
from api.settings import ServiceSettings
from api_fakes import WECHAT_TOKEN


@pytest.fixture(scope="module")
def real(kb: Any, kb_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = ServiceSettings(
        data_dir=kb_settings.data_dir,
        corpus_dirs=kb_settings.corpus_dirs,
        db_path=tmp_path_factory.mktemp("svc") / "service.sqlite3",
        wechat_token=WECHAT_TOKEN,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings, warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.services.warm_up()
        yield client


def test_ready_with_real_stack(real: TestClient) -> None:
    r = real.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


def test_chat_cites_clauses_that_exist(real: TestClient) -> None:
    r = real.post("/api/chat", json={"message": "住院起付线是多少"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["citations"], body
    for citation in body["citations"]:
        clause = real.get(f"/api/clauses/{citation['chunk_id']}")
        assert clause.status_code == 200
        assert citation["text"] in clause.json()["text"] or clause.json()["text"] in citation["text"]
    fb = real.post("/api/feedback", json={"session_id": body["session_id"], "turn_id": body["turn_id"], "rating": 4})
    assert fb.status_code == 201


def test_search_and_facets(real: TestClient) -> None:
    facets = real.get("/api/facets").json()
    assert facets["regions"] and facets["years"]
    r = real.post("/api/search", json={"query": "起付线", "top_k": 3})
    hits = r.json()["results"]
    assert 1 <= len(hits) <= 3
    assert all(h["sources"] and h["citation"] for h in hits)
    region = facets["regions"][0]
    filtered = real.post("/api/search", json={"query": "报销", "filters": {"region": region}}).json()["results"]
    assert all(h["region"] == region for h in filtered)


def test_estimate_matches_hand_computation(real: TestClient) -> None:
    # 重庆 2013 一档, 二级医院: 起付线 300 元, 比例 60% → (10000 − 300) × 60% = 5820.
    r = real.post("/api/estimate", json={"policy": "cq-resident-2013", "service": "inpatient", "hospital_level": 2,
                                         "tier": 1, "covered_cost": "10000", "person": {"category": "adult"}})
    assert r.status_code == 200, r.text
    assert (r.json()["reimbursed"], r.json()["out_of_pocket"]) == ("5820.00", "4180.00")
    bad = real.post("/api/estimate", json={"policy": "no-such-policy", "service": "inpatient", "covered_cost": "1"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "policy"


def test_policies_real(real: TestClient) -> None:
    ids = [p["id"] for p in real.get("/api/policies").json()["policies"]]
    assert "cq-resident-2013" in ids
    assert real.get("/api/policies/cq-resident-2013").status_code == 200


def test_wechat_real_answer_fits_one_reply(real: TestClient) -> None:
    timestamp, nonce = str(int(time.time())), "n1"
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = ("<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o-real]]></FromUserName>"
           "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           "<Content><![CDATA[在县外住院少报多少]]></Content><MsgId>42</MsgId></xml>")
    r = real.post("/wechat", params={"signature": signature, "timestamp": timestamp, "nonce": nonce}, content=xml)
    assert r.status_code == 200
    msg = parse_message(r.text)
    assert msg.type == "text" and msg.content
    assert len(msg.content.encode("utf-8")) <= 2048


def test_db_file_survives_restart(real: TestClient, tmp_path: Path) -> None:
    from api.db import ServiceDB

    services = real.app.state.services
    path = services.settings.service_db_path
    turn = real.post("/api/chat", json={"message": "你好"}).json()
    reopened = ServiceDB(path)
    assert reopened.turn_session(turn["turn_id"]) == turn["session_id"]
    reopened.close()
