"""Throughput of the calculators, in-process, one core.

Usage: python benchmarks/bench_calculators.py [--seconds 3]
Rates are per second of CPU time of this process (time.process_time), pinned to one core, so
other load on the machine does not distort them. Measures single `calculators.estimate(dict)` calls (request validation + engine + result model),
round-robin over a mix of policies/services, after a warm-up; also the bare engine with a
pre-validated request, contributions and a 10-event year, and finally a best-of-40 short-run
wall-clock rate (the least disturbed run). Prints estimates/second, the machine's load average, and
PASS/FAIL of both mixed single-estimate rates against issue 3's target of 20,000/s (overall PASS
only when both reach it)."""

from __future__ import annotations

import argparse
import os
import platform
import time

TARGET = 20_000  # single estimates per second, one core, in-process (issue 3)

import calculators
from calculators.models import EstimateRequest

MIX = [
    {"policy": "cq-resident-2013", "service": "inpatient", "tier": 1, "hospital_level": 2, "covered_cost": "10000"},
    {"policy": "cq-resident-2013", "service": "inpatient", "tier": 2, "hospital_level": 3, "covered_cost": "25000",
     "out_of_area": True, "referral": False, "uncovered_cost": "1200"},
    {"policy": "cq-resident-2013", "service": "chronic_outpatient", "hospital_level": 1, "covered_cost": "3000", "chronic_disease_count": 3},
    {"policy": "cq-resident-2013", "service": "general_outpatient", "covered_cost": "45"},
    {"policy": "yuechi-urban-resident-2009", "service": "inpatient", "hospital_level": 3, "covered_cost": "10000",
     "person": {"category": "student"}, "admission_index": 2},
    {"policy": "yuechi-urban-resident-2009", "service": "major_disease_outpatient", "covered_cost": "3000"},
    {"policy": "cq-xinxing-hospital-employee-2013", "service": "inpatient", "covered_cost": "8000", "person": {"retired": True}},
    {"policy": "guiyang-resident-poverty-2018", "service": "inpatient_poverty_relief", "covered_cost": "20000",
     "prior_reimbursed": "14000", "person": {"poverty": True}},
]


def rate(fn, items, seconds: float) -> float:
    for item in items * 50:  # warm-up (policy load, caches)
        fn(item)
    # CPU time of this process, not wall time: the figure is per core even on a shared machine.
    n = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for item in items:
            fn(item)
        n += len(items)
        now = time.process_time()
        if now >= deadline:
            return n / (now - start)


def best_rate(fn, items, trials: int = 40, per_trial: int = 400) -> float:
    """Best-of-`trials` wall-clock rate: on a shared machine the fastest short run is the one least
    disturbed by other processes, so this approximates the idle single-core figure."""
    for item in items * 50:
        fn(item)
    best = float("inf")
    for _ in range(trials):
        start = time.perf_counter()
        for _ in range(max(1, per_trial // len(items))):
            for item in items:
                fn(item)
        best = min(best, (time.perf_counter() - start) / (max(1, per_trial // len(items)) * len(items)))
    return 1 / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    print(f"python {platform.python_version()} on {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus visible, pinned to 1")
    load_before = _load()
    validated = [EstimateRequest.model_validate(r) for r in MIX]
    year = {"policy": "cq-resident-2013", "tier": 1,
            "events": [{"service": "inpatient", "hospital_level": 1 + i % 3, "covered_cost": str(5000 + 1000 * i)} for i in range(10)]}
    rows = [
        ("estimate(dict) mixed", rate(calculators.estimate, MIX, args.seconds)),
        ("estimate(EstimateRequest) mixed", rate(calculators.estimate, validated, args.seconds)),
        ("estimate(dict) 重庆住院 only", rate(calculators.estimate, MIX[:1], args.seconds)),
        ("estimate + model_dump(json)", rate(lambda r: calculators.estimate(r).model_dump(mode="json"), MIX, args.seconds)),
        ("contribution(dict)", rate(calculators.contribution, [{"policy": "hubei-employee-1999", "wage": "30000",
                                                                "local_avg_wage": "20000", "person": {"retired": False}}], args.seconds)),
        ("simulate_year 10 events", rate(calculators.simulate_year, [year], args.seconds)),
    ]
    rows += [
        ("best-of-40 estimate(dict) mixed", best_rate(calculators.estimate, MIX)),
        ("best-of-40 estimate(dict) 重庆住院", best_rate(calculators.estimate, MIX[:1])),
    ]
    for name, value in rows:
        print(f"{name:34s} {value:10,.0f} /s")
    figures = dict(rows)
    checks = [("CPU-time rate, estimate(dict) mixed", figures["estimate(dict) mixed"]),
              ("best-of-40 wall rate, estimate(dict) mixed", figures["best-of-40 estimate(dict) mixed"])]
    print(f"load average (1/5/15 min) at start {load_before}, at end {_load()}")
    print(f"target: >= {TARGET:,} single estimates/s on one core, in-process")
    for name, value in checks:
        print(f"  {name:44s} {value:10,.0f} /s  {'PASS' if value >= TARGET else 'FAIL'}")
    passed = all(value >= TARGET for _, value in checks)
    print("RESULT: PASS" if passed else "RESULT: FAIL (see which rate above; a loaded machine lowers the CPU-time rate)")


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


if __name__ == "__main__":
    main()
