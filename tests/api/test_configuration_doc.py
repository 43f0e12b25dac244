"""The README and docs/CONFIGURATION.md must list every setting the program reads, with its
real default (a stale default in the docs misleads an operator as much as a missing one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from api.settings import ServiceSettings
from assistant.llm import LLMSettings

ROOT = Path(__file__).resolve().parents[2]
DOCS = {"README.md": ROOT / "README.md", "docs/CONFIGURATION.md": ROOT / "docs" / "CONFIGURATION.md"}
SETTINGS: list[type[BaseSettings]] = [ServiceSettings, LLMSettings]  # ServiceSettings extends KBSettings


def variables() -> dict[str, object]:
    """MEDPOLICY_* name -> default, for every field of every settings class."""
    out: dict[str, object] = {}
    for cls in SETTINGS:
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        for name, info in cls.model_fields.items():
            out[f"{prefix}{name.upper()}"] = info.default
    return out


def table_row(text: str, variable: str) -> str:
    """The table line that names `variable` (a row may name two related variables)."""
    for line in text.splitlines():
        if line.startswith("|") and f"`{variable}`" in line:
            return line
    return ""


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_every_setting_is_listed(doc: str) -> None:
    text = DOCS[doc].read_text(encoding="utf-8")
    missing = [name for name in variables() if not table_row(text, name)]
    assert missing == []


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_listed_defaults_are_the_real_ones(doc: str) -> None:
    text = DOCS[doc].read_text(encoding="utf-8")
    wrong = []
    for name, default in variables().items():
        if isinstance(default, bool):
            shown = {str(default).lower()}
        elif isinstance(default, float) and default.is_integer():
            shown = {str(default), str(int(default))}  # 60.0 may be written 60
        elif isinstance(default, int | float | str):
            shown = {str(default)}
        else:
            continue  # unset, paths and lists are shown symbolically (<project>/var)
        row = table_row(text, name)
        if not any(re.search(rf"`{re.escape(s)}`", row) for s in shown):
            wrong.append((name, sorted(shown)))
    assert wrong == []
