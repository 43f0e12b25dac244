"""Out-of-fold dense models for the ranker's training rows (knowledge_base/learned/dense_folds.py)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from knowledge_base.learned.annotations import GoldResolver, doc_of, load_split
from knowledge_base.learned.dense_folds import assign_folds, fold_searchers


def _answerable(kb):
    resolver = GoldResolver(kb.clauses)
    return [i for i in load_split("train") if i.type == "answerable" and resolver.resolve(i.gold)], resolver


def test_a_clause_or_document_never_straddles_two_folds(kb):
    items, resolver = _answerable(kb)
    for by, key in (("clause", lambda i: min(resolver.resolve(i.gold))), ("document", doc_of)):
        folds = assign_folds(kb.clauses, items, 3, by)
        seen: dict[object, set[int]] = defaultdict(set)
        for item, f in zip(items, folds, strict=True):
            seen[key(item)].add(f)
        assert all(len(fs) == 1 for fs in seen.values()), by
        assert set(folds) == {0, 1, 2}, by
        assert folds == assign_folds(kb.clauses, items, 3, by)  # stable
    docs = sorted({doc_of(i) for i in items})
    by_doc = assign_folds(kb.clauses, items, len(docs), "document")
    assert len({f for f in by_doc}) == len(docs)  # one document per fold: leave-one-document-out


def test_a_fold_model_has_not_seen_its_folds_questions(kb):
    """The point of the folds: a training question scored by the model fine-tuned without it finds
    its clause less often than the served model, which was fine-tuned on it."""
    items, resolver = _answerable(kb)
    folds = assign_folds(kb.clauses, items, 2, "clause")
    searchers = fold_searchers(kb.searcher, items, folds)
    assert searchers is not None and len(searchers) == 2
    served, held_out = [], []
    for item, f in list(zip(items, folds, strict=True))[::10]:
        gold = list(resolver.resolve(item.gold))
        for searcher, out in ((kb.searcher, served), (searchers[f], held_out)):
            sims = searcher.signals(item.question).sims
            out.append(int((sims > sims[gold].max()).sum()) == 0)  # the gold clause is the dense top 1
    assert np.mean(held_out) < np.mean(served) - 0.1
    assert fold_searchers(kb.searcher, items, [0] * len(items)) is None  # one fold: nothing held out
