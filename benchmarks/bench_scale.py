"""Scale benchmark (not a test): the library at 1×, 10× and 100× the bundled corpus.

SYNTHETIC, FOR PERFORMANCE ONLY. Copy k of the five bundled documents is written with every
region name replaced by "合成地区k" and the sentence "(合成测试数据第k份)" appended to each line that
ends a sentence, so copies are not merged as duplicates and the index really grows. Copy 0 is
the bundled corpus unchanged (so the annotated questions still train the learned judge). None of
this is policy: it only measures how ingest, the incremental add, the index and search grow.

One process per scale (resident memory is per process):
    python benchmarks/bench_scale.py --scale 10 --work /tmp/scale   # prints one JSON line
    python benchmarks/bench_scale.py --plot results.jsonl docs/scale.png
Measured per scale: full ingest (build + index + judge training), the added document's
incremental add, index size on disk (the current generation), resident memory after the build
and after a second full rebuild in the same process, and search p50/p95 over the evaluation
questions (learned judge on, as served).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "knowledge_base" / "corpus"
REGIONS = re.compile(r"重庆市?|岳池县?|桂阳县?|邵东县?|渝北区?|迁西县?|湖北省?|湖南省?|广东省?|郴州市?|四川省?|广安市?")


def synthetic_copy(text: str, k: int) -> str:
    if k == 0:
        return text
    text = REGIONS.sub(f"合成地区{k}", text)
    mark = f"(合成测试数据第{k}份)"
    return "\n".join(line + mark if line.rstrip().endswith(("。", ";", "!", "?")) else line for line in text.splitlines())


def make_library(work: Path, scale: int) -> tuple[Path, Path]:
    corpus = work / f"corpus-{scale}x"
    corpus.mkdir(parents=True, exist_ok=True)
    files = sorted(CORPUS.glob("*.txt"))
    for k in range(scale):
        for f in files:
            name = f.name if k == 0 else f"syn{k:03d}_{f.name}"
            target = corpus / name
            if not target.exists():
                target.write_text(synthetic_copy(f.read_text("utf-8"), k), "utf-8")
    extra = work / f"extra-{scale}x" / "syn_added_004.txt"
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text(synthetic_copy((CORPUS / files[-1].name).read_text("utf-8"), 9999), "utf-8")
    return corpus, extra


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def questions() -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "knowledge_base" / "eval" / "questions.yaml").read_text("utf-8"))
    return [q["q"] for q in data["questions"]]


def run(scale: int, work: Path, second_rebuild: bool = True, dense_weight: float = 0.5) -> dict:
    from knowledge_base.config import KBSettings
    from knowledge_base.index.library import current_generation
    from knowledge_base.service import KnowledgeBase

    import os

    load_before = os.getloadavg()[0]
    corpus, extra = make_library(work, scale)
    data = work / f"data-{scale}x"
    settings = KBSettings(data_dir=data, corpus_dirs=[corpus], dense_weight=dense_weight)
    base = rss_mb()
    t = time.perf_counter()
    kb, report = KnowledgeBase.rebuild(settings)
    ingest_s = time.perf_counter() - t
    rss_built = rss_mb()
    qs = questions()
    for q in qs[:5]:
        kb.search(q)  # warm caches (tokenizer, vocab lists)
    times = []
    for q in qs:
        t = time.perf_counter()
        kb.search(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    t = time.perf_counter()
    kb.add_document(extra)
    add_s = time.perf_counter() - t
    gen = current_generation(KnowledgeBase.index_dir(settings))
    index_mb = dir_mb(gen) if gen else None
    del kb
    gc.collect()
    rss_after_first = rss_mb()
    rebuild_s = None
    if second_rebuild:
        t = time.perf_counter()
        kb, _ = KnowledgeBase.rebuild(settings)
        rebuild_s = round(time.perf_counter() - t, 1)
        del kb
        gc.collect()
    return {
        "scale": scale,
        "documents": report.n_files,
        "clauses": report.n_clauses,
        "ingest_s": round(ingest_s, 1),
        "rebuild_s": rebuild_s,
        "add_s": round(add_s, 2),
        "index_mb": round(index_mb, 1) if index_mb else None,
        "rss_start_mb": round(base),
        "rss_built_mb": round(rss_built),
        "rss_after_release_mb": round(rss_after_first),
        "rss_after_rebuild_mb": round(rss_mb()),
        "search_p50_ms": round(statistics.median(times), 1),
        "search_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "queries": len(times),
        "judge": True,
        "dense": dense_weight > 0,
        "series": "after: full ingest",
        "load_1min_before": round(load_before, 1),  # the machine is shared: its load, for honesty
        "load_1min_after": round(os.getloadavg()[0], 1),
    }


def assembled(scale: int, work: Path, judge_from: Path | None) -> dict:
    """Add time and search cost at `scale` without a full ingest at that scale: the 1× library
    (BM25 only, built here) is replicated `scale` times — clause ids and source file names made
    distinct, BM25 segments concatenated — written as one generation over the synthetic corpus
    of that scale (so the corpus hash reads its files), then opened from disk, searched (with
    the learned judge copied from a trained 1× data dir, as served) and given one added
    document. Index statistics are those of `scale` identical copies: comparable in size and
    per-query work to the synthetic copies of `run`, not a replacement for a full ingest."""
    import os
    import shutil

    from knowledge_base.index.bm25_index import BM25Index
    from knowledge_base.config import KBSettings
    from knowledge_base.index.index_store import corpus_hash
    from knowledge_base.index.library import current_generation, write_generation
    from knowledge_base.ingest.pipeline import IngestResult
    from knowledge_base.search.search import HybridSearcher
    from knowledge_base.service import KnowledgeBase

    load_before = os.getloadavg()[0]
    corpus, extra = make_library(work, scale)
    one = KBSettings(data_dir=work / "data-1x-bm25", corpus_dirs=[CORPUS], dense_weight=0, learned=False)
    kb1 = KnowledgeBase.open(one)
    base, config = kb1.searcher, kb1.searcher.config
    clauses, documents = [], []
    docs1 = json.loads((current_generation(KnowledgeBase.index_dir(one)) / "documents.json").read_text("utf-8"))
    for k in range(scale):
        name = (lambda f: f) if k == 0 else (lambda f, k=k: f"syn{k:03d}_{f}")
        for c in base.clauses:
            clauses.append(c.model_copy(update={"chunk_id": f"{c.chunk_id}-k{k}" if k else c.chunk_id,
                                                "sources": [s.model_copy(update={"file": name(s.file)}) for s in c.sources]}))
        documents += [{**d, "file": name(d["file"])} for d in docs1["documents"]]
    searcher = HybridSearcher(clauses, BM25Index.concat([base.body] * scale), BM25Index.concat([base.heading] * scale),
                              None, None, config)
    settings = KBSettings(data_dir=work / f"data-{scale}x-assembled", corpus_dirs=[corpus], dense_weight=0)
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    manifest = kb1.manifest.model_copy(update={"sources": [str(corpus.resolve())], "corpus_hash": corpus_hash([corpus])})
    write_generation(KnowledgeBase.index_dir(settings), searcher,
                     IngestResult(clauses=[], documents=documents, errors=[]), manifest)
    if judge_from is not None:
        shutil.copytree(judge_from / "models" / "answer", settings.data_dir / "models" / "answer")
    del kb1, searcher, base
    gc.collect()
    t = time.perf_counter()
    kb = KnowledgeBase.open(settings)
    open_s = time.perf_counter() - t
    assert kb.loaded_from_disk, "the assembled library must load as current"
    qs = questions()
    for q in qs[:5]:
        kb.search(q)
    times = []
    for q in qs:
        t = time.perf_counter()
        kb.search(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    warm = []  # the same questions again: every candidate clause's per-clause facts now prepared
    for q in qs:
        t = time.perf_counter()
        kb.search(q)
        warm.append((time.perf_counter() - t) * 1000)
    warm.sort()
    t = time.perf_counter()
    kb.add_document(extra)
    add_s = time.perf_counter() - t
    gen = current_generation(KnowledgeBase.index_dir(settings))
    return {
        "search_p50_ms_second_pass": round(statistics.median(warm), 1),
        "search_p95_ms_second_pass": round(warm[int(0.95 * (len(warm) - 1))], 1),
        "scale": scale, "series": "after: assembled from 1× parts", "clauses": len(kb.clauses), "open_s": round(open_s, 1),
        "add_s": round(add_s, 2), "index_mb": round(dir_mb(gen), 1) if gen else None, "rss_built_mb": round(rss_mb()),
        "search_p50_ms": round(statistics.median(times), 1),
        "search_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "queries": len(times),
        "judge": kb.judged, "dense": False,
        "load_1min_before": round(load_before, 1), "load_1min_after": round(os.getloadavg()[0], 1),
    }


def series_of(row: dict) -> str:
    """Which curve a result line belongs to: its "series" label, else the pre-issue-11 runs."""
    return row.get("series", "before (main 17a3f06)")


def plot(results: Path, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    groups: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["scale"]):
        groups.setdefault(series_of(r), []).append(r)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
    metrics = [
        ("full ingest (s)", "ingest_s", 900, "target 15 min"),
        ("incremental add (s)", "add_s", 5, "target 5 s"),
        ("search p95 (ms)", "search_p95_ms", 30, "target 30 ms"),
        ("resident memory (MB)", "rss_built_mb", None, None),
    ]
    for ax, (title, key, target, label) in zip(axes, metrics):
        for name, group in groups.items():
            pts = [(r["clauses"], r[key], r) for r in group if r.get(key) is not None]
            if not pts:
                continue
            ax.plot([x for x, _, _ in pts], [y for _, y, _ in pts], marker="o", label=name)
            for x, y, r in pts:
                tag = f"{r['scale']}×" + ("" if r.get("dense", True) else " no dense")
                ax.annotate(tag, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        if target:
            ax.axhline(target, color="red", linestyle="--", linewidth=1, label=label)
        ax.legend(fontsize=6)
        ax.set_xscale("log")
        ax.set_xlabel("clauses (synthetic library)")
        ax.set_title(title)
    fig.suptitle("medpolicy library growth (synthetic copies of the bundled corpus; performance only; shared loaded 2-core machine)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int)
    parser.add_argument("--work", type=Path, default=Path("/tmp/medpolicy-scale"))
    parser.add_argument("--no-rebuild", action="store_true", help="skip the second full rebuild (memory check)")
    parser.add_argument("--dense-weight", type=float, default=0.5, help="0 = BM25 + judge only")
    parser.add_argument("--plot", nargs=2, type=Path, metavar=("RESULTS_JSONL", "PNG"))
    parser.add_argument("--assembled", type=Path, metavar="TRAINED_1X_DATA_DIR", nargs="?", const=Path("-"),
                        help="add + search at --scale from replicated 1× parts (judge copied from this data dir)")
    args = parser.parse_args()
    if args.plot:
        plot(*args.plot)
        return
    if args.assembled is not None:
        judge = None if str(args.assembled) == "-" else args.assembled
        print(json.dumps(assembled(args.scale, args.work, judge), ensure_ascii=False), flush=True)
        return
    print(json.dumps(run(args.scale, args.work, not args.no_rebuild, args.dense_weight), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
