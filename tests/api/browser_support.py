"""What the real-browser tests share: Debian's chromium driven by Playwright against the app served
by uvicorn on a loopback port, pages that fail the test on a script error, a 5xx or any request
leaving the app (offline check), and screenshots in test-artifacts/. The fixtures are re-exported
by tests/api/conftest.py."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api_fakes import FakeAssistant, FakeCalculators, FakeKB
from api_fakes import make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no chromium browser on this machine (bash scripts/test installs Debian's chromium "
        "with apt-get when run as root)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving `app` on a free loopback port in a background thread."""

    def __init__(self, app: Any, assistant: FakeAssistant | None = None) -> None:
        import uvicorn

        self.assistant = assistant
        self.app = app
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    assistant = FakeAssistant()
    app = create_app(make_settings(tmp_path_factory.mktemp("live")), assistant=assistant, kb=FakeKB(),
                     calculators=FakeCalculators(), warm_up=False)
    with LiveServer(app, assistant) as server:
        yield server


@pytest.fixture(scope="module")
def live_real(kb: Any, kb_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real stack (knowledge base from the bundled corpus, rule sets, assistant)."""
    settings = make_settings(tmp_path_factory.mktemp("live-real"), data_dir=kb_settings.data_dir,
                             corpus_dirs=kb_settings.corpus_dirs)
    app = create_app(settings, warm_up=False)
    app.state.services.warm_up()
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page_factory(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    live: LiveServer = request.getfixturevalue("live_real" if "real" in request.node.name else "live")
    contexts: list[Any] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = PHONE) -> Any:
        ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Offline check: anything not served by the app itself would be a CDN dependency.
        page.on("request", lambda req: errors.append(f"external request {req.url}")
                if not req.url.startswith(live.url) and not req.url.startswith("data:") else None)
        page.on("response", lambda resp: errors.append(f"{resp.status} {resp.url}") if resp.status >= 500 else None)
        page.set_default_timeout(10_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert errors == []


def shot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
