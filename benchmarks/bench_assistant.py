"""Assistant turn latency, in process, after warm-up: p50/p95 per lookup turn and per estimate turn.

Usage: python benchmarks/bench_assistant.py [--rounds 30]
Builds (or loads) the real knowledge base under MEDPOLICY_DATA_DIR, uses the real NLU and rule sets
and an in-memory session store (the SQLite store is measured separately in the same run).
Targets (issue 4): lookup p95 <= 100 ms, estimate p95 <= 50 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

# Lookup turns: single-region answers, a conflicting-region question (no region given), no-basis
# questions and colloquial wording, so every branch of the policy-question path is timed.
LOOKUPS = [
    "岳池县二级医院住院起付线是多少", "重庆城乡居民一档住院报销比例", "重庆慢性病门诊一年限额多少",
    "住院起付线是多少", "岳池县特殊大病门诊起付标准", "重庆市外住院外诊登记几个工作日内办理",
    "建档立卡贫困户住院报销比例提高多少", "种植牙医保能报销吗", "重庆生孩子医保补多少钱", "岳池县住院报销比例",
    "门槛费多少", "异地就医怎么报销", "医保卡丢了怎么办", "小孩住院报销比例",
]
ESTIMATES = [
    "重庆一档二级医院住院2万能报多少", "重庆二档三级医院住院5万报多少", "重庆一档一级医院住院8000元报多少",
    "岳池县二级医院住院1万成年人能报多少", "重庆二档二级医院住院1.5万元报销多少",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# (first message, timed follow-up): the follow-up re-runs the previous question with changed slots.
FOLLOW_UPS = [("岳池县二级医院住院起付线是多少", "那三级医院呢"), ("重庆一档二级医院住院2万能报多少", "换成二档")]


def measure(assistant, messages: list[str], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for message in messages:
            start = time.perf_counter()
            assistant.ask(message)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def measure_follow_ups(assistant, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for first, second in FOLLOW_UPS:
            session = assistant.ask(first).session_id
            start = time.perf_counter()
            assistant.ask(second, session_id=session)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from assistant.estimate_bridge import CalculatorPort
    from assistant.service import Assistant
    from assistant.session_store import InMemorySessionStore, SqliteSessionStore
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase

    settings = KBSettings()
    start = time.perf_counter()
    kb = KnowledgeBase.open(settings)
    print(f"knowledge base ready in {time.perf_counter() - start:.1f} s")
    port = CalculatorPort.default()
    assistant = Assistant(kb, port, InMemorySessionStore(), calculators=port)
    measure(assistant, LOOKUPS + ESTIMATES, 2)  # warm-up: jieba, caches, lazy imports

    cpu_start = time.process_time()
    results = {"lookup": measure(assistant, LOOKUPS, args.rounds), "estimate": measure(assistant, ESTIMATES, args.rounds),
               "follow-up (2nd turn)": measure_follow_ups(assistant, args.rounds)}
    cpu_ms = (time.process_time() - cpu_start) * 1000
    timed = sum(len(v) for v in results.values()) + len(FOLLOW_UPS) * args.rounds  # + untimed first turns
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_assistant = Assistant(kb, port, SqliteSessionStore(os.path.join(tmp, "s.sqlite3")), calculators=port)
        measure(sqlite_assistant, ESTIMATES, 1)
        results["estimate (SQLite sessions)"] = measure(sqlite_assistant, ESTIMATES, args.rounds)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}; process CPU per turn {cpu_ms / timed:.1f} ms (in-memory runs)")
    print("| turn | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    main()
