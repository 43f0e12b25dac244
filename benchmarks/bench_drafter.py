"""Drafter precision and recall against the six bundled rule sets (docs/BENCHMARKS.md).

    python benchmarks/bench_drafter.py [--details]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calculators.draft_eval import evaluate  # noqa: E402


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def main() -> None:
    report = evaluate()
    print("| kind | drafted | correct | precision | hand-written values | found | recall |")
    print("|---|---|---|---|---|---|---|")
    for kind, t in sorted(report.by_kind.items()):
        print(f"| {kind} | {t.drafted} | {t.correct} | {_pct(t.precision)} | {t.expected} | {t.found} | {_pct(t.recall)} |")
    t = report.total()
    print(f"| **all** | {t.drafted} | {t.correct} | {_pct(t.precision)} | {t.expected} | {t.found} | {_pct(t.recall)} |")
    print()
    print("| rule set | drafted | correct | hand-written | found |")
    print("|---|---|---|---|---|")
    for pid, t in report.by_policy.items():
        print(f"| {pid} | {t.drafted} | {t.correct} | {t.expected} | {t.found} |")
    if "--details" in sys.argv:
        print("\nwrong or unmatched proposals:")
        print("\n".join(f"  {e}" for e in report.errors))
        print("\nhand-written values not found:")
        print("\n".join(f"  {m}" for m in report.misses))


if __name__ == "__main__":
    main()
