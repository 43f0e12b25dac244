"""docs/CONFIGURATION.md must list every setting the service reads."""

from __future__ import annotations

from pathlib import Path

from api.settings import ServiceSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFIGURATION.md"


def test_every_service_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in ServiceSettings.model_fields if f"`MEDPOLICY_{name.upper()}`" not in text]
    assert missing == []
