"""A learned query-side representation (issue 9): a citizen's question, read as character n-grams,
mapped by one linear model to the policy texts' vocabulary — the "expanded query".

Why: the word translation table (`learned.translation`) translates word by word, and a word it
never saw translates to nothing; citizens' questions are full of such words (dialect, typos,
segmentation of colloquial phrases: 打零工, 注院费报消, 踢出去). Character n-grams share pieces
with words never seen whole, and one model over all of the question's n-grams at once weighs
them in context (报销 says little, 零工 a lot), instead of word by word.

What it learns is vocabulary, never clauses: the targets are the gold quotes' words that appear in
the quotes of at least `MIN_CLAUSES` different gold clauses (as the translation table's pairs),
and the model sees only the question's n-grams, so its output means the same thing for a document
added later. Model: TF-IDF of the question's character 1–3-grams (sublinear tf, l2) → ridge
regression onto the centred word indicators, reduced to the `RANK` leading directions of the
targets (reduced-rank ridge: two small factors instead of an n-gram × word matrix).
Deterministic (ARPACK with a fixed start vector, conjugate gradients from zero).

Used as ranker features (`learned.features`): the share of the expansion's weight a clause holds
(and its rank over the library), and that share in the clause's best sentence.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILE_NAME = "query_expansion.npz"
NGRAMS = (1, 3)  # character n-gram lengths of the question
MIN_DF = 3  # an n-gram must occur in this many training questions
MIN_CLAUSES = 3  # a target word must occur in the gold quotes of this many distinct gold clauses
RANK = 64  # reduced-rank ridge: directions of the targets kept
ALPHA = 1.0  # ridge penalty
TOP_WORDS = 20  # the expansion: this many words with the highest predicted increase


def char_ngrams(text: str, lo: int = NGRAMS[0], hi: int = NGRAMS[1]) -> list[str]:
    """Character n-grams of the (normalised) text, spaces collapsed, lengths lo..hi."""
    t = " ".join(text.lower().split())
    return [t[k:k + n] for n in range(lo, hi + 1) for k in range(len(t) - n + 1)]


class QueryExpansion:
    def __init__(self, ngrams: Sequence[str], idf: np.ndarray, coef: np.ndarray, basis: np.ndarray,
                 mean: np.ndarray, vocab: Sequence[str]) -> None:
        self.ngrams = {g: k for k, g in enumerate(ngrams)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float32)  # n-grams × RANK
        self.basis = np.asarray(basis, dtype=np.float32)  # RANK × words
        self.mean = np.asarray(mean, dtype=np.float32)  # words: the base rate of each target word
        self.vocab = list(vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self.ngrams[g] for g in char_ngrams(text) if g in self.ngrams)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.array(sorted(counts), dtype=np.int64)
        vals = np.array([1.0 + math.log(counts[c]) for c in cols]) * self.idf[cols]
        return cols, vals / (float(np.linalg.norm(vals)) or 1.0)

    def increase(self, text: str) -> np.ndarray:
        """For each vocabulary word, how much more likely the question's gold text holds it than
        an average question's (the model's prediction minus the base rate)."""
        cols, vals = self._vector(text)
        if not len(cols):
            return np.zeros(len(self.vocab), dtype=np.float64)
        latent = vals @ self.coef[cols].astype(np.float64)
        return latent @ self.basis.astype(np.float64)

    def expand(self, text: str, top: int = TOP_WORDS) -> dict[str, float]:
        """The `top` words with the highest positive increase, each with it (best first)."""
        up = self.increase(text)
        order = np.argsort(-up, kind="stable")[:top]
        return {self.vocab[k]: float(up[k]) for k in order if up[k] > 0.0}

    # -- fitting -----------------------------------------------------------------------------

    @classmethod
    def fit(cls, questions: Sequence[str], targets: Sequence[Sequence[str]], keys: Sequence[str],
            rank: int = RANK, alpha: float = ALPHA) -> QueryExpansion | None:
        """`questions` (normalised texts), each one's gold words (`targets`) and gold clause
        (`keys`, what `MIN_CLAUSES` counts). None when there is too little to learn from."""
        import scipy.sparse as sp
        from scipy.sparse.linalg import svds
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import Ridge

        seen: dict[str, set[str]] = defaultdict(set)
        for words, key in zip(targets, keys, strict=True):
            for w in set(words):
                seen[w].add(key)
        vocab = sorted(w for w, s in seen.items() if len(s) >= MIN_CLAUSES)
        if len(vocab) <= rank or len(questions) <= rank:
            return None
        index = {w: k for k, w in enumerate(vocab)}
        rows, cols = [], []
        for n, words in enumerate(targets):
            for w in sorted(set(words)):
                if w in index:
                    rows.append(n)
                    cols.append(index[w])
        y = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(targets), len(vocab))).toarray()
        mean = y.mean(axis=0)
        y -= mean
        vectorizer = TfidfVectorizer(analyzer=char_ngrams, min_df=MIN_DF, sublinear_tf=True, dtype=np.float64)
        x = vectorizer.fit_transform(questions)
        # the targets' leading directions (a fixed start vector: the same basis every run)
        _, _, vt = svds(y, k=rank, v0=np.full(min(y.shape), 1.0 / math.sqrt(min(y.shape))))
        vt = vt[::-1]
        signs = np.sign(vt[np.arange(rank), np.abs(vt).argmax(axis=1)])  # fix each direction's sign
        vt *= signs[:, None]
        ridge = Ridge(alpha=alpha, fit_intercept=False, solver="sparse_cg", tol=1e-4).fit(x, y @ vt.T)
        ngrams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        return cls(ngrams, vectorizer.idf_, ridge.coef_.T, vt, mean, vocab)

    # -- persistence -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        ngrams = sorted(self.ngrams, key=self.ngrams.__getitem__)
        buf = io.BytesIO()
        np.savez_compressed(buf, ngrams=np.array(ngrams), idf=self.idf, coef=self.coef, basis=self.basis,
                            mean=self.mean, vocab=np.array(self.vocab))
        Path(path).write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> QueryExpansion | None:
        try:
            with np.load(Path(path), allow_pickle=False) as d:
                return cls([str(g) for g in d["ngrams"]], d["idf"], d["coef"], d["basis"], d["mean"],
                           [str(w) for w in d["vocab"]])
        except (OSError, ValueError, KeyError):
            return None


def fit_on(clauses, items) -> QueryExpansion | None:
    """Fitted on the annotated answerable items' (question, gold quotes' words) pairs
    (`translation.pairs_from`: the same words and keys the translation table learns from)."""
    from knowledge_base.learned.translation import pairs_from
    from knowledge_base.normalize import normalize_text

    usable = [i for i in items if i.type == "answerable" and i.gold]
    pairs = pairs_from(clauses, usable)
    return QueryExpansion.fit([normalize_text(i.question) for i in usable], [p.clause for p in pairs],
                              [p.key for p in pairs])


def out_of_document_models(clauses, items, folds: Sequence[int]) -> list[QueryExpansion | None]:
    """One model per fold of `folds` (`translation.document_folds`), fitted without its items."""
    k = max(folds, default=-1) + 1
    return [fit_on(clauses, [i for i, g in zip(items, folds, strict=True) if g != f]) for f in range(k)]


class ExpansionScores:
    """One question's expansion over a searcher's clauses: `share` = the expansion's weight each
    clause holds over its total weight (words as the body index holds them), and `words` for the
    best sentence (`TranslationScores.best_sentences`' form with no translations)."""

    def __init__(self, share: np.ndarray, words: Sequence[tuple[float, str, tuple]] = ()) -> None:
        self.share = share
        self.words = tuple(words)


def score(model: QueryExpansion | None, body, text: str, n: int) -> ExpansionScores:
    if model is None or not n:
        return ExpansionScores(np.zeros(n, dtype=np.float64))
    expansion = model.expand(text)
    total = sum(expansion.values())
    share = np.zeros(n, dtype=np.float64)
    if not total:
        return ExpansionScores(share)
    for w, weight in expansion.items():
        rows, _ = body.postings(w)
        share[rows] += weight
    return ExpansionScores(share / total, [(weight, w, ()) for w, weight in expansion.items()])
