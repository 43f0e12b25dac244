"""Every JSON endpoint with valid and invalid input, and the one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_fakes import FakeAssistant, FakeKB


def assert_error(resp: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"error"}
    err = body["error"]
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), "messages are Chinese"
    assert "Traceback" not in resp.text
    if field is not None:
        assert err.get("field") == field
    return err


# -- chat -------------------------------------------------------------------------------------
def test_chat_returns_reply_with_turn_id(client: TestClient) -> None:
    r = client.post("/api/chat", json={"message": "住院起付线多少"})
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] == "二级医院起付线500元[1]。"
    assert body["citations"][0]["chunk_id"] == "c-deductible"
    assert body["intent"] == "policy_question"
    assert len(body["turn_id"]) == 32
    assert body["session_id"]
    assert body["pii_masked"] is False


def test_chat_keeps_session(client: TestClient, fake_assistant: FakeAssistant) -> None:
    first = client.post("/api/chat", json={"message": "住院报销多少"}).json()
    assert first["clarification"]["options"] == ["一级医院", "二级医院", "三级医院"]
    client.post("/api/chat", json={"message": "二级医院", "session_id": first["session_id"]})
    assert fake_assistant.calls[1] == ("二级医院", first["session_id"], "web")


def test_chat_masks_personal_data_before_assistant_and_db(client: TestClient, fake_assistant: FakeAssistant) -> None:
    r = client.post("/api/chat", json={"message": "我的身份证11010519491231002X 电话13812345678 起付线"})
    assert r.status_code == 200
    assert r.json()["pii_masked"] is True
    sent = fake_assistant.calls[-1][0]
    assert "11010519491231002X" not in sent and "13812345678" not in sent
    db = client.app.state.services.db
    stored = db.turns(r.json()["session_id"])[0]["message"]
    assert "[身份证号已隐去]" in stored and "[电话已隐去]" in stored


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": 12}, "message"),
        ({"message": "x" * 501}, "message"),
        ({"message": "好", "session_id": "bad id with spaces"}, "session_id"),
    ],
)
def test_chat_invalid_input_names_field(client: TestClient, payload: dict[str, Any], field: str) -> None:
    assert_error(client.post("/api/chat", json=payload), 422, "invalid_input", field)


def test_chat_malformed_json(client: TestClient) -> None:
    r = client.post("/api/chat", content=b"{not json", headers={"Content-Type": "application/json"})
    err = assert_error(r, 422, "invalid_input")
    assert "不是有效的 JSON" in err["message"] and "field" not in err  # a byte offset is not a field


def test_chat_assistant_crash_is_500_without_trace(client: TestClient, fake_assistant: FakeAssistant) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals /etc/passwd")

    fake_assistant.ask = boom  # type: ignore[method-assign]
    r = client.post("/api/chat", json={"message": "起付线"})
    assert_error(r, 500, "internal_error")
    assert "secret internals" not in r.text


def test_chat_assistant_refusal_is_422(client: TestClient, fake_assistant: FakeAssistant) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise ValueError("消息过长，请简要描述您的问题。")

    fake_assistant.ask = refuse  # type: ignore[method-assign]
    err = assert_error(client.post("/api/chat", json={"message": "起付线"}), 422, "invalid_input", "message")
    assert err["message"] == "消息过长，请简要描述您的问题。"


def test_chat_invalid_reply_model_is_500_not_422(client: TestClient, fake_assistant: FakeAssistant) -> None:
    from assistant.models import AssistantReply

    def broken(*_: Any, **__: Any) -> Any:
        return AssistantReply(session_id="s", answer="x", intent="not-an-intent")  # raises ValidationError

    fake_assistant.ask = broken  # type: ignore[method-assign]
    assert_error(client.post("/api/chat", json={"message": "起付线"}), 500, "internal_error")


# -- search & clauses ---------------------------------------------------------------------------
def test_search_returns_hits(client: TestClient) -> None:
    r = client.post("/api/search", json={"query": "起付线", "top_k": 3})
    assert r.status_code == 200
    hits = r.json()["results"]
    assert [h["chunk_id"] for h in hits] == ["c-deductible"]
    assert hits[0]["sources"][0] == {"file": "a.txt", "line": 12}


def test_search_filters_are_passed(client: TestClient) -> None:
    r = client.post("/api/search", json={"query": "补助", "filters": {"region": "乙市", "year": 2022}})
    assert [h["chunk_id"] for h in r.json()["results"]] == ["c-maternity"]
    r = client.post("/api/search", json={"query": "补助", "filters": {"region": "甲县"}})
    assert r.json() == {"results": [], "no_basis": True}


@pytest.mark.parametrize(
    "payload,field",
    [({"query": ""}, "query"), ({"query": "a", "top_k": 0}, "top_k"), ({"query": "a", "top_k": 51}, "top_k"),
     ({"query": "a", "filters": {"year": "去年"}}, "filters.year"), ({}, "query")],
)
def test_search_invalid(client: TestClient, payload: dict[str, Any], field: str) -> None:
    assert_error(client.post("/api/search", json=payload), 422, "invalid_input", field)


def test_clause_whole_with_all_sources(client: TestClient) -> None:
    r = client.get("/api/clauses/c-deductible")
    assert r.status_code == 200
    assert [s["file"] for s in r.json()["sources"]] == ["a.txt", "b.txt"]


def test_clause_missing_404(client: TestClient) -> None:
    assert_error(client.get("/api/clauses/nope"), 404, "clause_not_found", "chunk_id")


def test_facets(client: TestClient) -> None:
    assert client.get("/api/facets").json()["regions"] == ["甲县", "乙市"]


# -- calculators ------------------------------------------------------------------------------
def test_estimate(client: TestClient) -> None:
    r = client.post("/api/estimate", json={"policy": "jia-2023", "service": "inpatient", "hospital_level": 2,
                                           "covered_cost": "10000"})
    assert r.status_code == 200
    assert r.json()["reimbursed"] == "6650.00"
    assert r.json()["steps"][0]["chunk_id"] == "c-deductible"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"service": "inpatient"}, "policy"),
        ({"policy": "jia-2023", "service": "inpatient", "hospital_level": "二级"}, "hospital_level"),
        ({"policy": "jia-2023", "service": "inpatient", "bogus": 1}, "bogus"),
        ({"policy": "nowhere", "service": "inpatient", "covered_cost": "1"}, "policy"),  # CalcError
        ({"policy": "jia-2023", "service": "inpatient"}, "covered_cost"),  # CalcError
        ({"policy": "jia-2023", "service": "inpatient", "person": {"category": "martian"}}, "person.category"),
    ],
)
def test_estimate_invalid(client: TestClient, payload: dict[str, Any], field: str) -> None:
    assert_error(client.post("/api/estimate", json=payload), 422, "invalid_input", field)


def test_contribution(client: TestClient) -> None:
    r = client.post("/api/contribution", json={"policy": "jia-2023", "tier": 1})
    assert r.status_code == 200 and r.json()["individual"] == "380.00"
    assert_error(client.post("/api/contribution", json={"tier": 1}), 422, "invalid_input", "policy")


def test_policies(client: TestClient) -> None:
    assert client.get("/api/policies").json()["policies"][0]["id"] == "jia-2023"
    assert client.get("/api/policies/jia-2023").json()["parameters"][0]["chunk_id"] == "c-deductible"
    assert_error(client.get("/api/policies/unknown"), 404, "policy_not_found", "policy_id")


# -- feedback -----------------------------------------------------------------------------------
def test_feedback_roundtrip(client: TestClient) -> None:
    turn = client.post("/api/chat", json={"message": "起付线"}).json()
    r = client.post("/api/feedback", json={"session_id": turn["session_id"], "turn_id": turn["turn_id"], "rating": 5,
                                           "comment": "很好，我电话13912345678"})
    assert r.status_code == 201 and r.json()["ok"] is True
    stored = client.app.state.services.db.feedback(turn["turn_id"])
    assert stored[0]["rating"] == 5
    assert "13912345678" not in stored[0]["comment"]


@pytest.mark.parametrize("rating", [0, 6, "五", None])
def test_feedback_rating_range(client: TestClient, rating: Any) -> None:
    turn = client.post("/api/chat", json={"message": "起付线"}).json()
    r = client.post("/api/feedback", json={"session_id": turn["session_id"], "turn_id": turn["turn_id"], "rating": rating})
    assert_error(r, 422, "invalid_input", "rating")


def test_feedback_unknown_or_foreign_turn(client: TestClient) -> None:
    turn = client.post("/api/chat", json={"message": "起付线"}).json()
    assert_error(client.post("/api/feedback", json={"session_id": turn["session_id"], "turn_id": "x", "rating": 3}),
                 404, "turn_not_found", "turn_id")
    assert_error(client.post("/api/feedback", json={"session_id": "other", "turn_id": turn["turn_id"], "rating": 3}),
                 404, "turn_not_found", "turn_id")


# -- health, docs, generic errors -------------------------------------------------------------
def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    client.app.state.services.warm_up()  # what the lifespan's background thread does
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["components"] == {"db": "ready", "kb": "ready", "calculators": "ready", "assistant": "ready"}


def test_readyz_not_ready_when_index_missing(tmp_path: Any) -> None:
    from api.app import create_app
    from api_fakes import make_settings

    app = create_app(make_settings(tmp_path, data_dir=tmp_path / "empty"), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/readyz")
        err = assert_error(r, 503, "not_ready")
        assert err["message"]
        assert r.json()["components"]["kb"] == "loading"
        assert c.get("/healthz").status_code == 200


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/api/nothing"), 404, "not_found")
    assert_error(client.get("/api/chat"), 405, "method_not_allowed")


def test_body_too_large(client: TestClient) -> None:
    r = client.post("/api/chat", content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                    headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")


def test_docs_are_offline(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/search", "/api/estimate", "/api/feedback", "/wechat"} <= set(schema["paths"])


# -- admin --------------------------------------------------------------------------------------
def test_admin_requires_key(client: TestClient) -> None:
    assert_error(client.post("/api/admin/ingest"), 401, "unauthorized", "X-API-Key")
    assert_error(client.post("/api/admin/ingest", headers={"X-API-Key": "wrong"}), 401, "unauthorized")
    log = client.app.state.services.db.audit_log()
    assert [e["action"] for e in log] == ["admin_denied", "admin_denied"]


def test_admin_reingest_and_add_document(client: TestClient, fake_kb: FakeKB, settings: Any) -> None:
    key = {"X-API-Key": "s3cret-admin-key"}
    r = client.post("/api/admin/ingest", headers=key)
    assert r.status_code == 200 and r.json()["ok"] is True
    assert fake_kb.ingested[-1] == []  # rebuild from the sources the knowledge base already knows
    r = client.post("/api/admin/documents", headers=key, json={"filename": "新政策.txt", "content": "第一条 起付线300元。"})
    assert r.status_code == 201
    assert (settings.data_dir / "uploads" / "新政策.txt").read_text(encoding="utf-8") == "第一条 起付线300元。"
    assert fake_kb.ingested[-1] == [settings.data_dir / "uploads"]
    assert_error(client.post("/api/admin/documents", headers=key, json={"filename": "新政策.txt", "content": "x"}),
                 422, "document_rejected", "filename")  # never overwritten
    assert_error(client.post("/api/admin/documents", headers=key, json={"filename": "../evil.txt", "content": "x"}),
                 422, "document_rejected", "filename")
    assert_error(client.post("/api/admin/documents", headers=key, json={"filename": "a.exe", "content": "x"}),
                 422, "document_rejected", "filename")
    actions = [e["action"] for e in client.app.state.services.db.audit_log()]
    assert "reingest" in actions and "add_documents" in actions


def test_admin_disabled_without_key(tmp_path: Any, fake_assistant: FakeAssistant, fake_kb: FakeKB) -> None:
    from api.app import create_app
    from api_fakes import make_settings

    app = create_app(make_settings(tmp_path), assistant=fake_assistant, kb=fake_kb, warm_up=False)
    with TestClient(app) as c:
        assert_error(c.post("/api/admin/ingest", headers={"X-API-Key": ""}), 403, "admin_disabled")
