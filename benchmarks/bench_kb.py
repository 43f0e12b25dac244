"""Knowledge-base benchmark: full ingest + index, index load, search latency, memory, quality.

Method
- Ingest: `KnowledgeBase.rebuild` into a fresh temporary data dir (cleaning, segmentation,
  dedupe, metadata, training the builtin static embedding, BM25 + FAISS, persisting), timed in a
  fresh process so imports count.
- Load: a second fresh process times `KnowledgeBase.open` on the persisted index (and, separately,
  the imports before it), then warms up and times every evaluation question (dev + held-out +
  no-answer) `--rounds` times in-process; p50/p95 over all calls. Resident memory (psutil RSS) is
  read after the searches.
- Quality: `evaluate` on the same index (recall@1/5, MRR@10, no-basis rates) and the ablations.

Usage: python benchmarks/bench_kb.py [--rounds 5] [--write]   (--write updates the figures block
in docs/BENCHMARKS.md between the kb-bench markers)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- kb-bench:start -->", "<!-- kb-bench:end -->"

INGEST_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from knowledge_base.config import KBSettings
from knowledge_base.service import KnowledgeBase
t1 = time.perf_counter()
kb, report = KnowledgeBase.rebuild(KBSettings(data_dir=sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "rebuild_s": t2 - t1, "total_s": t2 - t0,
                  "n_files": report.n_files, "n_clauses": report.n_clauses, "errors": len(report.errors)}))
"""

SEARCH_CHILD = """
import json, statistics, sys, time
t0 = time.perf_counter()
from knowledge_base.config import KBSettings
from knowledge_base.service import KnowledgeBase
from knowledge_base.eval.evaluate import load_eval_set
t1 = time.perf_counter()
kb = KnowledgeBase.open(KBSettings(data_dir=sys.argv[1]))
t2 = time.perf_counter()
assert kb.loaded_from_disk, "index was rebuilt instead of loaded"
es = load_eval_set()
queries = [q.q for q in es.split("all")] + es.unanswerable("all")
for q in queries:  # warm-up
    kb.search(q)
import os
load_before = os.getloadavg()[0]
times = []
for _ in range(int(sys.argv[2])):
    for q in queries:
        s = time.perf_counter(); kb.search(q); times.append((time.perf_counter() - s) * 1000)
times.sort()
import psutil
rss = psutil.Process().memory_info().rss / 2**20
pct = lambda p: times[min(len(times) - 1, int(round(p / 100 * (len(times) - 1))))]
print(json.dumps({"imports_s": t1 - t0, "open_s": t2 - t1, "n_calls": len(times),
                  "p50_ms": pct(50), "p95_ms": pct(95), "max_ms": times[-1],
                  "mean_ms": statistics.fmean(times), "rss_mb": rss,
                  "load_before": load_before, "load_after": os.getloadavg()[0]}))
"""

QUALITY_CHILD = """
import json, sys
from knowledge_base.config import KBSettings
from knowledge_base.service import KnowledgeBase
from knowledge_base.eval.evaluate import SPLITS, evaluate, run_ablations, load_eval_set
kb = KnowledgeBase.open(KBSettings(data_dir=sys.argv[1]))
es = load_eval_set()
out = {}
for split in SPLITS:
    m = evaluate(kb.searcher, es, split)
    out[split] = {"n": m.n_questions, "r1": m.recall_at_1, "r5": m.recall_at_5, "mrr": m.mrr,
                  "false_no_basis": m.false_no_basis, "no_answer_flagged": m.no_answer_flagged}
out["ablations"] = {}
for split in SPLITS:
    for name, m in run_ablations(kb.clauses, kb.searcher.encoder, kb.searcher.config, es, split).items():
        out["ablations"].setdefault(name, {})[split] = {"r1": m.recall_at_1, "r5": m.recall_at_5, "mrr": m.mrr,
                                                         "na": m.no_answer_flagged, "fnb": m.false_no_basis}
print(json.dumps(out, ensure_ascii=False))
"""


def _child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MEDPOLICY_DATA_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        import psutil

        mem = f", {psutil.virtual_memory().total / 2**30:.0f} GB RAM"
    except ImportError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def _markdown(ingest: dict, search: dict, quality: dict, rounds: int) -> str:
    q = quality
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on: {_machine()}; load average (1 min) "
        f"{search['load_before']:.1f} before the timed searches, {search['load_after']:.1f} after.",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| full ingest + index of the bundled corpus ({ingest['n_files']} files → {ingest['n_clauses']} clauses), "
        f"fresh process | {ingest['total_s']:.1f} s (imports {ingest['imports_s']:.1f} s, rebuild {ingest['rebuild_s']:.1f} s) | ≤ 60 s |",
        f"| index load (`KnowledgeBase.open`, persisted index) | {search['open_s'] * 1000:.0f} ms "
        f"(+ {search['imports_s']:.2f} s imports in a fresh process) | < 1 s |",
        f"| search latency in-process after warm-up ({search['n_calls']} calls = {rounds} rounds of all "
        f"eval questions) | p50 {search['p50_ms']:.2f} ms, p95 {search['p95_ms']:.2f} ms, max {search['max_ms']:.1f} ms | p95 ≤ 20 ms |",
        f"| resident memory after load + searches (psutil RSS) | {search['rss_mb']:.0f} MB | — |",
        "",
        "Retrieval quality (`medpolicy eval retrieval`; MRR is MRR@10; a wrong “no basis” counts as a miss):",
        "",
        "| question set | n | recall@1 | recall@5 | MRR | answerable flagged no-basis | no-answer flagged no-basis |",
        "|---|---|---|---|---|---|---|",
    ]
    splits = (
        ("dev", "dev (tuned on)"),
        ("heldout", "held-out A (misses read in round 4: no longer blind)"),
        ("heldout_b", "held-out B (elderly, shorthand, typos; misses read in round 4: no longer blind)"),
        ("heldout_c", "held-out C (written blind by another author; no-answer misses read in round 5)"),
        ("heldout_d", "held-out D (second blind round, first run r@5 0.875 / MRR 0.735; misses read in round 6: no longer blind)"),
        ("all", "all"),
    )
    for split, label in splits:
        m = q[split]
        lines.append(
            f"| {label} | {m['n']} | {m['r1']:.3f} | {m['r5']:.3f} | {m['mrr']:.3f} | "
            f"{m['false_no_basis']:.3f} | {m['no_answer_flagged']:.2f} |"
        )
    lines += [
        "",
        "No-answer questions: the calibration set reported with dev and held-out A, `no_answer_heldout`",
        "with held-out B, `no_answer_heldout_c` with held-out C, `no_answer_heldout_d` with held-out D,",
        "all of them with “all”.",
        "",
        "Ablations (each row changes one thing from the default; recall@1 / recall@5 / MRR, then the",
        "share of answerable questions flagged no-basis / share of no-answer questions flagged):",
        "",
        "| configuration | dev | held-out A | held-out B | held-out C | held-out D | all |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, by_split in q["ablations"].items():
        cells = [
            f"{m['r1']:.3f} / {m['r5']:.3f} / {m['mrr']:.3f}; {m['fnb']:.3f} / {m['na']:.2f}"
            for m in by_split.values()  # in the child's split order
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medpolicy-bench-") as data_dir:
        ingest = _child(INGEST_CHILD, data_dir)
        search = _child(SEARCH_CHILD, data_dir, str(args.rounds))
        quality = _child(QUALITY_CHILD, data_dir)
    md = _markdown(ingest, search, quality, args.rounds)
    print(md)
    if args.write:
        text = DOC.read_text("utf-8")
        if START not in text or END not in text:
            raise SystemExit(f"{DOC} has no {START} … {END} block to update")
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{md}\n{END}", text, flags=re.S)
        DOC.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
