"""Service benchmark: /api/chat latency and throughput, and WeChat passive-reply latency, over
loopback against the service started the way the README starts it (`medpolicy serve`).

    python benchmarks/bench_api.py [--requests 200] [--concurrency 4] [--port 0]

Bounded: a fixed number of requests per phase; the server is stopped at the end. Uses the data
directory from MEDPOLICY_DATA_DIR (default var/; built on first start if missing) and a throwaway
service database. Prints a Markdown table for docs/BENCHMARKS.md and a JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

QUESTIONS = [
    "住院起付线是多少", "在县外住院少报多少", "门槛费多少", "生孩子补多少", "慢性病门诊能报多少",
    "二级医院住院花了2万能报多少", "三甲医院住院报销比例", "学生一年交多少钱", "居民医保二档交多少",
    "转诊怎么报销", "大病保险怎么报", "封顶线是多少", "普通门诊报销比例", "贫困户住院报多少",
    "退休职工住院报销比例", "异地就医要备案吗", "你好", "谢谢", "今天天气怎么样", "医保卡丢了怎么办",
]
TOKEN = "benchtoken"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(latencies_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(latencies_ms),
        "p50": round(percentile(latencies_ms, 50), 1),
        "p95": round(percentile(latencies_ms, 95), 1),
        "p99": round(percentile(latencies_ms, 99), 1),
        "max": round(max(latencies_ms), 1),
        "mean": round(statistics.fmean(latencies_ms), 1),
    }


def start_server(port: int, db_dir: Path) -> subprocess.Popen[bytes]:
    exe = shutil.which("medpolicy") or str(Path(sys.executable).parent / "medpolicy")
    env = {
        **os.environ,
        "MEDPOLICY_DB_PATH": str(db_dir / "service.sqlite3"),
        "MEDPOLICY_WECHAT_TOKEN": TOKEN,
        "MEDPOLICY_WECHAT_RATE_LIMIT_MESSAGES": "0",
    }
    return subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_ready(client: httpx.Client, proc: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode(errors='replace')[-2000:] if proc.stderr else ''}")
        try:
            if client.get("/readyz").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("server not ready in time")


def chat_once(client: httpx.Client, i: int) -> float:
    t = time.perf_counter()
    r = client.post("/api/chat", json={"message": QUESTIONS[i % len(QUESTIONS)]})
    elapsed = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"/api/chat {r.status_code}: {r.text[:200]}")
    return elapsed


def wechat_once(client: httpx.Client, i: int) -> tuple[float, bool]:
    timestamp, nonce = str(int(time.time())), f"n{i}"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = ("<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
           f"<FromUserName><![CDATA[o-bench-{i % 17}]]></FromUserName><CreateTime>{timestamp}</CreateTime>"
           f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{QUESTIONS[i % len(QUESTIONS)]}]]></Content>"
           f"<MsgId>{10_000_000 + i}</MsgId></xml>")
    t = time.perf_counter()
    r = client.post("/wechat", params={"signature": signature, "timestamp": timestamp, "nonce": nonce}, content=xml)
    elapsed = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"/wechat {r.status_code}: {r.text[:200]}")
    return elapsed, r.text.startswith("<xml>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200, help="requests per phase")
    ap.add_argument("--concurrency", type=int, default=4, help="parallel clients in the throughput phase")
    ap.add_argument("--port", type=int, default=0, help="0 = a free port")
    ap.add_argument("--ready-timeout", type=float, default=300.0)
    args = ap.parse_args()

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, Path(tmp))
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                ready_s = wait_ready(client, proc, args.ready_timeout)
                for i in range(len(QUESTIONS)):  # warm-up: every question once
                    chat_once(client, i)
                sequential = [chat_once(client, i) for i in range(args.requests)]

                def worker(i: int) -> float:
                    return chat_once(client, i)

                t0 = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    loaded = list(pool.map(worker, range(args.requests)))
                wall = time.perf_counter() - t0

                wechat = [wechat_once(client, i) for i in range(args.requests)]
                rss_mb = psutil.Process(proc.pid).memory_info().rss / 2**20
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        # The service records the assistant's own time per turn: end-to-end minus that is the
        # service's overhead (HTTP, validation, PII masking, worker hand-off, database write).
        conn = sqlite3.connect(Path(tmp) / "service.sqlite3")
        web_turns = [row[0] for row in conn.execute(
            "SELECT latency_ms FROM svc_turns WHERE channel = 'web' ORDER BY created_at")]
        conn.close()
        assistant_seq = web_turns[len(QUESTIONS): len(QUESTIONS) + args.requests]

    wechat_ms = [ms for ms, _ in wechat]
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),  # other work on the machine skews figures
        "ready_seconds": round(ready_s, 1),
        "chat_sequential_ms": summary(sequential),
        "chat_concurrent_ms": summary(loaded),
        "chat_throughput_rps": round(args.requests / wall, 1),
        "concurrency": args.concurrency,
        "assistant_in_process_ms": summary(assistant_seq),
        "wechat_ms": summary(wechat_ms),
        "wechat_passive_replies": sum(1 for _, xml in wechat if xml),
        "server_rss_mb": round(rss_mb),
    }
    s, c, w = result["chat_sequential_ms"], result["chat_concurrent_ms"], result["wechat_ms"]
    print("| measurement | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(f"| /api/chat, 1 client | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} |")
    print(f"| /api/chat, {args.concurrency} clients | {c['n']} | {c['p50']} | {c['p95']} | {c['p99']} | {c['max']} |")
    a = result["assistant_in_process_ms"]
    print(f"| (of which Assistant.ask, server-side) | {a['n']} | {a['p50']} | {a['p95']} | {a['p99']} | {a['max']} |")
    print(f"| /wechat text → passive reply | {w['n']} | {w['p50']} | {w['p95']} | {w['p99']} | {w['max']} |")
    print(f"\nthroughput ({args.concurrency} clients): {result['chat_throughput_rps']} req/s; "
          f"passive replies {result['wechat_passive_replies']}/{w['n']}; ready after {result['ready_seconds']} s; "
          f"server RSS {result['server_rss_mb']} MB; load average {result['load_average_1m_at_end']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
