"""Out-of-fold dense models for the ranker's training rows (issue 9).

The built-in dense model is fine-tuned on the train split's annotated (question, clause) pairs
(`question_pairs`), and the ranker learns from those same questions. Scored by that model, a
training question finds its clause almost always (dense train r@5 0.998, dev 0.754: docs/
BENCHMARKS.md), so the ranker learns to trust the dense rank, and the fused rank holding it, far
more than they deserve on a clause no annotation has seen — which is every clause at serving time
that matters (new phrasings, documents added later).

Here the train questions are split into K folds by gold clause (a clause's questions share a fold,
so each fold's clauses are unseen by its model, as dev's are; by document is the measured
alternative, `DENSE_FOLD_BY`), K dense models are
fine-tuned each without one fold's pairs (in child processes, side by side: `index.isolated`), and each
training question's candidates and features are computed by a searcher over the model that did
not see it. The ranker then learns how far a dense rank can be trusted on an unseen clause. The
served model stays the one fine-tuned on every pair; dev questions are scored by it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldResolver, doc_of

# Measured on dev (docs/BENCHMARKS.md, "out-of-fold dense features"); 0 = the served model
# scores the training rows too (the former behaviour).
DENSE_FOLDS = 3
DENSE_FOLD_BY = "clause"


def question_pairs(clauses, items: Sequence[AnnotatedQuestion]) -> list[tuple[str, int]]:
    """(question, clause position) for the answerable items: the dense side's annotated pairs."""
    resolver = GoldResolver(clauses)
    out = []
    for item in items:
        if item.type == "answerable":
            out.extend((item.question, i) for i in sorted(resolver.resolve(item.gold))[:1])
    return out


def assign_folds(clauses, items: Sequence[AnnotatedQuestion], k: int, by: str = "clause") -> list[int]:
    """Each item's fold. An answerable item folds with its gold clause (`by="clause"`: the
    questions of one clause share a fold, so a fold's clauses are unseen by its model, as dev's
    are) or its gold document (`by="document"`, documents dealt out in name order: a fold's whole
    documents are unseen, as in leave-one-document-out); any other item by its text (stable hash)."""
    resolver = GoldResolver(clauses)
    docs = sorted({d for d in (doc_of(i) for i in items if i.type == "answerable") if d})
    deal = {d: n % k for n, d in enumerate(docs)}
    out = []
    for item in items:
        key = None
        if item.type == "answerable":
            if by == "document" and doc_of(item):
                out.append(deal[doc_of(item)])
                continue
            gold = sorted(resolver.resolve(item.gold))
            key = clauses[gold[0]].chunk_id if gold else None
        key = key or item.question
        out.append(int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % k)
    return out


def searcher_with_dense(base, model_dir: Path):
    """A searcher over `base`'s clauses and lexical indexes whose dense side is the built-in model
    saved in `model_dir` (loaded into memory: the folder may be removed afterwards)."""
    from knowledge_base.index.dense import DenseIndex, StaticEncoder
    from knowledge_base.normalize import normalize_text
    from knowledge_base.search.search import HybridSearcher

    encoder = StaticEncoder(model_dir)
    dense = DenseIndex.build(encoder.encode([normalize_text(c.index_text) for c in base.clauses]))
    return HybridSearcher(base.clauses, base.body, base.heading, dense, encoder, base.config, base.synonyms)


def fine_tuned_on_questions(searcher) -> bool:
    """Only the built-in static model is fine-tuned on the annotated pairs; a named
    sentence-transformers model (or none) has no train/serve skew to correct."""
    from knowledge_base.index.dense import StaticEncoder

    return searcher.dense is not None and isinstance(searcher.encoder, StaticEncoder)


def fold_searchers(searcher, items: Sequence[AnnotatedQuestion], folds: Sequence[int]) -> list | None:
    """One searcher per fold f, over a dense model fine-tuned on the pairs of the items outside
    fold f (`folds[n]` is item n's); None when there are fewer than two folds or the dense side is
    not fine-tuned on questions."""
    k = max(folds, default=-1) + 1
    if k < 2 or not fine_tuned_on_questions(searcher):
        return None
    from knowledge_base.index.isolated import build_static_embeddings_isolated
    from knowledge_base.learned.parallel import worker_count

    clauses = searcher.clauses
    texts = [c.index_text for c in clauses]
    sections = [(" ".join(c.heading_path), c.text) for c in clauses]
    work = Path(tempfile.mkdtemp(prefix="medpolicy-dense-folds-"))
    try:
        dirs = [work / f"fold-{f}" for f in range(k)]
        models = [(d, question_pairs(clauses, [i for i, g in zip(items, folds, strict=True) if g != f]))
                  for f, d in enumerate(dirs)]
        build_static_embeddings_isolated(texts, models, sections, workers=worker_count())
        return [searcher_with_dense(searcher, d) for d in dirs]
    finally:
        shutil.rmtree(work, ignore_errors=True)
