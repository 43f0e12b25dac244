"""The FastAPI application factory.

`create_app(settings, assistant=…, kb=…, calculators=…, db=…)` — anything not passed is built
from the settings when first needed (and warmed up in the background at start), so tests can run
the same app with fakes or with the real stack.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.abuse import ClientLimits
from api.bodylimit import BodySizeLimit
from api.db import ServiceDatabase
from api.deps import AssistantPort, CalculatorsPort, KnowledgeBasePort, Services
from api.errors import install_error_handlers
from api.heap import settle_heap
from api.observability import ObservabilityMiddleware, configure_logging
from api.routes import admin, calc, chat, feedback, health, metrics, pages, rules, search
from api.routes import wechat as wechat_routes
from api.settings import ServiceSettings
from api.wechat.handler import WeChatHandler

MAX_API_BODY_BYTES = 1024 * 1024
MAX_ADMIN_BODY_BYTES = 8 * 1024 * 1024  # several policy documents in one upload


def body_limits(settings: ServiceSettings) -> Callable[[str], int]:
    """The one body-size cap, per path: WeChat's configured limit on /wechat, more for admin
    uploads, 1 MiB elsewhere. Enforced by `BodySizeLimit` before any route reads the body."""

    def limit_for(path: str) -> int:
        if path == "/wechat":
            return settings.wechat_max_body_bytes
        return MAX_ADMIN_BODY_BYTES if path.startswith("/api/admin/") else MAX_API_BODY_BYTES

    return limit_for


def _warm_up_and_settle(services: Services) -> None:
    """The background warm-up of a served app, then the warmed heap frozen (`api.heap`)."""
    services.warm_up()
    settle_heap()


DESCRIPTION = """医保政策助手的 JSON API：问答（每个回答都引用条款）、条款检索、报销与缴费测算、评价。
错误统一为 `{"error": {"code", "message", "field"?}}`。"""


def create_app(
    settings: ServiceSettings | None = None,
    *,
    assistant: AssistantPort | None = None,
    kb: KnowledgeBasePort | None = None,
    calculators: CalculatorsPort | None = None,
    db: ServiceDatabase | None = None,
    http_client: httpx.Client | None = None,
    clock: Callable[[], float] | None = None,
    warm_up: bool = True,
    freeze_heap: bool = False,
) -> FastAPI:
    settings = settings or ServiceSettings()
    services = Services(settings, assistant=assistant, kb=kb, calculators=calculators, db=db)
    handler = WeChatHandler(services, http_client=http_client, clock=clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            # `medpolicy serve` also freezes the warmed heap (`settle_heap`); tests do not need it.
            target = functools.partial(_warm_up_and_settle, services) if freeze_heap else services.warm_up
            threading.Thread(target=target, name="warm-up", daemon=True).start()
        try:
            yield
        finally:
            await handler.aclose()
            services.close()

    app = FastAPI(
        title="医保政策助手 medpolicy",
        description=DESCRIPTION,
        version="0.1.0",
        docs_url=None,  # served by pages.mount_static_and_docs from local assets
        redoc_url=None,
        lifespan=lifespan,
        # No trailing-slash redirects: Starlette builds their Location from the Host header,
        # which the client controls. "/api/chat/" is a 404 instead.
        redirect_slashes=False,
    )
    app.state.services = services
    app.state.wechat = handler
    app.state.limits = ClientLimits(settings)
    install_error_handlers(app)

    app.add_middleware(BodySizeLimit, limit_for=body_limits(settings))
    app.add_middleware(ObservabilityMiddleware)  # outermost: times and counts every response

    for module in (chat, search, calc, feedback, health, metrics, admin, rules, wechat_routes, pages):
        app.include_router(module.router)
    pages.mount_static_and_docs(app)
    return app


def create_service_app() -> FastAPI:
    """The factory `medpolicy serve` hands to uvicorn (`api.app:create_service_app`): each worker
    process builds its app from the environment and sets up its own logging (JSON lines, personal
    data masked) — spawned workers do not inherit the parent's logging configuration."""
    settings = ServiceSettings()
    configure_logging(settings.log_level, json_lines=settings.log_format == "json")
    return create_app(settings, freeze_heap=True)
