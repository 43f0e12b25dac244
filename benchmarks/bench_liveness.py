"""Liveness during ingest (not a test): /healthz latency while the service adds a document
(incremental) and while it rebuilds the whole library; and the server's resident memory.

    python benchmarks/bench_liveness.py [--data-dir DIR]

Starts `medpolicy serve` from this checkout (via `api.cli.main`) on a free port with an admin key, waits for
/readyz, then polls /healthz every 10 ms from another thread during (1) idle, (2) POST
/api/admin/documents with one new document, (3) POST /api/admin/ingest (full rebuild). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-admin-key"
DOC = "合成地区测试县城乡居民医保办法\n一、住院待遇\n合成地区测试县三级医院住院起付线为700元(合成测试数据)。\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"n": len(xs), "p50_ms": round(statistics.median(xs), 1), "p95_ms": round(xs[int(0.95 * (len(xs) - 1))], 1),
            "max_ms": round(xs[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="medpolicy-live-"))
    port = free_port()
    env = {**os.environ, "MEDPOLICY_DATA_DIR": str(data), "MEDPOLICY_ADMIN_API_KEY": KEY, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    out: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=900) as client:
            t = time.perf_counter()
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.perf_counter() - t > 1200:
                    raise SystemExit("server did not become ready")
                time.sleep(0.5)
            out["ready_s"] = round(time.perf_counter() - t, 1)
            server = psutil.Process(proc.pid)

            def poll(stop: threading.Event, into: list[float]) -> None:
                with httpx.Client(base_url=base, timeout=10) as c:
                    while not stop.is_set():
                        s = time.perf_counter()
                        c.get("/healthz")
                        into.append((time.perf_counter() - s) * 1000)
                        time.sleep(0.01)

            def during(name: str, action) -> None:
                lat: list[float] = []
                stop = threading.Event()
                th = threading.Thread(target=poll, args=(stop, lat))
                th.start()
                s = time.perf_counter()
                status = action()
                took = time.perf_counter() - s
                stop.set()
                th.join()
                out[name] = {"status": status, "took_s": round(took, 2), "healthz": stats(lat),
                             "server_rss_mb": round(server.memory_info().rss / 2**20)}

            out["rss_ready_mb"] = round(server.memory_info().rss / 2**20)
            during("idle", lambda: time.sleep(3) or 200)
            during("add_document", lambda: client.post("/api/admin/documents", headers={"X-API-Key": KEY},
                                                       files=[("files", ("合成测试县办法.txt", DOC.encode()))]).status_code)
            during("full_ingest", lambda: client.post("/api/admin/ingest", headers={"X-API-Key": KEY}).status_code)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
