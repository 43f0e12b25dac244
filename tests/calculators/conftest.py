from __future__ import annotations

from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def worked() -> dict:
    return yaml.safe_load((HERE / "worked_examples.yaml").read_text(encoding="utf-8"))


def load_worked() -> dict:
    return yaml.safe_load((HERE / "worked_examples.yaml").read_text(encoding="utf-8"))
