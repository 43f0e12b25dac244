"""Unit tests of the service's small parts: PII masking, rate limiter, database, WeChat crypto
and the customer-service sender."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from wechatpy.crypto import WeChatCrypto as ClientCrypto

from api.db import SCHEMA_VERSION, ServiceDB
from api.pii import CARD_MASK, ID_MASK, PHONE_MASK, luhn_valid, mask_pii, valid_id_number
from api.ratelimit import RateLimiter
from api.wechat.crypto import WeChatCrypto, WeChatCryptoError
from api.wechat.sender import CustomerServiceError, CustomerServiceSender
from api.wechat.xml import cdata
from api_fakes import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN


# -- PII ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("身份证11010519491231002X", f"身份证{ID_MASK}"),  # valid check digit X
        ("身份证110105194912310021", f"身份证{ID_MASK}"),  # wrong check digit: still ID-shaped (issue 12)
        ("编号123456789012345678", "编号123456789012345678"),  # 18 digits without a birth date: not an ID
        ("手机13812345678", f"手机{PHONE_MASK}"),
        ("手机+86 138 1234 5678", f"手机{PHONE_MASK}"),
        ("座机010-12345678", f"座机{PHONE_MASK}"),
        ("卡号6222020200112233446 请查", f"卡号{CARD_MASK} 请查"),  # 19 digits, Luhn-valid
        ("卡号4111 1111 1111 1111", f"卡号{CARD_MASK}"),
        ("卡号4111111111111112", "卡号4111111111111112"),  # fails Luhn
        ("住院花了12000元，2023年起付线500元，拨打12393", "住院花了12000元，2023年起付线500元，拨打12393"),
    ],
)
def test_mask_pii(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


def test_check_digit_and_luhn_helpers() -> None:
    assert valid_id_number("11010519491231002X")
    assert not valid_id_number("11010519491231002Y")
    assert luhn_valid("6222020200112233446") and not luhn_valid("6222020200112233445")


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from api.pii import PIIMaskingFilter

    logger = logging.getLogger("medpolicy.test")
    handler = caplog.handler
    handler.addFilter(PIIMaskingFilter())
    try:
        logger.warning("user said %s", "电话13812345678")
        logger.warning('"POST /wechat?signature=abc&openid=oAbC-123&nonce=1 HTTP/1.1" 200')
    finally:
        handler.removeFilter(handler.filters[-1])
    assert "13812345678" not in caplog.text and PHONE_MASK in caplog.text
    assert "oAbC-123" not in caplog.text and "openid=***&nonce=***" in caplog.text


def test_uvicorn_access_records_stay_formattable() -> None:
    import logging

    from uvicorn.logging import AccessFormatter

    from api.pii import PIIMaskingFilter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/wechat?openid=oXyZ&nonce=1", "1.1", 200), None)
    assert PIIMaskingFilter().filter(record)
    line = AccessFormatter("%(client_addr)s - %(request_line)s %(status_code)s", use_colors=False).format(record)
    assert line == '127.0.0.1:5 - GET /wechat?openid=***&nonce=*** HTTP/1.1 200 OK'


# -- rate limiter ---------------------------------------------------------------------------------
def test_rate_limiter_window() -> None:
    now = [0.0]
    rl = RateLimiter(2, 60, clock=lambda: now[0])
    assert rl.allow("a") and rl.allow("a") and not rl.allow("a")
    assert rl.allow("b")
    now[0] = 60.5
    assert rl.allow("a")
    assert RateLimiter(0, 60).allow("x")


# -- database -------------------------------------------------------------------------------------
def test_db_schema_versioned_and_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite3"
    db = ServiceDB(path)
    assert db.schema_version == SCHEMA_VERSION == 1
    turn = db.record_turn(session_id="s1", channel="web", message="问", answer="答", intent="greeting",
                          citations=["c1"], grounded=True, latency_ms=1.5)
    db.record_feedback(session_id="s1", turn_id=turn, rating=4, comment=None)
    db.audit("127.0.0.1", "reingest", {"n": 1})
    db.close()
    again = ServiceDB(path)
    assert again.turn_session(turn) == "s1"
    assert again.turns("s1")[0]["answer"] == "答"
    assert again.feedback(turn)[0]["rating"] == 4
    assert again.audit_log()[0]["action"] == "reingest"


def test_db_rejects_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        ServiceDB(path)


def test_db_rating_constraint(tmp_path: Path) -> None:
    db = ServiceDB(tmp_path / "x.sqlite3")
    turn = db.record_turn(session_id="s", channel="web", message="m", answer="a", intent=None, citations=[],
                          grounded=True, latency_ms=0)
    with pytest.raises(sqlite3.IntegrityError):
        db.record_feedback(session_id="s", turn_id=turn, rating=9, comment=None)


# -- crypto ---------------------------------------------------------------------------------------
def test_our_encryption_is_read_by_wechatpy_and_back() -> None:
    ours = WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    theirs = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    encrypted = ours.encrypt("<xml>你好</xml>")
    signature = ours.msg_signature("123", "n", encrypted)
    envelope = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    assert theirs.decrypt_message(envelope, signature, "123", "n") == "<xml>你好</xml>"


def test_crypto_rejects_bad_key_and_foreign_app_id() -> None:
    with pytest.raises(WeChatCryptoError):
        WeChatCrypto("t", "short", "app")
    other = WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, "wx-other-app")
    with pytest.raises(WeChatCryptoError):
        WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID).decrypt(other.encrypt("x"))


def test_cdata_splits_terminator() -> None:
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    assert cdata("bell\x07") == "<![CDATA[bell]]>"


# -- customer-service sender ----------------------------------------------------------------------
def test_sender_caches_token_and_refreshes_when_expired() -> None:
    tokens = iter(["T1", "T2"])
    sends: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/token":
            return httpx.Response(200, json={"access_token": next(tokens), "expires_in": 7200})
        sends.append(request.url.params["access_token"])
        # The first token is revoked server-side after one use.
        if request.url.params["access_token"] == "T1" and len(sends) > 1:
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        return httpx.Response(200, json={"errcode": 0})

    sender = CustomerServiceSender(httpx.Client(transport=httpx.MockTransport(api)), "app", "secret")
    sender.send_text("o1", "第一条")
    sender.send_text("o1", "第二条")
    assert sends == ["T1", "T1", "T2"]


def test_sender_raises_on_other_errors() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/token":
            return httpx.Response(200, json={"errcode": 40125, "errmsg": "invalid appsecret"})
        return httpx.Response(200, json={"errcode": 0})

    sender = CustomerServiceSender(httpx.Client(transport=httpx.MockTransport(api)), "app", "bad")
    with pytest.raises(CustomerServiceError):
        sender.send_text("o1", "x")
