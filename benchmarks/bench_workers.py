"""Throughput and latency at 1, 2 and 4 workers: `medpolicy serve --workers N` under locust.

    python benchmarks/bench_workers.py [--workers 1 2 4] [--users 8] [--run-time 40s] [--max-requests 3000]

Loopback only. Each round starts the service with N workers (MEDPOLICY_DATABASE_URL and
MEDPOLICY_REDIS_URL from the environment when set, else SQLite and per-process state), waits
until every worker is ready, runs benchmarks/locustfile.py headless — bounded by --run-time and
--max-requests — and stops the service. Prints one Markdown row per round with the machine's
1-minute load before and after, and the JSON of every round.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, workers: int, timeout: float = 600) -> None:
    """Ready = /readyz green on enough consecutive requests to have reached every worker."""
    deadline, green = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        try:
            green = green + 1 if httpx.get(url + "/readyz", timeout=5).status_code == 200 else 0
        except httpx.HTTPError:
            green = 0
        if green >= 10 * workers:
            return
        time.sleep(0.2)
    raise SystemExit("service did not become ready")


def run_round(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MEDPOLICY_DB_PATH": str(tmp / f"svc-{n}.sqlite3"),
           "MEDPOLICY_RATE_LIMIT_CHAT": "", "MEDPOLICY_WECHAT_RATE_LIMIT_MESSAGES": "0",
           "MEDPOLICY_WECHAT_TOKEN": "benchtoken", "MEDPOLICY_LOG_LEVEL": "warning"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", str(n), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", n)
        load_before = os.getloadavg()[0]
        prefix = tmp / f"w{n}"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks/locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.users), "-t", args.run_time, "--host", f"http://127.0.0.1:{port}",
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "MEDPOLICY_BENCH_MAX_REQUESTS": str(args.max_requests)}, check=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(60)
    rows = {r["Name"]: r for r in csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8"))}
    total = rows["Aggregated"]
    return {
        "workers": n,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "chat_p50_ms": float(rows["/api/chat"]["50%"]), "chat_p95_ms": float(rows["/api/chat"]["95%"]),
        "estimate_p95_ms": float(rows["/api/estimate"]["95%"]), "wechat_p95_ms": float(rows["/wechat"]["95%"]),
        "load_before": round(load_before, 2), "load_after": round(load_after, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--run-time", default="40s")
    ap.add_argument("--max-requests", type=int, default=3000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    results = [run_round(n, args, tmp) for n in args.workers]
    for r in results:
        print(f"| {r['workers']} | {r['requests']} | {r['failures']} | {r['rps']} | {r['chat_p50_ms']:.0f} | "
              f"{r['chat_p95_ms']:.0f} | {r['estimate_p95_ms']:.0f} | {r['wechat_p95_ms']:.0f} | "
              f"{r['load_before']} → {r['load_after']} |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
