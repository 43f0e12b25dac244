"""What the bot does with each WeChat message.

Order of checks for a POST: server signature and timestamp (before the body is read) → body cap
(route) → replay check of (timestamp, nonce) against the body → strict safe mode (with an AES key
only encrypted messages, unless compatible mode is configured) → safe-mode envelope: parse,
msg_signature, decrypt → parse the message → dedupe by (FromUserName, MsgId), or (FromUserName,
CreateTime) for events → rate limit per OpenID → dispatch by type. Every per-message structure
(dedupe map, late answers, limiter, nonce cache) is pruned from its oldest end, so a message costs
the same however many followers are active.

WeChat waits 5 s for a passive reply and retries the same MsgId up to three times. Each message is
answered once: the first delivery starts the answer in the assistant's worker pool and every
delivery of that MsgId waits on the same result. If it is not ready by the deadline the reply is
`success` and the answer goes out as a customer-service message when credentials are configured;
without credentials the follower is told to send the question again, and the late answer is kept
so that a resend is answered at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from collections import OrderedDict
from dataclasses import dataclass, field

import httpx

from api.deps import Services
from api.errors import ApiError
from api.observability import in_context
from api.pii import mask_pii
from api.ratelimit import RateLimiter
from api.sessions import wechat_session_id
from api.turns import is_refusal, run_turn
from api.wechat import xml as wxml
from api.wechat.crypto import WeChatCrypto, WeChatCryptoError, sha1_signature, signature_matches
from api.wechat.replay import DEFAULT_WINDOW_SECONDS, NonceCache
from api.wechat.sender import CustomerServiceSender
from api import shared_state as shared
from api.shared_state import RedisMessageLedger, RedisNonceCache, RedisTokenStore, SharedRateLimiter
from starlette.concurrency import run_in_threadpool

log = logging.getLogger("medpolicy.wechat")

WECHAT_MAX_BYTES = 2048
LATE_ANSWER_SECONDS = 600  # how long an answer that missed the reply window waits for a resend
HUMAN_KEYWORDS = ("转人工", "人工客服", "人工服务", "找人工", "要人工", "真人客服")


def welcome_text(hotline: str) -> str:
    return (
        "您好！我是医保政策助手，可以帮您：\n"
        "1. 查政策：如“住院起付线是多少”\n"
        "2. 算报销：如“二级医院住院花了2万能报多少”\n"
        "3. 问缴费：如“今年居民医保个人交多少”\n"
        "回答都注明政策出处，仅供参考，以当地医保部门核定为准。\n"
        f"需要人工服务请回复“人工”，或拨打 {hotline}。请勿发送身份证号等个人信息。"
    )


UNSUPPORTED_TEXT = "抱歉，目前只能处理文字消息。请用文字描述您的问题，例如“住院能报销多少”。"
RATE_LIMITED_TEXT = "您发送得太快了，请稍等一分钟再提问。"
EMPTY_TEXT = "请用文字描述您的医保问题，例如“门诊能报多少”。"
PII_NOTE = "（已隐去您消息中的证件号、电话或卡号。咨询政策无需提供个人信息。）\n"


def human_text(hotline: str) -> str:
    return f"如需人工服务，请拨打医保服务热线 {hotline}，或前往当地医保经办机构咨询。"


def too_long_text(limit: int) -> str:
    return f"消息过长（最多 {limit} 字），请简要描述您的问题。"


def timeout_text() -> str:
    return "您的问题还在查询中，请过几秒再发送一次同样的问题，我会立即回复结果。"


def wants_human(text: str) -> bool:
    t = text.strip().rstrip("!！。.?？ ")
    return t == "人工" or any(k in t for k in HUMAN_KEYWORDS)


def fit_wechat(text: str, limit: int = WECHAT_MAX_BYTES) -> str:
    """Cut to WeChat's passive-reply limit on a character boundary (the assistant already aims to fit)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    return cut + "…"


@dataclass
class Reply:
    kind: str  # "text" | "transfer" | "success"
    content: str = ""


@dataclass
class _Pending:
    future: Future[Reply]
    created: float
    openid: str
    question: str = ""
    late: bool = False  # the deadline passed before the answer was ready
    delivered: bool = field(default=False)


class WeChatHandler:
    def __init__(
        self,
        services: Services,
        *,
        http_client: httpx.Client | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        s = self.settings
        self._clock = clock or time.monotonic
        self.crypto = (
            WeChatCrypto(s.wechat_token or "", s.wechat_encoding_aes_key, s.wechat_app_id or "")
            if s.wechat_enabled and s.wechat_encoding_aes_key
            else None
        )
        self.limiter: RateLimiter | SharedRateLimiter = RateLimiter(
            s.wechat_rate_limit_messages, s.wechat_rate_limit_window_seconds, self._clock
        )
        self._pending: OrderedDict[tuple[str, ...], _Pending] = OrderedDict()  # oldest first
        self._late_answers: OrderedDict[str, tuple[str, str, float]] = OrderedDict()  # openid -> (question, answer, at)
        skew = s.wechat_max_timestamp_skew_seconds
        # A timestamp is accepted for ±skew, so a pair must be remembered for 2×skew from first sight.
        nonce_window = 2 * skew if skew else DEFAULT_WINDOW_SECONDS
        self.nonces: NonceCache | RedisNonceCache = NonceCache(nonce_window, self._clock)
        # Several workers: dedupe, nonces, per-OpenID limits, late answers and the access token
        # in Redis (api/shared_state.py), so a retry reaching another worker is still one message.
        self.ledger: RedisMessageLedger | None = None
        token_store = None
        if s.redis_url:
            client = shared.connect(s.redis_url)
            self.nonces = RedisNonceCache(client, nonce_window)
            self.limiter = SharedRateLimiter(s.redis_url, s.wechat_rate_limit_messages, s.wechat_rate_limit_window_seconds)
            self.ledger = RedisMessageLedger(client, s.wechat_dedupe_seconds, LATE_ANSWER_SECONDS)
            token_store = RedisTokenStore(client, s.wechat_app_id or "")
        self._lock = threading.RLock()  # re-entrant: a done-callback may run inside _start
        self.sender = (
            CustomerServiceSender(http_client or httpx.Client(), s.wechat_app_id or "", s.wechat_app_secret or "",
                                  s.wechat_api_base, token_store=token_store)
            if s.wechat_can_push
            else None
        )
        self._push_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wechat-push")

    @property
    def enabled(self) -> bool:
        return self.settings.wechat_enabled

    async def aclose(self) -> None:
        self._push_pool.shutdown(wait=False, cancel_futures=False)

    # -- signatures -------------------------------------------------------------
    def check_signature(self, params: dict[str, str]) -> None:
        expected = sha1_signature(self.settings.wechat_token or "", params.get("timestamp", ""), params.get("nonce", ""))
        if not signature_matches(expected, params.get("signature")):
            raise ApiError(403, "bad_signature", "签名校验失败。")
        skew = self.settings.wechat_max_timestamp_skew_seconds
        timestamp = params.get("timestamp", "")
        if skew and (not timestamp.isdigit() or abs(time.time() - int(timestamp)) > skew):
            raise ApiError(403, "stale_request", "请求时间戳无效或已过期。")

    def verify_server(self, params: dict[str, str]) -> str:
        """GET /wechat: the server-configuration check; echo `echostr` when the signature is right."""
        self.check_signature(params)
        return params.get("echostr", "")

    # -- request handling --------------------------------------------------------
    def check_replay(self, params: dict[str, str], body: bytes) -> None:
        """Refuse a signed (timestamp, nonce) seen before with a different body."""
        if not self.nonces.accept(params.get("timestamp", ""), params.get("nonce", ""), body):
            raise ApiError(403, "replayed_request", "该签名已用于另一条消息，请求被拒绝（疑似重放）。")

    def check_mode(self, encrypted: bool) -> None:
        """With an AES key only encrypted messages are accepted (strict safe mode), unless
        compatible mode is configured explicitly."""
        if self.crypto is not None and not encrypted and not self.settings.wechat_compatible_mode:
            raise ApiError(403, "encryption_required", "已启用安全模式：只接受加密消息（encrypt_type=aes）。")

    async def handle(self, params: dict[str, str], body: bytes) -> str | None:
        """Return the reply XML, or None for WeChat's plain `success`."""
        started = self._clock()
        self.check_replay(params, body)
        encrypted = params.get("encrypt_type", "raw").lower() == "aes"
        self.check_mode(encrypted)
        try:
            inner = self._open_envelope(params, body) if encrypted else body
            msg = wxml.parse_message(inner)
        except (wxml.WeChatXmlError, WeChatCryptoError) as exc:
            log.warning("rejected WeChat message: %s", exc)
            raise ApiError(400, "bad_message", "消息格式无效。") from exc
        reply = await self._dispatch(msg, started)
        if reply.kind == "success":
            return None
        xml = self._render(msg, reply)
        return self._seal(xml, params) if encrypted else xml

    def _open_envelope(self, params: dict[str, str], body: bytes) -> bytes:
        if self.crypto is None:
            raise WeChatCryptoError("safe mode requested but no EncodingAESKey configured")
        envelope = wxml.parse_message(body)
        encrypted = envelope.get("Encrypt", "")
        expected = self.crypto.msg_signature(params.get("timestamp", ""), params.get("nonce", ""), encrypted)
        if not signature_matches(expected, params.get("msg_signature")):
            raise ApiError(403, "bad_signature", "消息签名校验失败。")
        return self.crypto.decrypt(encrypted)

    def _seal(self, xml: str, params: dict[str, str]) -> str:
        assert self.crypto is not None
        timestamp, nonce = str(int(time.time())), params.get("nonce", "") or hashlib.sha1(xml.encode()).hexdigest()[:10]
        encrypted = self.crypto.encrypt(xml)
        return wxml.encrypted_envelope(encrypted, self.crypto.msg_signature(timestamp, nonce, encrypted), timestamp, nonce)

    @staticmethod
    def _render(msg: dict[str, str], reply: Reply) -> str:
        to_user, from_user, now = msg.get("FromUserName", ""), msg.get("ToUserName", ""), int(time.time())
        if reply.kind == "transfer":
            return wxml.transfer_reply(to_user, from_user, now)
        return wxml.text_reply(to_user, from_user, fit_wechat(reply.content), now)

    # -- dispatch ---------------------------------------------------------------
    async def _dispatch(self, msg: dict[str, str], started: float) -> Reply:
        if self.ledger is not None:
            return await run_in_threadpool(self._dispatch_shared, self.ledger, msg, started)
        openid = msg.get("FromUserName", "")
        key = self.dedupe_key(msg)
        with self._lock:
            self._prune()
            pending = self._pending.get(key)
            if pending is None:
                if not self.limiter.allow(openid or "anonymous"):
                    return Reply("text", RATE_LIMITED_TEXT)
                pending = self._start(msg, openid)
                self._pending[key] = pending
        return await self._await(pending, started)

    @staticmethod
    def dedupe_key(msg: dict[str, str]) -> tuple[str, ...]:
        """What makes a delivery a retry of an earlier one: the same sender and MsgId (a MsgId is
        unique per sender only), or for events, which have none, the same sender and CreateTime."""
        openid = msg.get("FromUserName", "")
        if msg.get("MsgId"):
            return ("msg", openid, msg["MsgId"])
        return ("event", openid, msg.get("CreateTime", ""), msg.get("MsgType", ""), msg.get("Event", ""))

    def _start(self, msg: dict[str, str], openid: str) -> _Pending:
        """Decide the reply for a new message; only questions need the worker pool."""
        immediate = self._immediate_reply(msg)
        now = self._clock()
        if immediate is not None:
            done: Future[Reply] = Future()
            done.set_result(immediate)
            return _Pending(done, now, openid)
        question = self._question(msg)
        late = self._take_late_answer(openid, question)
        if late is not None:
            done = Future()
            done.set_result(Reply("text", late))
            return _Pending(done, now, openid, question)
        future = self.services.executor.submit(in_context(self._answer, question, openid))
        pending = _Pending(future, now, openid, question)
        future.add_done_callback(lambda _f: self._on_done(pending))
        return pending

    def _immediate_reply(self, msg: dict[str, str]) -> Reply | None:
        kind = msg.get("MsgType", "")
        hotline = self.settings.hotline
        if kind == "event":
            event = msg.get("Event", "").lower()
            if event == "subscribe":
                return Reply("text", welcome_text(hotline))
            if event == "unsubscribe":
                return Reply("success")
            return Reply("text", UNSUPPORTED_TEXT)
        if kind == "voice" and msg.get("Recognition"):
            return None  # WeChat's own speech recognition gave us text: answer it
        if kind != "text":
            return Reply("text", UNSUPPORTED_TEXT)
        text = msg.get("Content", "").strip()
        if not text:
            return Reply("text", EMPTY_TEXT)
        if len(text) > self.settings.max_message_chars:
            return Reply("text", too_long_text(self.settings.max_message_chars))
        if wants_human(text):
            if self.settings.wechat_transfer_to_human:
                return Reply("transfer")
            return Reply("text", human_text(hotline))
        return None

    @staticmethod
    def _question(msg: dict[str, str]) -> str:
        text = msg.get("Content") if msg.get("MsgType") == "text" else msg.get("Recognition")
        return (text or "").strip()

    def session_id(self, openid: str) -> str:
        """A stable session per follower: an HMAC of the OpenID under the server secret, so it
        neither reveals the OpenID nor can be computed from it by anyone else."""
        return wechat_session_id(self.services.session_secret, openid)

    def _answer(self, question: str, openid: str) -> Reply:
        try:
            turn = run_turn(self.services, question, self.session_id(openid), "wechat")
        except ValueError as exc:
            if not is_refusal(exc):
                log.exception("assistant failed on a WeChat message")
                return Reply("text", f"抱歉，暂时无法回答，请稍后再试，或拨打 {self.settings.hotline}。")
            return Reply("text", str(exc))  # the assistant refuses the message and says why, in Chinese
        except Exception:
            log.exception("assistant failed on a WeChat message")
            return Reply("text", f"抱歉，暂时无法回答，请稍后再试，或拨打 {self.settings.hotline}。")
        text = turn.reply.wechat_text or turn.reply.answer
        return Reply("text", PII_NOTE + text if turn.pii_masked else text)

    async def _await(self, pending: _Pending, started: float) -> Reply:
        remaining = self.settings.wechat_reply_deadline_seconds - (self._clock() - started)
        if not pending.future.done() and remaining > 0:
            wrapped = asyncio.wrap_future(pending.future)
            await asyncio.wait([wrapped], timeout=remaining)  # never cancels the shared future
        with self._lock:
            if pending.future.done() and not pending.late:
                return pending.future.result()
            first_miss = not pending.late
            pending.late = True
            if pending.future.done() and not pending.delivered:
                # Finished between the deadline and now, before any push: answer passively.
                pending.delivered = True
                return pending.future.result()
        if self.sender is not None or not first_miss:
            return Reply("success")
        return Reply("text", timeout_text())

    def _on_done(self, pending: _Pending) -> None:
        """Runs when an answer finishes; delivers it if the passive reply window was missed."""
        with self._lock:
            if not pending.late or pending.delivered:
                return
            pending.delivered = True
        reply = pending.future.result()
        if reply.kind != "text":
            return
        if self.sender is not None:
            self._push_pool.submit(self._push, pending.openid, fit_wechat(reply.content))
        else:
            with self._lock:
                self._late_answers.pop(pending.openid, None)
                self._late_answers[pending.openid] = (pending.question, reply.content, self._clock())

    def _push(self, openid: str, content: str) -> None:
        assert self.sender is not None
        try:
            self.sender.send_text(openid, content)
        except Exception as exc:  # logged without the content or the OpenID
            log.warning("late answer could not be delivered: %s", mask_pii(str(exc)))

    def _take_late_answer(self, openid: str, question: str) -> str | None:
        with self._lock:
            kept = self._late_answers.get(openid)
            if kept and kept[0] == question and self._clock() - kept[2] <= LATE_ANSWER_SECONDS:
                del self._late_answers[openid]
                return kept[1]
        return None

    def _prune(self) -> None:
        """Forget messages older than the retry window, and late answers nobody came back for
        (caller holds the lock). Both maps are in arrival order, so only expired entries at the
        front are touched; an answer still running stops the sweep until it finishes."""
        now = self._clock()
        horizon = now - self.settings.wechat_dedupe_seconds
        while self._pending:
            key, pending = next(iter(self._pending.items()))
            if pending.created >= horizon or not pending.future.done():
                break
            del self._pending[key]
        while self._late_answers:
            openid, (_, _, at) = next(iter(self._late_answers.items()))
            if now - at <= LATE_ANSWER_SECONDS:
                break
            del self._late_answers[openid]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until pending answers and pushes finish (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        for p in list(self._pending.values()):
            p.future.result(timeout=max(0.0, deadline - time.monotonic()))
        self._push_pool.submit(lambda: None).result(timeout=max(0.0, deadline - time.monotonic()))

    # -- several workers (Redis) ------------------------------------------------
    def _dispatch_shared(self, ledger: RedisMessageLedger, msg: dict[str, str], started: float) -> Reply:
        """The same protocol as the in-process path, with the future map in Redis: one delivery
        of a message (in any worker) claims and answers it; every delivery polls for its reply."""
        openid = msg.get("FromUserName", "")
        key = shared.digest_key("msg", *self.dedupe_key(msg))
        if ledger.claim(key):
            immediate = None
            if not self.limiter.allow(openid or "anonymous"):
                immediate = Reply("text", RATE_LIMITED_TEXT)
            else:
                immediate = self._immediate_reply(msg)
            if immediate is None:
                question = self._question(msg)
                late = ledger.take_late_answer(openid, question)
                if late is not None:
                    immediate = Reply("text", late)
                else:
                    self.services.executor.submit(in_context(self._answer_shared, ledger, key, question, openid))
            if immediate is not None:
                ledger.publish(key, immediate.kind, immediate.content)
                return immediate
        return self._await_shared(ledger, key, started)

    def _answer_shared(self, ledger: RedisMessageLedger, key: str, question: str, openid: str) -> None:
        reply = self._answer(question, openid)
        ledger.publish(key, reply.kind, reply.content)
        # Published before looking at the late flag, and waiters set the flag before looking at
        # the reply: whichever comes second delivers it, exactly once (claim_delivery).
        if ledger.is_late(key) and reply.kind == "text" and ledger.claim_delivery(key):
            if self.sender is not None:
                self._push_pool.submit(self._push, openid, fit_wechat(reply.content))
            else:
                ledger.keep_late_answer(openid, question, reply.content)

    def _await_shared(self, ledger: RedisMessageLedger, key: str, started: float) -> Reply:
        deadline = started + self.settings.wechat_reply_deadline_seconds
        while self._clock() < deadline:
            found = ledger.result(key)
            if found is not None:
                if not ledger.is_late(key):
                    return Reply(*found)
                break
            time.sleep(0.02)
        first_miss = ledger.mark_late(key)
        found = ledger.result(key)
        if found is not None and ledger.claim_delivery(key):
            return Reply(*found)  # finished just now, before any push: answer passively
        if self.sender is not None or not first_miss:
            return Reply("success")
        return Reply("text", timeout_text())
