"""BM25 over analysed tokens, with per-term query weights, append/row-removal and persistence.

Stored are the raw term frequencies (a sparse clause × term matrix) and each clause's length;
the BM25 statistics — number of clauses, document frequency, average length — are computed from
them when an index is built or changed, and a term's scores over its postings when a query asks
for it. Nothing is baked in per clause, so adding one document is appending its rows
(`extended`) and withdrawing one is dropping rows (`take`): no re-scoring of the library, which
a precomputed-score index (bm25s, used before) needed, because every idf and the average length
move with each document (issue 11: 17.8 s per added document at 100× the library).

Lucene BM25 (the variant bm25s calls "lucene"; same figures): idf = ln(1 + (N − df + 0.5) /
(df + 0.5)), score = idf · tf / (tf + k1 · (1 − b + b · len / avg_len)).

Expanded synonyms must count less than the words the user typed, so scores are accumulated term
by term with a weight each; one term's scores touch only the clauses that contain it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

SUFFIX = ".bm25.npz"


class BM25Index:
    """One BM25 field (e.g. clause body, heading path) over a fixed list of documents."""

    def __init__(self, tf: sparse.csr_matrix, lengths: np.ndarray, vocab: dict[str, int],
                 k1: float = 1.2, b: float = 0.75) -> None:
        self._tf = tf  # documents × terms, raw counts
        self._lengths = np.asarray(lengths, dtype=np.float64)
        self._vocab = vocab
        self.k1, self.b = k1, b
        self.n_docs = tf.shape[0]
        avg = float(self._lengths.mean()) if self.n_docs else 1.0
        # the length part of every clause's denominator, fixed for a given library
        self._norm = k1 * (1.0 - b + b * self._lengths / (avg or 1.0))
        csc = tf.tocsc()
        csc.sort_indices()
        self._indptr, self._rows, self._tfs = csc.indptr, csc.indices, csc.data.astype(np.float64)
        self._scores: np.ndarray | None = None  # every posting's BM25 score (`_posting_scores`)

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def build(cls, docs_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        vocab: dict[str, int] = {}
        tf, lengths = _counts(docs_tokens, vocab)
        return cls(tf, lengths, vocab, k1, b)

    def extended(self, docs_tokens: Sequence[Sequence[str]]) -> BM25Index:
        """This index with documents appended (new terms join the vocabulary)."""
        vocab = dict(self._vocab)
        tf, lengths = _counts(docs_tokens, vocab)
        old = self._tf
        if old.shape[1] < len(vocab):
            old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab)))
        tf = sparse.vstack([old, tf], format="csr")
        return BM25Index(tf, np.concatenate([self._lengths, lengths]), vocab, self.k1, self.b)

    def take(self, rows: Sequence[int]) -> BM25Index:
        """This index restricted to the given documents, in that order."""
        idx = np.asarray(rows, dtype=np.int64)
        return BM25Index(self._tf[idx], self._lengths[idx], self._vocab, self.k1, self.b)

    @classmethod
    def concat(cls, parts: Sequence[BM25Index]) -> BM25Index:
        """One index over the documents of several (segments of a library, in order)."""
        if not parts:
            return cls.build([])
        vocab: dict[str, int] = {}
        mats = []
        for p in parts:
            remap = np.array([vocab.setdefault(t, len(vocab)) for t in p._terms_by_id()], dtype=np.int64)
            tf = p._tf
            mats.append((tf.data, remap[tf.indices] if len(remap) else tf.indices, tf.indptr, tf.shape[0]))
        blocks = [sparse.csr_matrix((d, i, ptr), shape=(n, len(vocab))) for d, i, ptr, n in mats]
        tf = sparse.vstack(blocks, format="csr")
        tf.sort_indices()
        return cls(tf, np.concatenate([p._lengths for p in parts]), vocab, parts[0].k1, parts[0].b)

    def _terms_by_id(self) -> list[str]:
        terms = [""] * len(self._vocab)
        for t, i in self._vocab.items():
            terms[i] = t
        return terms

    # -- persistence ----------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write to `path` (one .npz file: counts, lengths, vocabulary, parameters)."""
        tf = self._tf
        with open(path, "wb") as fh:
            np.savez(fh, data=tf.data.astype(np.float32), indices=tf.indices, indptr=tf.indptr,
                     lengths=self._lengths.astype(np.float32), shape=np.array(tf.shape, dtype=np.int64),
                     meta=np.frombuffer(json.dumps({"terms": self._terms_by_id(), "k1": self.k1, "b": self.b},
                                                   ensure_ascii=False).encode("utf-8"), dtype=np.uint8))

    @classmethod
    def load(cls, path: Path, n_docs: int | None = None) -> BM25Index:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            tf = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            lengths = z["lengths"]
        if n_docs is not None and tf.shape[0] != n_docs:
            raise ValueError(f"BM25 index holds {tf.shape[0]} documents, expected {n_docs}")
        vocab = {t: i for i, t in enumerate(meta["terms"])}
        return cls(tf, lengths, vocab, meta["k1"], meta["b"])

    # -- queries --------------------------------------------------------------------------------

    def terms(self) -> list[str]:
        """Every indexed term (the vocabulary), in no particular order."""
        return [t for t in self._vocab if t and self.df(t)]

    def has(self, term: str) -> bool:
        return term != "" and self.df(term) > 0

    def df(self, term: str) -> int:
        """Number of documents containing the term (0 for unknown terms)."""
        j = self._vocab.get(term)
        if j is None:
            return 0
        return int(self._indptr[j + 1] - self._indptr[j])

    def idf(self, term: str) -> float:
        """Lucene idf of a term (0 for unknown terms): used to weigh query coverage."""
        if not self.has(term):
            return 0.0
        df = self.df(term)
        return float(np.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents containing the term, their BM25 scores for it): only those documents.
        Both are read-only views of the index's arrays."""
        j = self._vocab.get(term)
        if j is None or term == "":
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        lo, hi = self._indptr[j], self._indptr[j + 1]
        return self._rows[lo:hi], self._posting_scores()[lo:hi]

    def _posting_scores(self) -> np.ndarray:
        """Every posting's BM25 score, idf(term) · tf / (tf + norm(document)) as float32, computed
        once per index (on first use, or by `warm`) instead of once per query term: it depends on
        the library alone. Each term's idf is the float `idf` gives, and the product and quotient
        run in float64 as they did per term, so every score is the very float32 it was."""
        scores = self._scores
        if scores is None:
            idf = np.zeros(len(self._indptr) - 1, dtype=np.float64)
            for term, j in self._vocab.items():
                if j < len(idf) and self._indptr[j + 1] > self._indptr[j]:
                    idf[j] = self.idf(term)
            per_posting = np.repeat(idf, np.diff(self._indptr))
            scores = (per_posting * self._tfs / (self._tfs + self._norm[self._rows])).astype(np.float32)
            scores.setflags(write=False)
            self._rows.setflags(write=False)
            self._scores = scores
        return scores

    def warm(self) -> None:
        """Compute the posting scores now (the service does before it reports ready)."""
        self._posting_scores()

    def term_scores(self, term: str) -> np.ndarray:
        """BM25 contribution of one term to every document."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        rows, scores = self.postings(term)
        out[rows] = scores
        return out

    def score(self, weighted_terms: Mapping[str, float]) -> np.ndarray:
        """Sum of weight × BM25 term score over the query terms."""
        total = np.zeros(self.n_docs, dtype=np.float32)
        for term, weight in weighted_terms.items():
            if weight:
                rows, scores = self.postings(term)
                total[rows] += weight * scores
        return total


def _counts(docs_tokens: Sequence[Sequence[str]], vocab: dict[str, int]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Term-count rows of the documents over `vocab` (extended in place with new terms)."""
    ids: list[int] = []
    lengths = np.zeros(len(docs_tokens), dtype=np.float64)
    for d, toks in enumerate(docs_tokens):
        lengths[d] = len(toks)
        ids.extend(vocab.setdefault(t, len(vocab)) for t in toks)
    rows = np.repeat(np.arange(len(docs_tokens), dtype=np.int64), lengths.astype(np.int64))
    tf = sparse.csr_matrix((np.ones(len(ids), dtype=np.float32), (rows, np.asarray(ids, dtype=np.int64))),
                           shape=(len(docs_tokens), len(vocab)))
    tf.sum_duplicates()
    return tf, lengths
