"""Customer-service messages: how an answer that missed WeChat's 5-second window still arrives.

Fetches an access token with the AppID/AppSecret (cached until shortly before it expires) and
posts a text message to the follower. Synchronous, run off the request path in its own thread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import httpx

from api.shared_state import RedisTokenStore

log = logging.getLogger("medpolicy.wechat")
TOKEN_EXPIRED = {40001, 40014, 42001}


class CustomerServiceError(RuntimeError):
    pass


class CustomerServiceSender:
    def __init__(
        self,
        client: httpx.Client,
        app_id: str,
        app_secret: str,
        api_base: str = "https://api.weixin.qq.com",
        clock: Callable[[], float] = time.monotonic,
        token_store: RedisTokenStore | None = None,
    ) -> None:
        self._client = client
        self._app_id = app_id
        self._secret = app_secret
        self._base = api_base.rstrip("/")
        self._clock = clock
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()
        # With several workers the token lives in Redis: fetching a new one revokes the old, so
        # only one worker may fetch and all use its token.
        self._shared = token_store

    def _fetch(self) -> tuple[str, int]:
        """A new token and how long to use it (renewed five minutes early)."""
        r = self._client.get(
            f"{self._base}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self._app_id, "secret": self._secret},
            timeout=10,
        )
        data = r.json()
        if "access_token" not in data:
            raise CustomerServiceError(f"token request failed: errcode={data.get('errcode')}")
        return str(data["access_token"]), max(60, int(data.get("expires_in", 7200)) - 300)

    def access_token(self, refresh: bool = False) -> str:
        with self._lock:
            if self._shared is not None:
                self._token = self._shared.token(self._fetch, stale=self._token if refresh else None)
                return self._token
            if refresh or not self._token or self._clock() >= self._token_expires:
                self._token, valid = self._fetch()
                self._token_expires = self._clock() + valid
            return self._token

    def send_text(self, openid: str, content: str) -> None:
        payload = json.dumps(
            {"touser": openid, "msgtype": "text", "text": {"content": content}}, ensure_ascii=False
        ).encode("utf-8")  # unescaped UTF-8: WeChat shows \\uXXXX escapes literally
        for attempt in range(2):
            token = self.access_token(refresh=attempt > 0)
            r = self._client.post(
                f"{self._base}/cgi-bin/message/custom/send",
                params={"access_token": token},
                content=payload,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=10,
            )
            errcode = int(r.json().get("errcode", 0))
            if errcode == 0:
                return
            if errcode not in TOKEN_EXPIRED:
                raise CustomerServiceError(f"customer-service send failed: errcode={errcode}")
        raise CustomerServiceError("customer-service send failed after token refresh")
