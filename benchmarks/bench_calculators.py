"""Throughput of the calculators, in-process, one core.

Usage: taskset -c 0 python benchmarks/bench_calculators.py [--runs 15] [--rounds 250]
(the script also pins itself to one core with sched_setaffinity when taskset is not used).

Method: after a warm-up (policy load, memoised plans), each figure is the MEDIAN of `--runs`
independent runs; a run times `--rounds` passes over a fixed mix of requests with
`time.process_time` (CPU time of this process, so time the scheduler gives to other processes is
not counted), and the rate is requests / CPU seconds. The spread (min–max of the runs) is printed
next to each median. The single-estimate figure is `calculators.estimate(dict)` on the mixed
requests: request validation + engine + the cited trace + the `EstimateResult` model — what a
Python caller gets. The caller path adds serialising that result to JSON (`model_dump_json`), what
the API/CLI send. PASS/FAIL compares the median single-estimate rate with issue 3's target of
20,000/s on one core; nothing is cached by request (the memoised plans depend only on the
non-amount fields, see docs/ARCHITECTURE.md), and the mix cycles through 8 different requests."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
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


def runs(fn, items, n_runs: int, rounds: int) -> list[float]:
    """Rates (calls per CPU second) of `n_runs` runs of `rounds` passes over `items`."""
    for item in items * 50:  # warm-up (policy load, memoised plans)
        fn(item)
    rates = []
    for _ in range(n_runs):
        start = time.process_time()
        for _ in range(rounds):
            for item in items:
                fn(item)
        rates.append(rounds * len(items) / (time.process_time() - start))
    return rates


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, nproc {os.cpu_count()}, python {platform.python_version()}"


def validate_results_instead() -> None:
    """Replace calculators.trusted's fast path by ordinary pydantic validation of every result
    model (`--validated-results`): the comparison that decides whether the fast path is kept."""
    from calculators import context, engine, payers, trusted
    from calculators.models import Step

    def construct(cls, data, fields_set):
        return cls.model_validate(data)

    def plain_step(label, formula, amount, payer=None):
        return Step(label=label, formula=formula, amount=amount, payer=payer)

    def sourced_step(label, formula, amount, payer, source):
        return Step(label=label, formula=formula, amount=amount, payer=payer, source=source,
                    chunk_id=source.chunk_id, citation=source.citation, quote=source.quote)

    for module in (trusted, engine, payers, context):
        for name, fn in (("construct", construct), ("plain_step", plain_step), ("sourced_step", sourced_step)):
            if hasattr(module, name):
                setattr(module, name, fn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=250, help="passes over the request mix per run")
    parser.add_argument("--validated-results", action="store_true",
                        help="build result models with pydantic validation instead of calculators.trusted")
    args = parser.parse_args()
    if args.validated_results:
        validate_results_instead()
        print("result models: validated by pydantic (calculators.trusted bypassed)")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"{machine()}; pinned to core {cores}")
    load_before = _load()
    validated = [EstimateRequest.model_validate(r) for r in MIX]
    year = {"policy": "cq-resident-2013", "tier": 1,
            "events": [{"service": "inpatient", "hospital_level": 1 + i % 3, "covered_cost": str(5000 + 1000 * i)} for i in range(10)]}
    contribution = [{"policy": "hubei-employee-1999", "wage": "30000", "local_avg_wage": "20000", "person": {"retired": False}}]
    n, k = args.runs, args.rounds
    rows = [
        ("estimate(dict) mixed  [single estimate]", runs(calculators.estimate, MIX, n, k)),
        ("estimate(dict) + model_dump_json  [caller path]", runs(lambda r: calculators.estimate(r).model_dump_json(), MIX, n, k)),
        ("estimate(EstimateRequest) mixed", runs(calculators.estimate, validated, n, k)),
        ("estimate(dict) 重庆住院 only", runs(calculators.estimate, MIX[:1], n, k * 8)),
        ("contribution(dict) 湖北职工", runs(calculators.contribution, contribution, n, k * 4)),
        ("simulate_year, 10 events (years/s)", runs(calculators.simulate_year, [year], n, max(1, k // 10))),
    ]
    print(f"median of {n} runs, CPU time (time.process_time); min–max of the runs in brackets")
    for name, rates in rows:
        print(f"  {name:48s} {statistics.median(rates):10,.0f} /s  [{min(rates):,.0f} – {max(rates):,.0f}]")
    print(f"load average (1/5/15 min) at start {load_before}, at end {_load()}")
    single = statistics.median(rows[0][1])
    print(f"target: >= {TARGET:,} single estimates/s on one core, in-process (median CPU-time rate of estimate(dict) mixed)")
    print(f"RESULT: {'PASS' if single >= TARGET else 'FAIL'} ({single:,.0f} /s)")


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


if __name__ == "__main__":
    main()
