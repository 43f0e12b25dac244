"""Where a lookup turn's time goes: cProfile over dev questions through `Assistant.ask`, after warm-up.

    python benchmarks/profile_lookup.py [--questions 200] [--warmup 40] [--top 40] [--out FILE.prof]

Uses the knowledge base of MEDPOLICY_DATA_DIR as served (learned judge on, tables warmed as the
service warms them) and an in-memory session store. Prints process CPU time per turn (p50, p95,
mean, measured without the profiler), then the profile's top functions by cumulative and by own
time. Keep it short on a shared machine: a few hundred questions at most.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=40)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--out", default="")
    a = ap.parse_args()

    from api.cli.learn_commands import _assistant_for, _kb
    from knowledge_base.learned.annotations import load_split

    kb = _kb()
    kb.warm_up()
    assistant = _assistant_for(kb)
    questions = [i.question for i in load_split("dev")]
    for q in questions[: a.warmup]:
        assistant.ask(q)
    measured = questions[a.warmup : a.warmup + a.questions]
    cpu_ms = []
    for q in measured:
        t = time.process_time()
        assistant.ask(q)
        cpu_ms.append((time.process_time() - t) * 1000)
    ordered = sorted(cpu_ms)
    print(f"load {os.getloadavg()[0]:.2f}; {len(cpu_ms)} turns, CPU ms per turn: p50 {ordered[len(ordered) // 2]:.2f}, "
          f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.2f}, mean {statistics.fmean(cpu_ms):.2f}")
    profile = cProfile.Profile()
    profile.enable()
    for q in measured:
        assistant.ask(q)
    profile.disable()
    if a.out:
        profile.dump_stats(a.out)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(a.top)
    stats.sort_stats("tottime").print_stats(a.top)


if __name__ == "__main__":
    main()
