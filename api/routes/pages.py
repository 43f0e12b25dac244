"""The web pages (citizen chat, front-desk estimator, operator console) and offline API docs.

Everything is served from the package: no CDN, so the pages and /docs work without internet.
The pages get a strict Content-Security-Policy (scripts and styles only from this origin).
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=16)
def _render(name: str, hotline: str) -> str:
    """The page with its settings filled in (only the hotline today), HTML-escaped."""
    return (WEB_DIR / name).read_text(encoding="utf-8").replace("{{HOTLINE}}", html.escape(hotline))


def _page(name: str, request: Request) -> HTMLResponse:
    hotline = request.app.state.services.settings.hotline
    return HTMLResponse(_render(name, hotline), headers=PAGE_HEADERS)


@router.get("/")
async def chat_page(request: Request) -> HTMLResponse:
    return _page("index.html", request)


@router.get("/estimate")
async def estimate_page(request: Request) -> HTMLResponse:
    return _page("estimate.html", request)


@router.get("/console")
async def console_page(request: Request) -> HTMLResponse:
    return _page("console.html", request)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links: the same SVG (no 404 in the log)."""
    return FileResponse(WEB_DIR / "static" / "img" / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/rules")
async def rules_page(request: Request) -> HTMLResponse:
    """Rule-set review for operators; the page itself is static, its API calls need the admin key."""
    return _page("rules.html", request)


def mount_static_and_docs(app: FastAPI) -> None:
    """Static assets, plus Swagger UI from the locally installed swagger-ui-bundle."""
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # docs degrade to the raw schema rather than reaching for a CDN
        swagger_ui_path = None
    if swagger_ui_path:
        app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if not swagger_ui_path:
            return HTMLResponse('<p>API 文档：<a href="/openapi.json">/openapi.json</a></p>')
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="医保政策助手 API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
