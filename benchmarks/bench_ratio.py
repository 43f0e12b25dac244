"""/api/chat lookup latency as a multiple of a FastAPI hello-world's, measured in one run.

    python benchmarks/bench_ratio.py [--requests 300] [--warmup 30]

Starts both servers on loopback (uvicorn, one worker each): the service the way `medpolicy serve`
starts it (real knowledge base from MEDPOLICY_DATA_DIR, a throw-away service database), and
`benchmarks/hello_app.py`. One client alternates a hello request and a chat lookup (a policy
question, a new session each time), so both see the same machine load; bounded by --requests.
Prints the Markdown row for docs/BENCHMARKS.md and a JSON line. Target (issue 13): ratio ≤ 5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOOKUPS = ["住院起付线是多少", "在县外住院少报多少", "门槛费多少", "生孩子补多少", "慢性病门诊能报多少",
           "三甲医院住院报销比例", "转诊怎么报销", "大病保险怎么报", "封顶线是多少", "普通门诊报销比例",
           "退休职工住院报销比例", "异地就医要备案吗", "医保卡丢了怎么办", "居民医保二档交多少"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def start(args: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server at {url} did not become ready")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ratio-"))
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks'}", "MEDPOLICY_DB_PATH": str(tmp / "svc.sqlite3"),
           "MEDPOLICY_RATE_LIMIT_CHAT": "", "MEDPOLICY_LOG_LEVEL": "warning"}
    sp, hp = free_port(), free_port()
    service = start([sys.executable, "-m", "api.cli", "serve", "--port", str(sp)], env, f"http://127.0.0.1:{sp}/readyz")
    hello = start([sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(hp), "--log-level", "warning"],
                  env, f"http://127.0.0.1:{hp}/docs")
    chat_ms: list[float] = []
    hello_ms: list[float] = []
    load_before = os.getloadavg()[0]
    try:
        with httpx.Client(timeout=300) as http:
            for i in range(a.warmup + a.requests):
                q = LOOKUPS[i % len(LOOKUPS)]
                t = time.perf_counter()
                r = http.post(f"http://127.0.0.1:{hp}/hello", json={"message": q})
                h = (time.perf_counter() - t) * 1000
                assert r.status_code == 200
                t = time.perf_counter()
                r = http.post(f"http://127.0.0.1:{sp}/api/chat", json={"message": q})
                c = (time.perf_counter() - t) * 1000
                assert r.status_code == 200, r.text
                if i >= a.warmup:
                    hello_ms.append(h)
                    chat_ms.append(c)
    finally:
        service.terminate()
        hello.terminate()
        service.wait(30)
        hello.wait(30)
    load_after = os.getloadavg()[0]
    result = {
        "requests": a.requests,
        "hello_p50_ms": round(pct(hello_ms, 50), 2), "hello_p95_ms": round(pct(hello_ms, 95), 2),
        "chat_p50_ms": round(pct(chat_ms, 50), 2), "chat_p95_ms": round(pct(chat_ms, 95), 2),
        "ratio_p95": round(pct(chat_ms, 95) / pct(hello_ms, 95), 2),
        "load_1min_before": round(load_before, 2), "load_1min_after": round(load_after, 2),
        "cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
    }
    print(f"| {a.requests} | {result['hello_p50_ms']} | {result['hello_p95_ms']} | {result['chat_p50_ms']} | "
          f"{result['chat_p95_ms']} | **{result['ratio_p95']}×** | {result['load_1min_before']} → {result['load_1min_after']} |")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
