"""The real assistant stack (knowledge base over the bundled corpus, the calculators' rule sets, the
NLU), one per test module so each module's sessions start empty."""

from __future__ import annotations

import pytest

from assistant.session_store import InMemorySessionStore


@pytest.fixture(scope="module")
def assistant(kb):
    from assistant.estimate_bridge import CalculatorPort
    from assistant.service import Assistant

    port = CalculatorPort.default()
    return Assistant(kb, port, InMemorySessionStore(), calculators=port)
