"""Leave-one-document-out: would the assistant serve a document added later, with no annotations?

For each source document D, every annotation of D is left out of training — the dense side's
annotated pairs and the judge (ranker, answer models, sentence chooser, wording prior) — and the
assistant built on that is asked all of D's annotated questions (train and dev: none was trained
on). cited-gold per document says whether the learned components learned features and vocabulary,
or memorised clauses.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from knowledge_base.learned.annotations import AnnotatedQuestion, doc_of
from knowledge_base.learned.dense_folds import question_pairs, searcher_with_dense
from knowledge_base.learned.train import train


def _without(items: Sequence[AnnotatedQuestion], doc: str) -> list[AnnotatedQuestion]:
    """Items whose gold does not lie in `doc` (no-basis items stay: they name no clause of D as
    an answer, only as a temptation, and documents added later come with none either)."""
    out = []
    for item in items:
        files = {Path(g.file).stem for g in [*item.gold, *item.candidates]}
        if doc not in files:
            out.append(item)
    return out


def fold_searcher(kb, train_items: Sequence[AnnotatedQuestion]):
    """A searcher over the same clauses whose dense side was trained without the left-out pairs."""
    from knowledge_base.index.embedding_builder import build_static_embedding
    from knowledge_base.search.search import HybridSearcher

    base = kb.searcher
    clauses = base.clauses
    if base.encoder is None:
        return HybridSearcher(clauses, base.body, base.heading, None, None, base.config, base.synonyms)
    texts = [c.index_text for c in clauses]
    sections = [(" ".join(c.heading_path), c.text) for c in clauses]
    model_dir = Path(tempfile.mkdtemp(prefix="lodo-")) / "static-zh"
    build_static_embedding(texts, model_dir, sections=sections, questions=question_pairs(clauses, train_items))
    return searcher_with_dense(base, model_dir)


class _FoldKB:
    """The knowledge base seen through one fold's searcher (what the assistant calls)."""

    def __init__(self, kb, searcher) -> None:
        self._kb = kb
        self.searcher = searcher
        self.judged = searcher.judge is not None

    def search(self, query, top_k=5, filters=None):
        return self.searcher.search(query, top_k=top_k, filters=filters)

    def __getattr__(self, name):
        return getattr(self._kb, name)

    @property
    def clauses(self):
        return list(self.searcher.clauses)


def leave_one_document_out(kb, train_items: Sequence[AnnotatedQuestion], dev_items: Sequence[AnnotatedQuestion],
                           assistant_for: Callable[[object], object], docs: Sequence[str] | None = None,
                           log: Callable[[str], None] = lambda _: None) -> dict[str, dict]:
    """cited-gold (and the reply mix) on each document's questions with that document left out."""
    from assistant.evaluate_answers import evaluate_answers

    everything = [*train_items, *dev_items]
    docs = list(docs or sorted({d for d in (doc_of(i) for i in everything if i.type == "answerable") if d}))
    out: dict[str, dict] = {}
    for doc in docs:
        fold_train = _without(train_items, doc)
        fold_dev = _without(dev_items, doc)
        searcher = fold_searcher(kb, fold_train)
        judge, report = train(searcher, kb.settings.data_dir, train_items=fold_train, dev_items=fold_dev, write=False)
        searcher.judge = judge
        fold_kb = _FoldKB(kb, searcher)
        questions = [i for i in everything if i.type == "answerable" and doc_of(i) == doc]
        metrics = evaluate_answers(lambda fk=fold_kb: assistant_for(fk), fold_kb, questions)
        out[doc] = {"n": metrics.n_answerable, "cited_gold": metrics.cited_gold,
                    "direct_share": metrics.direct_share, "related_share": metrics.related_share,
                    "wrongly_refused": metrics.wrongly_refused, "search_recall_at_5": metrics.search_recall_at_5,
                    "n_train": report.n_train}
        log(f"{doc}: n={metrics.n_answerable} cited-gold {metrics.cited_gold:.3f} (trained on {report.n_train})")
    return out
