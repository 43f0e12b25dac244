"""Out-of-fold dense features for the ranker's training rows: variants compared on dev (issue 9).

Each variant builds the train split's candidates and features with some dense model(s), fits
`train.fit_ranker`'s default ranker on them and reports `train.ranking_metrics` on dev (whose
features always come from the served dense model, fine-tuned on every train pair) — the
`dev_ranking` `medpolicy train` prints — plus the dense retriever's own recall@1/@5 on the train
rows (how much the ranker is shown to trust it) and the seconds the variant took.

    python benchmarks/dense_folds.py base selfsup clause-2 clause-3 doc-5

- base: the served model scores the training rows (the former behaviour)
- selfsup: one model fine-tuned without any annotated pair scores every training row
- clause-K / doc-K: K models, each without one fold's pairs (folds by gold clause / document)

Never reads the blind split.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def dense_recall(examples) -> tuple[float, float]:
    from knowledge_base.learned.features import FEATURE_NAMES

    col = list(FEATURE_NAMES).index("dense_rank_log")
    best = []
    for e in examples:
        if e.item.type != "answerable" or not e.gold or not len(e.cands.indices):
            continue
        gold = np.array([i in e.gold for i in e.cands.indices])
        ranks = np.rint(np.expm1(e.cands.matrix[:, col])).astype(int)
        best.append(ranks[gold].min(initial=10**6))
    return float(np.mean([b <= 1 for b in best])), float(np.mean([b <= 5 for b in best]))


def variant_examples(searcher, items, name: str):
    from knowledge_base.index.isolated import build_static_embeddings_isolated
    from knowledge_base.learned.dense_folds import searcher_with_dense
    from knowledge_base.learned.train import build_examples, build_training_examples

    if name == "base":
        return build_training_examples(searcher, items, dense_folds=0)
    if name == "selfsup":
        clauses = searcher.clauses
        d = Path(tempfile.mkdtemp(prefix="dense-selfsup-")) / "m"
        build_static_embeddings_isolated([c.index_text for c in clauses], [(d, [])],
                                         [(" ".join(c.heading_path), c.text) for c in clauses])
        return build_examples(searcher_with_dense(searcher, d), items)
    by, k = name.split("-")
    return build_training_examples(searcher, items, dense_folds=int(k), by={"doc": "document"}.get(by, by))


def main(names: list[str]) -> None:
    from knowledge_base.config import KBSettings
    from knowledge_base.learned.annotations import load_split
    from knowledge_base.learned.train import DEFAULT_RANKER, build_examples, default_train_items, fit_ranker, ranking_metrics
    from knowledge_base.service import KnowledgeBase

    searcher = KnowledgeBase.open(KBSettings()).searcher
    items = default_train_items()
    dv = build_examples(searcher, load_split("dev"))
    for name in names:
        start = time.perf_counter()
        tr = variant_examples(searcher, items, name)
        seconds = time.perf_counter() - start
        m = ranking_metrics(fit_ranker(DEFAULT_RANKER, tr), dv)
        r1, r5 = dense_recall(tr)
        print(name, " ".join(f"{k} {v:.3f}" for k, v in m.items() if k != "n"),
              f"| train dense r@1 {r1:.3f} r@5 {r5:.3f} | {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["base"])
