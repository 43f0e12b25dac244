"""Issue 12 replayed: each finding of the security probe as a test that failed before the fix.

1 personal data stored in clear · 2 the web API reaching WeChat sessions · 3 WeChat
authentication (strict safe mode, replays, dedupe per sender, signatures in logs) · 4 abuse
limits · 5 reasons for the remaining 4xx. wechatpy is the WeChat client throughout. The end-to-end
PII scan (every shape through every path, then every table, the session store and the logs)
lives in test_security_pii_scan.py.
"""

from __future__ import annotations

import hashlib
import secrets
import socket
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import httpx
import pytest
import xmltodict
from fastapi.testclient import TestClient
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto as ClientCrypto

from api.app import create_app
from api.deps import ModuleCalculators
from api.pii import CARD_MASK, ID_MASK, PHONE_MASK, mask_pii
from api.ratelimit import RateLimiter
from api.sessions import SECRET_FILE
from assistant.session_store import InMemorySessionStore, SqliteSessionStore
from assistant.state import DialogueState
from api_fakes import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, FakeAssistant, FakeCalculators, FakeKB, make_settings
from test_api_endpoints import assert_error

ACCOUNT = "gh_account"
KEY = {"X-API-Key": "s3cret-admin-key"}


# -- helpers: WeChat as WeChat sends it ---------------------------------------------------------
def signed(nonce: str | None = None, timestamp: str | None = None, **extra: str) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def incoming(openid: str, content: str = "住院起付线是多少", msg_id: str | None = "5001",
             msg_type: str = "text", **fields: str) -> str:
    parts = [f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>", f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
             "<CreateTime>1700000000</CreateTime>", f"<MsgType><![CDATA[{msg_type}]]></MsgType>"]
    if msg_type == "text":
        parts.append(f"<Content><![CDATA[{content}]]></Content>")
    parts += [f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()]
    if msg_id:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def post_encrypted(client: TestClient, xml: str) -> httpx.Response:
    """Encrypt and sign with wechatpy exactly as the WeChat server does in safe mode."""
    crypto = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    params = signed(encrypt_type="aes")
    envelope = xmltodict.parse(crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))["xml"]
    params["msg_signature"] = envelope["MsgSignature"]
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    return client.post("/wechat", params=params, content=body.encode(), headers={"Content-Type": "text/xml"})


def decrypted_reply(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    crypto = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    reply = xmltodict.parse(resp.text)["xml"]
    return parse_message(crypto.decrypt_message(resp.text, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"]))


def post_plain(client: TestClient, xml: str, params: dict[str, str] | None = None) -> httpx.Response:
    return client.post("/wechat", params=params or signed(), content=xml.encode(), headers={"Content-Type": "text/xml"})


def build(tmp_path: Path, assistant: Any | None = None, **overrides: Any) -> TestClient:
    values: dict[str, Any] = {"wechat_compatible_mode": False, "admin_api_key": "s3cret-admin-key", **overrides}
    app = create_app(make_settings(tmp_path, **values), assistant=assistant or FakeAssistant(), kb=FakeKB(),
                     calculators=FakeCalculators(), warm_up=False)
    return TestClient(app, raise_server_exceptions=False)


# == 1. personal data ==========================================================================
@pytest.mark.parametrize(
    "text,expected",
    [
        ("身份证１１０１０５１９４９１２３１００２Ｘ", f"身份证{ID_MASK}"),  # full width
        ("身份证110105194912310021", f"身份证{ID_MASK}"),  # wrong check digit, still an ID
        ("身份证 110105 19491231 002X", f"身份证 {ID_MASK}"),
        ("手机138 1234 5678", f"手机{PHONE_MASK}"),
        ("手机139-8765-4321！", f"手机{PHONE_MASK}！"),
        ("手机１３９－８７６５－４３２１", f"手机{PHONE_MASK}"),
        ("座机(010)6552-1234", f"座机{PHONE_MASK}"),
        ("座机（０１０）６５５２１２３４", f"座机{PHONE_MASK}"),
        ("座机0755 8765 4321", f"座机{PHONE_MASK}"),
        ("卡号6222 0202 0011 2233 446", f"卡号{CARD_MASK}"),
        # not personal data: amounts, years, hotlines, document numbers, dates
        ("住院花了12000元，2023年起付线500元，拨打12393", "住院花了12000元，2023年起付线500元，拨打12393"),
        ("渝府发〔2013〕12号，2023-01-01起，1,000元，1.2万", "渝府发〔2013〕12号，2023-01-01起，1,000元，1.2万"),
    ],
)
def test_masking_runs_after_normalisation(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize("store_kind", ["sqlite", "memory"])
def test_session_state_is_masked_when_stored(tmp_path: Path, store_kind: str) -> None:
    """Finding 1: the assistant normalises a full-width ID to ASCII and kept it in last_query."""
    store = SqliteSessionStore(tmp_path / "s.sqlite3") if store_kind == "sqlite" else InMemorySessionStore()
    state = DialogueState(session_id="w-abc", last_query="我的身份证11010519491231002X 起付线",
                          evidence={"region": "电话13812345678"}, slots={"amount": 13812345678})
    store.save(state)
    loaded = store.get("w-abc")
    assert loaded is not None
    dumped = loaded.model_dump_json()
    assert "11010519491231002X" not in dumped and "13812345678" not in dumped
    assert ID_MASK in loaded.last_query and loaded.session_id == "w-abc"
    if store_kind == "sqlite":
        raw = (tmp_path / "s.sqlite3").read_bytes()
        assert b"11010519491231002X" not in raw and b"13812345678" not in raw


def test_client_chosen_session_id_is_refused(tmp_path: Path) -> None:
    assistant = FakeAssistant()
    with build(tmp_path, assistant) as c:
        r = c.post("/api/chat", json={"message": "起付线", "session_id": "11010519491231002X"})
        err = assert_error(r, 422, "unknown_session", "session_id")
        assert "服务端分配" in err["message"]
        assert assistant.calls == []
        first = c.post("/api/chat", json={"message": "起付线"}).json()
        assert first["session_id"].startswith("w-") and len(first["session_id"]) >= 32  # issued by the server
        again = c.post("/api/chat", json={"message": "起付线", "session_id": first["session_id"]})
        assert again.status_code == 200 and again.json()["session_id"] == first["session_id"]
        db = c.app.state.services.db
        assert db.session_channel("11010519491231002X") is None


# == 2. sessions bound to channel and user =====================================================
def test_web_cannot_reach_a_wechat_session(tmp_path: Path) -> None:
    """Finding 2: given an OpenID, "wx-" + sha256(openid) was a session /api/chat accepted."""
    assistant = FakeAssistant()
    openid = "oVictim-openid-1"
    with build(tmp_path, assistant) as c:
        assert post_encrypted(c, incoming(openid, "住院报销多少")).status_code == 200
        wechat_sid = assistant.calls[0][1]
        old_style = "wx-" + hashlib.sha256(openid.encode()).hexdigest()[:24]
        assert wechat_sid != old_style and openid not in wechat_sid
        for sid in (wechat_sid, old_style):
            r = c.post("/api/chat", json={"message": "二级医院", "session_id": sid})
            assert_error(r, 422, "unknown_session", "session_id")
        turn = c.app.state.services.db.turns(wechat_sid)[0]
        r = c.post("/api/feedback", json={"session_id": wechat_sid, "turn_id": turn["turn_id"], "rating": 1})
        assert_error(r, 404, "turn_not_found")
    assert [call[1] for call in assistant.calls] == [wechat_sid]  # the web never reached it


def test_wechat_session_id_is_an_hmac_under_a_persisted_secret(tmp_path: Path) -> None:
    with build(tmp_path / "a") as a, build(tmp_path / "b") as b:
        sid_a = a.app.state.wechat.session_id("oSame")
        sid_b = b.app.state.wechat.session_id("oSame")
        assert sid_a != sid_b  # different secrets, different ids
    secret_file = tmp_path / "a" / SECRET_FILE
    assert secret_file.stat().st_mode & 0o777 == 0o600
    with build(tmp_path / "a") as again:  # restart: same secret, same session
        assert again.app.state.wechat.session_id("oSame") == sid_a
    with build(tmp_path / "c", session_secret="x" * 40) as configured:
        assert not (tmp_path / "c" / SECRET_FILE).exists()
        assert configured.app.state.wechat.session_id("oSame") not in (sid_a, sid_b)


def test_client_cannot_set_the_channel(tmp_path: Path) -> None:
    assistant = FakeAssistant()
    with build(tmp_path, assistant) as c:
        r = c.post("/api/chat", json={"message": "起付线", "channel": "wechat"})
        assert r.status_code == 200
        assert assistant.calls[0][2] == "web"
        assert c.app.state.services.db.turns(r.json()["session_id"])[0]["channel"] == "web"


# == 3. WeChat authentication ==================================================================
def test_strict_safe_mode_refuses_plain_messages(tmp_path: Path) -> None:
    assistant = FakeAssistant()
    with build(tmp_path, assistant) as c:
        r = post_plain(c, incoming("oUser"))
        err = assert_error(r, 403, "encryption_required")
        assert "安全模式" in err["message"]
        assert decrypted_reply(post_encrypted(c, incoming("oUser", msg_id="2"))).content.startswith("二级医院起付线")
    assert len(assistant.calls) == 1


def test_compatible_mode_only_by_explicit_setting(tmp_path: Path) -> None:
    with build(tmp_path, wechat_compatible_mode=True) as c:
        assert post_plain(c, incoming("oUser")).status_code == 200


def test_signed_url_cannot_carry_another_body(tmp_path: Path) -> None:
    """Finding 3: a signed URL was reusable with any body for 300 s."""
    assistant = FakeAssistant()
    with build(tmp_path, assistant, wechat_compatible_mode=True) as c:
        params = signed()
        first = post_plain(c, incoming("oUser", "起付线", msg_id="1"), params)
        assert first.status_code == 200
        retry = post_plain(c, incoming("oUser", "起付线", msg_id="1"), params)  # WeChat's retry: same bytes
        assert retry.status_code == 200 and parse_message(retry.text).content == parse_message(first.text).content
        forged = post_plain(c, incoming("oOther", "住院报销多少", msg_id="2"), params)
        assert_error(forged, 403, "replayed_request")
    assert len(assistant.calls) == 1


def test_dedupe_is_per_sender(tmp_path: Path) -> None:
    """Finding 3: a second user sending the same MsgId received the first user's answer."""
    assistant = FakeAssistant()
    with build(tmp_path, assistant) as c:
        a = decrypted_reply(post_encrypted(c, incoming("oAlice", "起付线", msg_id="777")))
        b = decrypted_reply(post_encrypted(c, incoming("oBob", "住院报销多少", msg_id="777")))
        assert a.target == "oAlice" and b.target == "oBob"
        assert a.content.startswith("二级医院起付线") and b.content.startswith("请问您在哪一级医院")
        retry = decrypted_reply(post_encrypted(c, incoming("oAlice", "起付线", msg_id="777")))
        assert retry.content == a.content
    assert len(assistant.calls) == 2


def test_event_dedupe_is_per_sender_and_create_time(tmp_path: Path) -> None:
    with build(tmp_path) as c:
        key = c.app.state.wechat.dedupe_key
        alice = {"FromUserName": "oAlice", "CreateTime": "1700000000", "MsgType": "event", "Event": "subscribe"}
        assert key(alice) != key({**alice, "FromUserName": "oBob"})
        assert key(alice) != key({**alice, "CreateTime": "1700000001"})
        assert key(alice) == key(dict(alice))
        welcome = decrypted_reply(post_encrypted(c, incoming("oAlice", msg_id=None, msg_type="event", Event="subscribe")))
        other = decrypted_reply(post_encrypted(c, incoming("oBob", msg_id=None, msg_type="event", Event="subscribe")))
        assert welcome.target == "oAlice" and other.target == "oBob"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_access_log_has_no_signature_nonce_timestamp_or_openid(tmp_path: Path) -> None:
    """Finding 3: uvicorn's access log printed the signed query string. A real uvicorn server,
    logging set up as `medpolicy serve` does."""
    import io
    import logging

    import uvicorn

    from api.pii import install_log_masking

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel(logging.INFO)
    app = create_app(make_settings(tmp_path, wechat_compatible_mode=True), assistant=FakeAssistant(), kb=FakeKB(),
                     calculators=FakeCalculators(), warm_up=False)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True, lifespan="off")
    server = uvicorn.Server(config)
    config.load()
    install_log_masking()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        params = {**signed(), "openid": "oSecretOpenId"}
        r = httpx.post(f"http://127.0.0.1:{port}/wechat", params=params, content=incoming("oSecretOpenId").encode())
        assert r.status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        access.removeHandler(handler)
        access.setLevel(old_level)
    logged = stream.getvalue()
    assert "POST /wechat?" in logged
    for secret in (params["signature"], params["nonce"], params["timestamp"], "oSecretOpenId"):
        assert secret not in logged
    assert "signature=***" in logged and "nonce=***" in logged


# == 4. abuse limits ===========================================================================
def test_chat_is_limited_per_address(tmp_path: Path) -> None:
    with build(tmp_path, rate_limit_chat="3/minute") as c:
        codes = [c.post("/api/chat", json={"message": "起付线"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.post("/api/chat", json={"message": "起付线"})
        err = assert_error(r, 429, "rate_limited")
        assert "频繁" in err["message"] and int(r.headers["Retry-After"]) >= 1


def test_feedback_is_limited_per_address(tmp_path: Path) -> None:
    with build(tmp_path, rate_limit_feedback="2/minute") as c:
        turn = c.post("/api/chat", json={"message": "起付线"}).json()
        body = {"session_id": turn["session_id"], "turn_id": turn["turn_id"], "rating": 4}
        codes = [c.post("/api/feedback", json=body).status_code for _ in range(3)]
        assert codes == [201, 201, 429]


def test_failed_admin_attempts_are_limited_and_audit_stays_bounded(tmp_path: Path) -> None:
    """Finding 4: each failed attempt wrote an audit row, without limit."""
    with build(tmp_path, rate_limit_admin_failures="3/hour") as c:
        codes = [c.post("/api/admin/ingest", headers={"X-API-Key": f"guess-{i}"}).status_code for i in range(12)]
        assert codes == [401] * 3 + [429] * 9
        assert_error(c.post("/api/admin/ingest", headers=KEY), 429, "rate_limited")  # blocked: key not even compared
        denied = [row for row in c.app.state.services.db.audit_log(1000) if row["action"] == "admin_denied"]
        assert len(denied) == 3


class _CountingDict(OrderedDict):  # type: ignore[type-arg]
    """Counts how many entries the limiter looks at."""

    looked = 0

    def items(self):  # type: ignore[no-untyped-def]
        _CountingDict.looked += 1
        return super().items()


def test_per_openid_limiter_costs_the_same_with_many_senders() -> None:
    """Finding 4: past 10,000 senders every message scanned all of them."""
    now = [0.0]
    rl = RateLimiter(10, 60, clock=lambda: now[0])
    rl._hits = _CountingDict()  # type: ignore[assignment]
    for i in range(20_000):
        now[0] = i * 0.001  # all within one window
        assert rl.allow(f"o{i}")
    _CountingDict.looked = 0
    assert rl.allow("newcomer")
    assert _CountingDict.looked <= 2  # looked at the oldest entry only, not the 20,000
    now[0] = 200.0  # every sender idle: forgotten as new messages arrive
    assert rl.allow("late")
    assert len(rl) == 1


def test_dedupe_map_is_pruned_from_its_oldest_end(tmp_path: Path) -> None:
    now = [1000.0]
    app = create_app(make_settings(tmp_path, wechat_compatible_mode=True, wechat_rate_limit_messages=0),
                     assistant=FakeAssistant(), kb=FakeKB(), calculators=FakeCalculators(), warm_up=False,
                     clock=lambda: now[0])
    with TestClient(app) as c:
        for i in range(50):
            assert post_plain(c, incoming(f"o{i}", "起付线", msg_id=str(i))).status_code == 200
        assert len(app.state.wechat._pending) == 50
        now[0] += 3600
        post_plain(c, incoming("oNew", "起付线", msg_id="x"))
        assert len(app.state.wechat._pending) == 1


# == 5. a reason for every 4xx =================================================================
def test_non_utf8_body_gets_a_reason(tmp_path: Path) -> None:
    with build(tmp_path) as c:
        r = c.post("/api/chat", content=b'{"message": "\xff\xfe\xb2\xe2"}', headers={"Content-Type": "application/json"})
        err = assert_error(r, 400, "invalid_encoding")
        assert "UTF-8" in err["message"]


def test_integer_of_thousands_of_digits_gets_a_reason(tmp_path: Path) -> None:
    with build(tmp_path) as c:
        body = b'{"session_id": "w-x", "turn_id": "t", "rating": ' + b"9" * 5000 + b"}"
        r = c.post("/api/feedback", content=body, headers={"Content-Type": "application/json"})
        err = assert_error(r, 400, "number_too_long")
        assert "位数过多" in err["message"]


def test_more_than_twenty_files_gets_a_reason(tmp_path: Path) -> None:
    with build(tmp_path) as c:
        files = [("files", (f"f{i}.txt", b"x", "text/plain")) for i in range(21)]
        err = assert_error(c.post("/api/admin/documents", headers=KEY, files=files), 422, "too_many_files", "files")
        assert "20" in err["message"]


def test_no_redirect_built_from_the_host_header(tmp_path: Path) -> None:
    with build(tmp_path) as c:
        r = c.post("/api/chat/", json={"message": "起付线"}, headers={"Host": "evil.example"}, follow_redirects=False)
        assert "evil.example" not in r.headers.get("location", "")
        assert_error(r, 404, "not_found")


@pytest.mark.parametrize("amount,ok", [("٣٠٠٠", False), ("1_000", False), ("3000", True), ("３０００", True),
                                       ("12,000", True), ("1.2万", True)])
def test_amounts_only_in_the_forms_people_write(tmp_path: Path, amount: str, ok: bool) -> None:
    app = create_app(make_settings(tmp_path), assistant=FakeAssistant(), kb=FakeKB(),
                     calculators=ModuleCalculators(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        policy = next(p for p in c.get("/api/policies").json()["policies"] if "inpatient" in p["services"])
        body = {"policy": policy["id"], "service": "inpatient", "hospital_level": 2, "tier": 1, "covered_cost": amount}
        r = c.post("/api/estimate", json=body)
        if ok:
            assert r.status_code == 200, r.text
        else:
            err = assert_error(r, 422, "invalid_input", "covered_cost")
            assert "covered_cost" in err["message"]

