"""Service fixtures: the app built by create_app with fakes (fast) and a temporary database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings
from api_fakes import FakeAssistant, FakeCalculators, FakeKB

WECHAT_TOKEN = "medpolicytoken"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
WECHAT_APP_ID = "wx1234567890abcdef"


def make_settings(tmp_path: Path, **overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "db_path": tmp_path / "service.sqlite3",
        "wechat_token": WECHAT_TOKEN,
        "wechat_encoding_aes_key": WECHAT_AES_KEY,
        "wechat_app_id": WECHAT_APP_ID,
        "_env_file": None,
    }
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]


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
