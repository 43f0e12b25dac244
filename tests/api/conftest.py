"""Service fixtures: the app built by create_app with fakes (fast) and a temporary database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings
from api_fakes import FakeAssistant, FakeCalculators, FakeKB, make_settings
from browser_support import browser, live, live_real, page_factory  # noqa: F401  (fixtures of the browser tests)

@pytest.fixture
def fake_assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def fake_kb() -> FakeKB:
    return FakeKB()


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    return make_settings(tmp_path, admin_api_key="s3cret-admin-key")


@pytest.fixture
def client(settings: ServiceSettings, fake_assistant: FakeAssistant, fake_kb: FakeKB) -> Iterator[TestClient]:
    app = create_app(settings, assistant=fake_assistant, kb=fake_kb, calculators=FakeCalculators(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def backing() -> Iterator[object]:
    """Real PostgreSQL + Redis (see tests/api/backing.py); skipped where neither can be had."""
    from backing import backing_services

    with backing_services() as found:
        if found is None:
            pytest.skip("PostgreSQL/Redis not installed (bash scripts/test installs and starts them)")
        yield found
