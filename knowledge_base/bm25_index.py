"""BM25 over analysed tokens (bm25s), with per-term query weights and on-disk persistence.

bm25s scores a plain token list; expanded synonyms must count less than the words the user typed,
so scores are accumulated term by term with a weight each. The corpus is small (hundreds to a few
thousand clauses), so per-term scoring costs well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


class BM25Index:
    """One BM25 field (e.g. clause body, heading path) over a fixed list of documents."""

    def __init__(self, retriever, n_docs: int) -> None:
        self._r = retriever
        self.n_docs = n_docs

    @classmethod
    def build(cls, docs_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index([list(toks) for toks in docs_tokens], show_progress=False)
        return cls(retriever, len(docs_tokens))

    def save(self, directory: Path) -> None:
        self._r.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, n_docs: int) -> BM25Index:
        import bm25s

        retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        return cls(retriever, n_docs)

    def terms(self) -> list[str]:
        """Every indexed term (the vocabulary), in no particular order."""
        return [t for t in self._r.vocab_dict if t]

    def has(self, term: str) -> bool:
        return term in self._r.vocab_dict and term != ""

    def df(self, term: str) -> int:
        """Number of documents containing the term (0 for unknown terms)."""
        if not self.has(term):
            return 0
        ids = self._r.vocab_dict[term]
        data = self._r.scores
        return int(data["indptr"][ids + 1] - data["indptr"][ids])

    def idf(self, term: str) -> float:
        """Lucene idf of a term (0 for unknown terms): used to weigh query coverage."""
        if not self.has(term):
            return 0.0
        df = self.df(term)
        return float(np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def term_scores(self, term: str) -> np.ndarray:
        """BM25 contribution of one term to every document."""
        if not self.has(term):
            return np.zeros(self.n_docs, dtype=np.float32)
        return self._r.get_scores_from_ids([self._r.vocab_dict[term]])

    def score(self, weighted_terms: Mapping[str, float]) -> np.ndarray:
        """Sum of weight × BM25 term score over the query terms."""
        total = np.zeros(self.n_docs, dtype=np.float32)
        for term, weight in weighted_terms.items():
            if weight and self.has(term):
                total += weight * self.term_scores(term)
        return total
