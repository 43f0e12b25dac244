"""The served app's frozen heap (`api.heap`) and rate-limit counting on the event loop (`api.abuse`)."""

from __future__ import annotations

import asyncio
import gc
import threading

from api.abuse import ClientLimits, count_hit
from api.heap import resettle_heap, settle_heap
from api.settings import ServiceSettings


def test_settle_heap_freezes_and_resettle_only_after_a_freeze() -> None:
    gc.unfreeze()
    try:
        resettle_heap()  # nothing frozen (tests, the CLI): nothing happens
        assert gc.get_freeze_count() == 0
        settle_heap()
        assert gc.get_freeze_count() > 0
        resettle_heap()  # a replaced library: unfrozen, collected, frozen again with what lives now
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_in_process_counters_are_counted_on_the_event_loop() -> None:
    limits = ClientLimits(ServiceSettings(rate_limit_chat="2/minute"))
    assert limits.in_process
    threads: list[str] = []
    hit = limits.hit

    def recording_hit(name: str, client: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return hit(name, client)

    limits.hit = recording_hit  # type: ignore[method-assign]

    async def three() -> list[bool]:
        return [(await count_hit(limits, "chat", "10.0.0.1")).allowed for _ in range(3)]

    assert asyncio.run(three()) == [True, True, False]
    assert threads == [threading.main_thread().name] * 3
