"""How likely a question is to be about something the library holds, from its wording alone.

Near-domain questions (生育津贴, 种植牙, 惠民保, 社保卡挂失…) find clauses that share most of their
words; what gives them away is vocabulary — words of other insurances and services. A character
1–3-gram TF-IDF logistic model over the annotated questions learns that vocabulary (小孩 or 大人 are
everyday words of answerable questions, 津贴 or 挂失 are not). It is one feature of the
answerability model, never a decision on its own, and it learns words, not clauses.

Stored as plain JSON (n-gram → weight), applied without scikit-learn at query time.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge_base.normalize import normalize_text

NGRAMS = (1, 3)
MIN_DF = 2
C = 1.0


_NOT_WORDS = re.compile(r"[^\u4e00-\u9fff0-9a-zA-Z]+")
_YEARS = re.compile(r"(?:19|20)\d\d年?|\d\d年")


def wording(text: str) -> str:
    """The words that carry a topic: normalised, without the places and years a question names
    (exact scope rules judge those, and near-domain questions about an unheld place must not teach
    that 起付线 is a word of unanswerable questions) and without punctuation."""
    from knowledge_base.search.scope import place_mentions

    text = normalize_text(text)
    for place in sorted(place_mentions(text), key=len, reverse=True):
        text = text.replace(place, " ")
    return _NOT_WORDS.sub("", _YEARS.sub(" ", text))


def _ngrams(text: str) -> Counter:
    text = wording(text)
    grams: Counter = Counter()
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        for i in range(len(text) - n + 1):
            grams[text[i:i + n]] += 1
    return grams


class QuestionPrior:
    def __init__(self, weights: dict[str, float], idf: dict[str, float], intercept: float) -> None:
        self.weights = weights
        self.idf = idf
        self.intercept = intercept

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[int]) -> QuestionPrior:
        from sklearn.linear_model import LogisticRegression

        grams = [_ngrams(t) for t in texts]
        df: Counter = Counter()
        for g in grams:
            df.update(g.keys())
        vocab = sorted(t for t, n in df.items() if n >= MIN_DF)
        index = {t: i for i, t in enumerate(vocab)}
        n_docs = len(texts)
        idf = {t: math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in vocab}
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for r, g in enumerate(grams):
            vec = cls._vector(g, idf)
            for t, v in vec.items():
                rows.append(r)
                cols.append(index[t])
                vals.append(v)
        x = csr_matrix((vals, (rows, cols)), shape=(n_docs, len(vocab)))
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        clf.fit(x, np.asarray(labels))
        weights = {t: float(w) for t, w in zip(vocab, clf.coef_[0], strict=True) if abs(w) > 1e-6}
        return cls(weights, idf, float(clf.intercept_[0]))

    @staticmethod
    def _vector(grams: Counter, idf: dict[str, float]) -> dict[str, float]:
        """Sublinear tf × idf, l2-normalised (as sklearn's TfidfVectorizer with sublinear_tf)."""
        vec = {t: (1.0 + math.log(c)) * idf[t] for t, c in grams.items() if t in idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def probability(self, text: str) -> float:
        """P(the library holds an answer), by wording; 0.5-ish for wording it has never seen."""
        vec = self._vector(_ngrams(text), self.idf)  # normed over every known n-gram, as in training
        z = self.intercept + sum(self.weights.get(t, 0.0) * v for t, v in vec.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_json(self) -> dict:
        return {"weights": self.weights, "idf": self.idf, "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict) -> QuestionPrior:
        return cls(data["weights"], data["idf"], data["intercept"])

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: Path) -> QuestionPrior:
        return cls.from_json(json.loads(Path(path).read_text("utf-8")))
