"""One settings object and one way to wire (issue 13): every limit and the hotline come from
`ServiceSettings`, routes get typed dependencies, one body cap serves every path."""

from __future__ import annotations

import ast
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services
from api.settings import ServiceSettings
from api_fakes import FakeAssistant, FakeCalculators, FakeKB, make_settings
from test_wechat_webhook import incoming, post_plain, reply_content

ROOT = Path(__file__).resolve().parents[2]


def make_client(settings: ServiceSettings, assistant: FakeAssistant | None = None) -> TestClient:
    app = create_app(settings, assistant=assistant or FakeAssistant(), kb=FakeKB(), calculators=FakeCalculators(),
                     warm_up=False)
    return TestClient(app, raise_server_exceptions=False)


def test_raising_the_message_limit_lets_longer_messages_through(tmp_path: Path) -> None:
    fake = FakeAssistant()
    with make_client(make_settings(tmp_path, max_message_chars=1000), fake) as c:
        r = c.post("/api/chat", json={"message": "住" * 800})
        assert r.status_code == 200
        assert fake.calls[0][0] == "住" * 800


def test_lowering_the_message_limit_refuses_in_chinese(tmp_path: Path) -> None:
    with make_client(make_settings(tmp_path, max_message_chars=10)) as c:
        r = c.post("/api/chat", json={"message": "住院起付线是多少钱呢请问"})
        assert r.status_code == 422
        assert "最多 10 字" in r.json()["error"]["message"]


def test_wechat_uses_the_same_message_limit(tmp_path: Path) -> None:
    fake = FakeAssistant()
    with make_client(make_settings(tmp_path, max_message_chars=10), fake) as c:
        text = reply_content(post_plain(c, incoming(Content="住院起付线是多少钱呢请问")))
    assert "最多 10 字" in text
    assert fake.calls == []


def test_hotline_setting_reaches_the_page_and_the_error_message(tmp_path: Path) -> None:
    class Broken(FakeAssistant):
        def ask(self, *a: object, **k: object) -> object:
            raise RuntimeError("boom")

    with make_client(make_settings(tmp_path, hotline="0571-12345"), Broken()) as c:
        page = c.get("/").text
        assert "0571-12345" in page and "12393" not in page
        err = c.post("/api/chat", json={"message": "住院起付线是多少"})
        assert err.status_code == 500
        assert "0571-12345" in err.json()["error"]["message"]


def test_wechat_body_cap_is_the_configured_one(tmp_path: Path) -> None:
    """The BodySizeLimit middleware applies MEDPOLICY_WECHAT_MAX_BODY_BYTES on /wechat."""
    body = incoming(Content="住" * 1000)  # about 3.2 kB
    with make_client(make_settings(tmp_path, wechat_max_body_bytes=2048)) as c:
        r = post_plain(c, body)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"
    with make_client(make_settings(tmp_path, wechat_max_body_bytes=8192)) as c:
        assert post_plain(c, body).status_code == 200


def test_services_expose_typed_components(tmp_path: Path) -> None:
    fake = FakeAssistant()
    services = Services(make_settings(tmp_path), assistant=fake, kb=FakeKB(), calculators=FakeCalculators())
    assert services.assistant is fake
    assert services.db.session_channel("nobody") is None
    services.close()


def test_a_built_knowledge_base_is_warmed_before_it_counts_as_loaded(tmp_path: Path) -> None:
    """Issue 13: the clauses' question-independent work is done at load, not by the first
    questions, and /readyz (`loaded`) turns green only after it."""
    seen: list[bool] = []

    class WarmKB(FakeKB):
        def warm_up(self) -> None:
            seen.append(services.loaded("kb"))

    class Building(Services):
        def _build(self, name: str):  # type: ignore[no-untyped-def]
            return WarmKB() if name == "kb" else super()._build(name)

    services = Building(make_settings(tmp_path), assistant=FakeAssistant(), calculators=FakeCalculators())
    assert isinstance(services.kb, WarmKB)
    assert seen == [False] and services.loaded("kb")
    services.close()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_wechat_does_not_import_a_route() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith("api.routes"))
        for p in (ROOT / "api" / "wechat").glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_string_keyed_service_lookup_left() -> None:
    sources = [*(ROOT / "api").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    pattern = "services" + '.get("'  # split so this file does not match itself
    assert not [str(p) for p in sources if pattern in p.read_text(encoding="utf-8")]


def test_every_page_links_the_favicon_and_it_is_served(client: TestClient) -> None:
    for page in ("/", "/estimate", "/console"):
        assert 'rel="icon" href="/static/img/favicon.svg"' in client.get(page).text
    for url in ("/favicon.ico", "/static/img/favicon.svg"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.startswith("<svg")


def test_estimate_refusal_names_the_missing_field_in_chinese(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), assistant=FakeAssistant(), kb=FakeKB(), warm_up=False)  # real calculators
    with TestClient(app) as c:
        r = c.post("/api/estimate", json={"policy": "cq-resident-2013", "service": "inpatient", "hospital_level": 2,
                                          "covered_cost": "10000"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "tier"  # the code, for programs
    assert "参保档次" in error["message"] and "tier" not in error["message"]  # the words, for people
