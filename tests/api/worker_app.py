"""An app factory for the multi-worker tests: the real service (settings from MEDPOLICY_* in the
environment, so PostgreSQL/Redis as configured) around the fake assistant, KB and calculators.

Run as `uvicorn worker_app:create --factory`; MEDPOLICY_TEST_FAKE_DELAY (seconds) makes every
answer slow, to put WeChat's reply deadline and retries in play.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import FastAPI

from api.app import create_app
from api.settings import ServiceSettings
from api_fakes import FakeAssistant, FakeCalculators, FakeKB


class SlowAssistant(FakeAssistant):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def ask(self, message: str, session_id: str | None = None, channel: str = "web") -> Any:
        time.sleep(self.delay)
        return super().ask(message, session_id, channel)


def create() -> FastAPI:
    delay = float(os.environ.get("MEDPOLICY_TEST_FAKE_DELAY", "0"))
    return create_app(ServiceSettings(), assistant=SlowAssistant(delay), kb=FakeKB(), calculators=FakeCalculators())
