"""Ingestion benchmark: wall time of `build_clauses` on the bundled corpus (not a test).

Run: `python benchmarks/bench_ingest.py [--repeat N]`; prints JSON with the median and max.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    from knowledge_base.ingest.pipeline import build_clauses

    import_s = time.perf_counter() - t0
    times = []
    result = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = build_clauses()
        times.append(time.perf_counter() - t)
    assert result is not None
    print(json.dumps({
        "import_s": round(import_s, 3),
        "ingest_first_s": round(times[0], 3),
        "ingest_median_s": round(statistics.median(times), 3),
        "ingest_max_s": round(max(times), 3),
        "documents": len(result.documents),
        "clauses": len(result.clauses),
        "source_locations": sum(len(c.sources) for c in result.clauses),
    }))


if __name__ == "__main__":
    main()
