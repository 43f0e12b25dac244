"""Where a /api/chat lookup's CPU goes in the service, beyond the assistant turn itself.

    python benchmarks/profile_service.py [--rounds 15] [--warmup 3] [--top 30] [--profile] [--no-freeze]

The app as `medpolicy serve` builds it (real knowledge base from MEDPOLICY_DATA_DIR, a throw-away
service database and dialogue-state file, rate limits off), the bench_ratio lookups in turn, a new
session each; after warm-up the heap is frozen as a served app's is (`api.heap.settle_heap`;
--no-freeze skips it, e.g. to measure code that predates it). Wall-clock time is noise on a shared machine, so process CPU time is reported:
1. the steps of a turn in this thread — PII masking, `Assistant.ask`, `record_turn`, the reply
   metrics, `render_web`, `to_jsonable_python`, `JSONResponse`;
2. the whole ASGI app in process (middleware, validation, thread pool, response) through httpx's
   ASGI transport, next to `benchmarks/hello_app.py` driven the same way;
3. with --profile, cProfile of steps 1 over the same lookups (top functions by own time).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from bench_ratio import LOOKUPS  # noqa: E402


def cpu_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.process_time()
    out = fn()
    return (time.process_time() - t) * 1000, out


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"p50 {ordered[len(ordered) // 2]:6.2f}  p95 {ordered[round(0.95 * (len(ordered) - 1))]:6.2f}  "
            f"mean {statistics.fmean(values):6.2f}")


def steps(services: Any, message: str, session_id: str) -> dict[str, float]:
    """CPU ms of each step `run_turn` and the chat route do for one message, in this thread."""
    from fastapi.responses import JSONResponse
    from pydantic_core import to_jsonable_python

    from api.observability import count_reply
    from api.pii import mask_pii
    from assistant.render import render_web

    out: dict[str, float] = {}
    out["mask_pii"], masked = cpu_ms(lambda: mask_pii(message.strip()))
    out["assistant.ask"], reply = cpu_ms(lambda: services.assistant.ask(masked, session_id=session_id, channel="web"))
    out["db.record_turn"], turn_id = cpu_ms(lambda: services.db.record_turn(
        session_id=reply.session_id, channel="web", message=masked, answer=reply.answer, intent=reply.intent,
        citations=[c.chunk_id for c in reply.citations], grounded=reply.grounded, latency_ms=1.0))
    out["count_reply"], _ = cpu_ms(lambda: count_reply("web", reply))
    out["render_web"], data = cpu_ms(lambda: {**render_web(reply), "turn_id": turn_id, "pii_masked": False})
    out["to_jsonable"], jsonable = cpu_ms(lambda: to_jsonable_python(data))
    out["JSONResponse"], _ = cpu_ms(lambda: JSONResponse(jsonable))
    return out


async def through_asgi(app: Any, path: str, messages: list[str]) -> list[float]:
    """Process CPU ms per request of the app driven in process (no sockets, no uvicorn)."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for m in messages:
            t = time.process_time()
            r = await client.post(path, json={"message": m})
            out.append((time.process_time() - t) * 1000)
            assert r.status_code == 200, r.text
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-freeze", action="store_true", help="leave the warmed heap to the cyclic collector")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="profile-service-"))
    os.environ.update({"MEDPOLICY_DB_PATH": str(tmp / "svc.sqlite3"), "MEDPOLICY_RATE_LIMIT_CHAT": ""})

    from api.app import create_app
    from api.sessions import new_web_session_id
    from api.settings import ServiceSettings
    from assistant.service import Assistant
    from assistant.session_store import SqliteSessionStore
    from hello_app import app as hello

    settings = ServiceSettings()
    assistant = Assistant.create_default(settings, store=SqliteSessionStore(tmp / "sessions.sqlite3"))
    app = create_app(settings, assistant=assistant, warm_up=False)
    services = app.state.services
    services.warm_up()
    if not a.no_freeze:
        from api.heap import settle_heap

        settle_heap()
    warm = LOOKUPS * a.warmup
    measured = LOOKUPS * a.rounds

    for m in warm:
        steps(services, m, new_web_session_id())
    rows: dict[str, list[float]] = {}
    for m in measured:
        for name, ms in steps(services, m, new_web_session_id()).items():
            rows.setdefault(name, []).append(ms)
    total = [sum(v[i] for v in rows.values()) for i in range(len(measured))]
    print(f"load {os.getloadavg()[0]:.2f}; {len(measured)} lookups; process CPU ms per step (this thread):")
    for name, values in rows.items():
        print(f"  {name:16s} {summary(values)}")
    print(f"  {'sum':16s} {summary(total)}")

    asyncio.run(through_asgi(app, "/api/chat", warm))
    asyncio.run(through_asgi(hello, "/hello", warm))
    chat = asyncio.run(through_asgi(app, "/api/chat", measured))
    hi = asyncio.run(through_asgi(hello, "/hello", measured))
    print(f"whole app in process, process CPU ms per request:\n  /api/chat        {summary(chat)}\n"
          f"  hello            {summary(hi)}")

    if a.profile:
        profile = cProfile.Profile()
        profile.enable()
        for m in measured:
            steps(services, m, new_web_session_id())
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(a.top)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(a.top)


if __name__ == "__main__":
    main()
