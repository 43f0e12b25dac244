"""The /wechat endpoint driven as WeChat drives it, with wechatpy as the independent client:
it encrypts and signs requests and decrypts and parses our replies."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import xmltodict
from fastapi.testclient import TestClient
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto as ClientCrypto

from api.app import create_app
from api.wechat.handler import RATE_LIMITED_TEXT, UNSUPPORTED_TEXT
from api_fakes import FakeAssistant, FakeCalculators, FakeKB
from api_fakes import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, make_settings

OPENID = "oUser-openid-123"
ACCOUNT = "gh_account"


def signed_params(token: str = WECHAT_TOKEN, age: int = 0, **extra: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time()) - age), secrets.token_hex(8)  # WeChat sends a fresh nonce each time
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


def incoming(msg_type: str = "text", msg_id: str | None = "1000001", **fields: str) -> str:
    """An incoming message as WeChat's documentation shows it."""
    parts = [
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>",
        "<CreateTime>1700000000</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    parts += [f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()]
    if msg_id:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def post_plain(client: TestClient, xml: str | bytes, params: dict[str, str] | None = None) -> httpx.Response:
    body = xml.encode() if isinstance(xml, str) else xml
    return client.post("/wechat", params=params or signed_params(), content=body,
                       headers={"Content-Type": "text/xml"})


def reply_content(resp: httpx.Response) -> str:
    assert resp.status_code == 200, resp.text
    msg = parse_message(resp.text)
    assert msg.type == "text"
    assert msg.target == OPENID and msg.source == ACCOUNT
    return str(msg.content)


def build_client(tmp_path: Path, assistant: FakeAssistant, http: httpx.Client | None = None,
                 **overrides: Any) -> TestClient:
    app = create_app(make_settings(tmp_path, **overrides), assistant=assistant, kb=FakeKB(),
                     calculators=FakeCalculators(), http_client=http, warm_up=False)
    return TestClient(app, raise_server_exceptions=False)


# -- server verification ------------------------------------------------------------------------
def test_server_verification_echoes_echostr(client: TestClient) -> None:
    r = client.get("/wechat", params=signed_params(echostr="echo-8172"))
    assert r.status_code == 200 and r.text == "echo-8172"
    assert r.headers["content-type"].startswith("text/plain")


def test_server_verification_rejects_bad_signature(client: TestClient) -> None:
    r = client.get("/wechat", params=signed_params(token="wrong", echostr="x"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "bad_signature"
    r = client.get("/wechat", params={"echostr": "x"})
    assert r.status_code == 403


def test_wechat_disabled_without_token(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    with build_client(tmp_path, fake_assistant, wechat_token=None) as c:
        r = c.get("/wechat", params=signed_params(echostr="x"))
        assert r.status_code == 404 and r.json()["error"]["code"] == "wechat_disabled"


# -- round trips --------------------------------------------------------------------------------
def test_plain_text_round_trip(client: TestClient, fake_assistant: FakeAssistant) -> None:
    r = post_plain(client, incoming(Content="住院起付线是多少"))
    assert reply_content(r) == "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"
    message, session_id, channel = fake_assistant.calls[0]
    assert message == "住院起付线是多少" and channel == "wechat"
    assert OPENID not in (session_id or "")  # the session id does not reveal the OpenID
    turns = client.app.state.services.db.turns(session_id)
    assert turns[0]["channel"] == "wechat"


def test_personal_data_masked_and_user_told(client: TestClient, fake_assistant: FakeAssistant) -> None:
    text = reply_content(post_plain(client, incoming(Content="我身份证11010519491231002X，起付线多少")))
    assert text.startswith("（已隐去您消息中的证件号")
    assert "11010519491231002X" not in fake_assistant.calls[0][0]


def test_safe_mode_round_trip(client: TestClient) -> None:
    crypto = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    params = signed_params(encrypt_type="aes")
    envelope = crypto.encrypt_message(incoming(Content="住院起付线是多少"), params["nonce"], params["timestamp"])
    fields = xmltodict.parse(envelope)["xml"]
    params["msg_signature"] = fields["MsgSignature"]
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
    r = post_plain(client, body, params)
    assert r.status_code == 200
    reply = xmltodict.parse(r.text)["xml"]
    plain = crypto.decrypt_message(r.text, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
    msg = parse_message(plain)
    assert msg.content == "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"
    assert msg.target == OPENID


def test_safe_mode_bad_msg_signature_and_tampered_ciphertext(client: TestClient, fake_assistant: FakeAssistant) -> None:
    crypto = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    params = signed_params(encrypt_type="aes")
    envelope = xmltodict.parse(crypto.encrypt_message(incoming(Content="问题"), params["nonce"], params["timestamp"]))["xml"]
    body = f"<xml><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    r = post_plain(client, body, {**params, "msg_signature": "0" * 40})
    assert r.status_code == 403
    other = ClientCrypto(WECHAT_TOKEN, "B" * 43, WECHAT_APP_ID)  # encrypted with another key
    params = signed_params(encrypt_type="aes")  # a fresh nonce: the old one is bound to its body
    forged = xmltodict.parse(other.encrypt_message(incoming(Content="问题"), params["nonce"], params["timestamp"]))["xml"]
    body = f"<xml><Encrypt><![CDATA[{forged['Encrypt']}]]></Encrypt></xml>"
    r = post_plain(client, body, {**params, "msg_signature": forged["MsgSignature"]})
    assert r.status_code == 400
    assert fake_assistant.calls == []


def test_stale_signed_request_refused(client: TestClient, fake_assistant: FakeAssistant) -> None:
    r = post_plain(client, incoming(Content="起付线"), signed_params(age=3600))
    assert r.status_code == 403 and r.json()["error"]["code"] == "stale_request"
    assert post_plain(client, incoming(Content="起付线"), signed_params(age=60)).status_code == 200
    assert len(fake_assistant.calls) == 1


def test_signature_checked_before_parsing(client: TestClient) -> None:
    r = post_plain(client, b"<<<not xml", signed_params(token="wrong"))
    assert r.status_code == 403


# -- retries and deadlines ------------------------------------------------------------------------
def test_msgid_retries_answered_once(client: TestClient, fake_assistant: FakeAssistant) -> None:
    replies = [reply_content(post_plain(client, incoming(Content="住院起付线是多少", msg_id="777"))) for _ in range(4)]
    assert len(set(replies)) == 1
    assert len(fake_assistant.calls) == 1
    reply_content(post_plain(client, incoming(Content="住院起付线是多少", msg_id="778")))
    assert len(fake_assistant.calls) == 2  # a new MsgId is a new question


def test_retry_while_answer_in_progress_gets_same_reply(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    fake_assistant.gate = threading.Event()
    with build_client(tmp_path, fake_assistant, wechat_reply_deadline_seconds=3.0) as c:
        results: list[str] = []
        threads = [threading.Thread(target=lambda: results.append(
            reply_content(post_plain(c, incoming(Content="住院起付线", msg_id="55"))))) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.2)
        fake_assistant.gate.set()
        for t in threads:
            t.join(5)
    assert results == ["二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"] * 2
    assert len(fake_assistant.calls) == 1


def test_late_answer_delivered_by_customer_service_api(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    seen: list[httpx.Request] = []

    def wechat_api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/cgi-bin/token":
            return httpx.Response(200, json={"access_token": "TOKEN-1", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    http = httpx.Client(transport=httpx.MockTransport(wechat_api))
    fake_assistant.gate = threading.Event()
    with build_client(tmp_path, fake_assistant, http, wechat_reply_deadline_seconds=0.3,
                      wechat_app_secret="app-secret") as c:
        r = post_plain(c, incoming(Content="住院起付线", msg_id="900"))
        assert r.status_code == 200 and r.text == "success"
        fake_assistant.gate.set()
        c.app.state.wechat.wait_idle()
        retry = post_plain(c, incoming(Content="住院起付线", msg_id="900"))
        assert retry.text == "success"  # already delivered once; never twice
    assert [q.url.path for q in seen] == ["/cgi-bin/token", "/cgi-bin/message/custom/send"]
    assert seen[0].url.params["appid"] == WECHAT_APP_ID and seen[0].url.params["secret"] == "app-secret"
    assert seen[1].url.params["access_token"] == "TOKEN-1"
    sent = json.loads(seen[1].content.decode("utf-8"))
    assert sent == {"touser": OPENID, "msgtype": "text",
                    "text": {"content": "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"}}
    assert "\\u" not in seen[1].content.decode("utf-8")
    assert len(fake_assistant.calls) == 1


def test_late_answer_without_credentials_served_on_resend(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    fake_assistant.gate = threading.Event()
    with build_client(tmp_path, fake_assistant, wechat_reply_deadline_seconds=0.3) as c:
        first = reply_content(post_plain(c, incoming(Content="住院起付线", msg_id="901")))
        assert "再发送一次" in first
        fake_assistant.gate.set()
        c.app.state.wechat.wait_idle()
        again = reply_content(post_plain(c, incoming(Content="住院起付线", msg_id="902")))
    assert again == "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"
    assert len(fake_assistant.calls) == 1


# -- message types --------------------------------------------------------------------------------
def test_subscribe_welcome(client: TestClient) -> None:
    text = reply_content(post_plain(client, incoming("event", msg_id=None, Event="subscribe")))
    assert "医保政策助手" in text and "人工" in text and "身份证" in text


def test_unsubscribe_is_success(client: TestClient) -> None:
    r = post_plain(client, incoming("event", msg_id=None, Event="unsubscribe"))
    assert r.text == "success"


@pytest.mark.parametrize(
    "msg_type,fields",
    [("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m1"}), ("voice", {"MediaId": "m2", "Format": "amr"}),
     ("location", {"Label": "某地"}), ("event", {"Event": "CLICK", "EventKey": "k"})],
)
def test_unsupported_types_get_polite_text(client: TestClient, fake_assistant: FakeAssistant, msg_type: str,
                                           fields: dict[str, str]) -> None:
    assert reply_content(post_plain(client, incoming(msg_type, **fields))) == UNSUPPORTED_TEXT
    assert fake_assistant.calls == []


def test_voice_with_recognition_is_answered(client: TestClient, fake_assistant: FakeAssistant) -> None:
    text = reply_content(post_plain(client, incoming("voice", MediaId="m", Format="amr", Recognition="起付线多少")))
    assert text.startswith("二级医院起付线500元")
    assert fake_assistant.calls[0][0] == "起付线多少"


@pytest.mark.parametrize("message", ["人工", "转人工", "我要转人工！", "人工客服"])
def test_human_handoff_gives_hotline(client: TestClient, fake_assistant: FakeAssistant, message: str) -> None:
    assert "12393" in reply_content(post_plain(client, incoming(Content=message)))
    assert fake_assistant.calls == []


def test_human_handoff_transfer_reply(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    with build_client(tmp_path, fake_assistant, wechat_transfer_to_human=True) as c:
        r = post_plain(c, incoming(Content="转人工"))
    reply = xmltodict.parse(r.text)["xml"]
    assert reply["MsgType"] == "transfer_customer_service" and reply["ToUserName"] == OPENID


# -- hardening ------------------------------------------------------------------------------------
XXE = """<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"""
BILLION_LAUGHS = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>2</MsgId></xml>"""


@pytest.mark.parametrize("payload", [XXE, BILLION_LAUGHS, "<xml><Content>unclosed", "<notxml/>"])
def test_malicious_or_malformed_xml_rejected(client: TestClient, fake_assistant: FakeAssistant, payload: str) -> None:
    r = post_plain(client, payload)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_message"
    assert "passwd" not in r.text and "root:" not in r.text
    assert fake_assistant.calls == []


def test_malicious_xml_inside_safe_mode_rejected(client: TestClient, fake_assistant: FakeAssistant) -> None:
    crypto = ClientCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    params = signed_params(encrypt_type="aes")
    envelope = xmltodict.parse(crypto.encrypt_message(XXE, params["nonce"], params["timestamp"]))["xml"]
    body = f"<xml><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    r = post_plain(client, body, {**params, "msg_signature": envelope["MsgSignature"]})
    assert r.status_code == 400
    assert fake_assistant.calls == []


def test_body_size_capped(client: TestClient) -> None:
    r = post_plain(client, incoming(Content="长" * 40000))
    assert r.status_code == 413


def test_cdata_terminator_escaped_in_reply(client: TestClient) -> None:
    assert reply_content(post_plain(client, incoming(Content="cdata"))) == "a]]><b>&amp;"


def test_reply_fits_one_passive_message(client: TestClient) -> None:
    text = reply_content(post_plain(client, incoming(Content="long")))
    assert len(text.encode("utf-8")) <= 2048 and text.endswith("…")


def test_rate_limit_per_openid(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    with build_client(tmp_path, fake_assistant, wechat_rate_limit_messages=2) as c:
        texts = [reply_content(post_plain(c, incoming(Content=f"起付线{i}", msg_id=str(i)))) for i in range(3)]
        retry = reply_content(post_plain(c, incoming(Content="起付线0", msg_id="0")))  # a retry is not a new message
    assert texts[2] == RATE_LIMITED_TEXT
    assert retry == texts[0]
    assert len(fake_assistant.calls) == 2


def test_session_per_follower_kept_across_messages(client: TestClient, fake_assistant: FakeAssistant) -> None:
    post_plain(client, incoming(Content="住院报销多少", msg_id="1"))
    post_plain(client, incoming(Content="二级医院", msg_id="2"))
    assert fake_assistant.calls[0][1] == fake_assistant.calls[1][1]


# -- late answers against a fake WeChat API server on loopback (the real HTTP client, no mocks) ---
class FakeWeChatAPI:
    """Serves /cgi-bin/token and /cgi-bin/message/custom/send like api.weixin.qq.com does."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse

        self.token_requests: list[dict[str, list[str]]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []  # (access_token, body)
        self.expire_next_send = False
        self.tokens_issued = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlparse(self.path)
                assert url.path == "/cgi-bin/token"
                api.token_requests.append(parse_qs(url.query))
                api.tokens_issued += 1
                self._json({"access_token": f"TOKEN-{api.tokens_issued}", "expires_in": 7200})

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                assert url.path == "/cgi-bin/message/custom/send"
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                token = parse_qs(url.query)["access_token"][0]
                if api.expire_next_send:
                    api.expire_next_send = False
                    self._json({"errcode": 42001, "errmsg": "access_token expired"})
                    return
                api.sent.append((token, body))
                self._json({"errcode": 0, "errmsg": "ok"})

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeWeChatAPI:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_late_answers_pushed_to_a_fake_wechat_server(tmp_path: Path, fake_assistant: FakeAssistant) -> None:
    """Configured only by settings (base URL, AppID, AppSecret), with the service's own HTTP client:
    the token is fetched once and cached, an expired token is renewed and the send retried."""
    with FakeWeChatAPI() as wx, build_client(tmp_path, fake_assistant, wechat_reply_deadline_seconds=0.3,
                                             wechat_app_secret="app-secret", wechat_api_base=wx.base) as c:
        handler = c.app.state.wechat
        for n, msg_id in enumerate(["3001", "3002", "3003"]):
            fake_assistant.gate = threading.Event()
            wx.expire_next_send = n == 2
            r = post_plain(c, incoming(Content="住院起付线", msg_id=msg_id))
            assert r.status_code == 200 and r.text == "success"  # WeChat shows nothing; the push follows
            fake_assistant.gate.set()
            handler.wait_idle()
    assert len(wx.token_requests) == 2  # cached for the second answer, renewed after 42001
    assert wx.token_requests[0]["appid"] == [WECHAT_APP_ID] and wx.token_requests[0]["secret"] == ["app-secret"]
    assert [token for token, _ in wx.sent] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]
    expected = {"touser": OPENID, "msgtype": "text",
                "text": {"content": "二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法"}}
    assert [body for _, body in wx.sent] == [expected] * 3
    assert len(fake_assistant.calls) == 3


def test_late_answer_push_failure_is_logged_without_personal_data(tmp_path: Path, fake_assistant: FakeAssistant,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """An unreachable WeChat API must not break the webhook; the failure is logged, the OpenID is not."""
    with build_client(tmp_path, fake_assistant, wechat_reply_deadline_seconds=0.3, wechat_app_secret="app-secret",
                      wechat_api_base="http://127.0.0.1:9") as c:
        fake_assistant.gate = threading.Event()
        assert post_plain(c, incoming(Content="住院起付线", msg_id="3101")).text == "success"
        fake_assistant.gate.set()
        c.app.state.wechat.wait_idle()
        assert reply_content(post_plain(c, incoming(Content="你好 cdata", msg_id="3102")))  # still answering
    assert "late answer could not be delivered" in caplog.text
    assert OPENID not in caplog.text
