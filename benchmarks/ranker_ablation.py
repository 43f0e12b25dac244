"""Ranker ablations on cached candidate features (issue 9: retrieval and ranking recall).

`medpolicy train` builds every question's candidates and features, then fits once. To compare
candidate depths, feature subsets and LightGBM settings, this builds the candidates once at a
generous depth and caches them; each ablation then filters the cache (a candidate is kept when one
retriever ranks it within that retriever's depth: the same union `candidate_features` takes) and
refits. Metrics are `train.ranking_metrics`' (dev answerable questions; a gold clause the
candidates missed is a miss). With the default depths and features it reproduces `medpolicy train`'s
dev_ranking exactly.

    python benchmarks/ranker_ablation.py build /tmp/cands.pkl --depths 40,40,20,20
    python benchmarks/ranker_ablation.py channels /tmp/cands.pkl
    python benchmarks/ranker_ablation.py fit /tmp/cands.pkl base deep reg nodense

Never reads the blind split.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

RANK_COLUMNS = ("hybrid_rank_log", "bigram_rank_log", "dense_rank_log", "wv_rank_log")
DEFAULT_DEPTHS = (24, 16, 12, 12)  # features.HYBRID_DEPTH, BIGRAM_DEPTH, DENSE_DEPTH, WORDVEC_DEPTH
DENSE_DERIVED = ("dense_cos", "dense_gap", "dense_rank_log", "hybrid_rank_log", "hybrid_rel")
REGULARISED = {"min_data_in_leaf": 100, "lambda_l2": 10.0}
# name → (depths, LightGBM overrides, dropped features)
ABLATIONS: dict[str, tuple[tuple[int, int, int, int], dict, tuple[str, ...]]] = {
    "base": (DEFAULT_DEPTHS, {}, ()),
    "deep": ((40, 40, 20, 20), {}, ()),
    "mid": ((40, 16, 20, 12), {}, ()),
    "reg": (DEFAULT_DEPTHS, REGULARISED, ()),
    "noclause": (DEFAULT_DEPTHS, {}, ("clause_len_log", "n_sentences_log")),
    "nodense": (DEFAULT_DEPTHS, {}, DENSE_DERIVED),
    "lambdarank": (DEFAULT_DEPTHS, {"objective": "lambdarank", "lambdarank_truncation_level": 10}, ()),
}


def build(out: Path, depths: tuple[int, int, int, int]) -> None:
    from knowledge_base.config import KBSettings
    from knowledge_base.learned import features
    from knowledge_base.learned.annotations import GoldResolver, load_split
    from knowledge_base.learned.train import default_train_items, gold_refs
    from knowledge_base.service import KnowledgeBase

    features.HYBRID_DEPTH, features.BIGRAM_DEPTH, features.DENSE_DEPTH, features.WORDVEC_DEPTH = depths
    searcher = KnowledgeBase.open(KBSettings()).searcher
    resolver = GoldResolver(searcher.clauses)

    def rows(items) -> list[dict]:
        kept = []
        for item in items:
            if item.type == "no_basis":  # the ranker learns only from questions with a right clause
                continue
            cands = features.candidate_features(searcher, item.question)
            gold = resolver.resolve(gold_refs(item))
            kept.append({"type": item.type, "idx": cands.indices, "X": cands.matrix, "gold": gold,
                         "y": np.array([float(i in gold) for i in cands.indices], dtype=np.float32)})
        return kept

    data = {"names": features.FEATURE_NAMES, "tr": rows(default_train_items()), "dv": rows(load_split("dev"))}
    out.write_bytes(pickle.dumps(data))


def _ranks(x: np.ndarray, names: list[str], column: str) -> np.ndarray:
    return np.rint(np.expm1(x[:, names.index(column)])).astype(int)


def _kept(e: dict, names: list[str], depths: tuple[int, ...]) -> np.ndarray:
    if not len(e["idx"]):
        return np.zeros(0, dtype=bool)
    keep = np.zeros(len(e["idx"]), dtype=bool)
    for column, depth in zip(RANK_COLUMNS, depths, strict=True):
        keep |= _ranks(e["X"], names, column) <= depth
    return keep


def _subset(examples: list[dict], names: list[str], depths: tuple[int, ...], drop: tuple[str, ...]) -> list[dict]:
    cols = [k for k, n in enumerate(names) if n not in drop]
    out = []
    for e in examples:
        m = _kept(e, names, depths)
        out.append({**e, "X": e["X"][m][:, cols], "y": e["y"][m], "idx": [i for i, k in zip(e["idx"], m, strict=True) if k]})
    return out


def _fit(examples: list[dict], overrides: dict):
    import lightgbm

    usable = [e for e in examples if len(e["idx"]) and e["y"].any()]
    params = {  # train.fit_ranker's
        "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9,
        "bagging_fraction": 1.0, "lambda_l2": 1.0, "seed": 13, "deterministic": True, "force_col_wise": True,
        "num_threads": 1, "verbosity": -1, **overrides,
    }
    group = [len(e["idx"]) for e in usable] if params["objective"] == "lambdarank" else None
    data = lightgbm.Dataset(np.vstack([e["X"] for e in usable]), np.concatenate([e["y"] for e in usable]), group=group)
    return lightgbm.train(params, data, num_boost_round=300)


def _metrics(model, examples: list[dict]) -> dict[str, float]:
    ranks: list[int | None] = []
    for e in examples:
        if e["type"] != "answerable" or not e["gold"]:
            continue
        if not len(e["idx"]):
            ranks.append(None)
            continue
        order = [e["idx"][k] for k in np.argsort(-model.predict(e["X"], num_threads=1), kind="stable")]
        ranks.append(next((r for r, i in enumerate(order, start=1) if i in e["gold"]), None))
    n = max(len(ranks), 1)
    return {"recall@1": sum(r == 1 for r in ranks) / n, "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
            "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n, "candidate_recall": sum(r is not None for r in ranks) / n}


def channels(data: dict) -> None:
    """Each retriever alone: recall@1/@5 of its own rank, on train and on dev. A retriever much
    stronger on train than on dev is one the ranker learns to over-trust."""
    names = list(data["names"])
    for split in ("tr", "dv"):
        ans = [e for e in data[split] if e["type"] == "answerable" and e["gold"] and len(e["idx"])]
        for column in RANK_COLUMNS:
            best = [_ranks(e["X"], names, column)[np.array([i in e["gold"] for i in e["idx"]])].min(initial=10**6) for e in ans]
            print(split, column, *(f"r@{k} {np.mean([b <= k for b in best]):.3f}" for k in (1, 5, 24, 40)))


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=("build", "channels", "fit"))
    ap.add_argument("cache", type=Path)
    ap.add_argument("ablations", nargs="*", default=["base"])
    ap.add_argument("--depths", default="40,40,20,20", help="build depth per retriever (hybrid, bigram, dense, word vectors)")
    args = ap.parse_args(argv)
    if args.command == "build":
        build(args.cache, tuple(int(d) for d in args.depths.split(",")))  # type: ignore[arg-type]
        return
    data = pickle.loads(args.cache.read_bytes())
    if args.command == "channels":
        channels(data)
        return
    names = list(data["names"])
    for name in args.ablations:
        depths, overrides, drop = ABLATIONS[name]
        model = _fit(_subset(data["tr"], names, depths, drop), overrides)
        m = _metrics(model, _subset(data["dv"], names, depths, drop))
        print(name, " ".join(f"{k} {v:.3f}" for k, v in m.items()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
