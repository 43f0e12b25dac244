"""Service settings, read from MEDPOLICY_* environment variables or a `.env` file.

Extends the knowledge base's settings so one object can be handed to the knowledge base, the
assistant and the service alike (the data directory and corpus are then configured once).
Every field is listed in docs/CONFIGURATION.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from knowledge_base.config import KBSettings


class ServiceSettings(KBSettings):
    # HTTP server (`medpolicy serve`)
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    # State: sessions, turns, feedback, audit log. None = <data_dir>/service.sqlite3
    db_path: Path | None = None
    # PostgreSQL (postgresql://user@host:port/db) for that state and the dialogue states instead
    # of SQLite: what several workers or hosts share. None = SQLite.
    database_url: str | None = None
    # Redis (redis://host:6379/0) for WeChat dedupe, nonces, late answers, the access token and
    # every rate limit, shared by all workers. None = kept in each process.
    redis_url: str | None = None
    # `medpolicy serve` processes (uvicorn workers); above 1 needs the URLs above to share state.
    workers: int = Field(1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] = "json"  # json: one object per line with the request id

    # Input limits
    max_message_chars: int = Field(500, ge=1)  # longest chat message accepted
    assistant_workers: int = Field(1, ge=1)  # threads answering; the assistant is CPU-bound Python

    # Admin operations (re-ingest, add documents): disabled while no key is set
    admin_api_key: str | None = None

    # Per-client-address limits (the `limits` library's notation; "" = no limit) and where the
    # counters live ("memory://" in this process; "redis://host:6379" shared by several workers).
    rate_limit_chat: str = "30/minute"
    rate_limit_feedback: str = "30/minute"
    rate_limit_admin_failures: str = "10/hour"  # failed X-API-Key attempts; beyond it 429, no audit row
    rate_limit_storage: str = "memory://"

    # Secret for WeChat session ids (HMAC of the OpenID). None = generated once and kept in
    # <data_dir>/session_secret. Changing it starts every WeChat follower on a new session.
    session_secret: str | None = None

    # WeChat Official Account webhook
    wechat_token: str | None = None  # the "Token" of the server configuration; None disables /wechat
    wechat_encoding_aes_key: str | None = None  # 43 characters; set = safe (encrypted) mode required
    # With an AES key, plain (unencrypted) messages are refused unless this is true: WeChat's
    # "compatible mode", meant only for the switch-over from plain to safe mode.
    wechat_compatible_mode: bool = False
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None  # with app_id: late answers go out as customer-service messages
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_deadline_seconds: float = Field(4.0, gt=0, lt=5)  # WeChat gives up after 5 s
    wechat_max_body_bytes: int = Field(64 * 1024, ge=1024)
    # Plain-mode signatures do not cover the body: refuse requests whose signed timestamp is stale,
    # so a captured signed URL cannot be reused later. 0 disables the check.
    wechat_max_timestamp_skew_seconds: int = Field(300, ge=0)
    wechat_rate_limit_messages: int = Field(10, ge=0)  # per OpenID per window; 0 = no limit
    wechat_rate_limit_window_seconds: float = Field(60.0, gt=0)
    wechat_dedupe_seconds: float = Field(60.0, gt=0)  # how long a MsgId's reply is kept for retries
    wechat_transfer_to_human: bool = False  # True: "人工" hands off to the WeChat customer-service desk
    hotline: str = "12393"  # offered when no human hand-off is configured

    @field_validator("rate_limit_chat", "rate_limit_feedback", "rate_limit_admin_failures")
    @classmethod
    def _limit_parses(cls, value: str) -> str:
        from limits import parse

        if value.strip():
            parse(value)  # ValueError names the bad string
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("MEDPOLICY_DATABASE_URL 须以 postgresql:// 开头（例如 postgresql://用户@主机:5432/库名）")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("MEDPOLICY_REDIS_URL 须以 redis://、rediss:// 或 unix:// 开头（例如 redis://127.0.0.1:6379/0）")
        return value or None

    @property
    def limits_storage_uri(self) -> str:
        """Where the per-address counters live: Redis when configured (unless a storage was set
        explicitly), so every worker counts together."""
        if self.redis_url and self.rate_limit_storage == "memory://":
            return self.redis_url
        return self.rate_limit_storage

    @property
    def service_db_path(self) -> Path:
        return self.db_path or (self.data_dir / "service.sqlite3")

    @property
    def wechat_enabled(self) -> bool:
        return bool(self.wechat_token)

    @property
    def wechat_can_push(self) -> bool:
        """Customer-service messages need the AppID and AppSecret to obtain an access token."""
        return bool(self.wechat_app_id and self.wechat_app_secret)
