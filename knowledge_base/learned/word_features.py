"""The clauses seen through general-language word vectors (`knowledge_base.learned.word_vectors`): one
vector per clause and per sentence, built once per searcher, and the question's similarity to
them — features for the learned ranker that do not depend on the corpus having seen a word."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.learned import word_vectors
from knowledge_base.models import Clause
from knowledge_base.normalize import normalize_text
from knowledge_base.search.rerank import sentences
from knowledge_base.search.tokenize import coarse_tokens


@dataclass
class QueryWords:
    """A question read through the word vectors: its vector and its content words."""

    vector: np.ndarray
    words: list[str]


class ClauseVectors:
    """Unit vectors of each clause body and of each of its sentences (zeros without the package)."""

    def __init__(self, vectors: word_vectors.WordVectors | None, body: np.ndarray,
                 sentence_rows: list[np.ndarray], weight: Callable[[str], float]) -> None:
        self.vectors = vectors
        self.body = body
        self.sentence_rows = sentence_rows
        self.weight = weight

    @classmethod
    def build(cls, clauses: Sequence[Clause], weight: Callable[[str], float]) -> ClauseVectors:
        vectors = word_vectors.load()
        n = len(clauses)
        if vectors is None:
            return cls(None, np.zeros((n, word_vectors.DIM), dtype=np.float32),
                       [np.zeros((1, word_vectors.DIM), dtype=np.float32)] * n, weight)
        body = np.zeros((n, word_vectors.DIM), dtype=np.float32)
        sentence_rows = []
        for i, clause in enumerate(clauses):
            text = normalize_text(clause.text)
            body[i] = vectors.text_vector(coarse_tokens(text), weight)
            parts = sentences(text) or [text]
            sentence_rows.append(np.vstack([vectors.text_vector(coarse_tokens(s), weight) for s in parts]))
        return cls(vectors, body, sentence_rows, weight)

    def read(self, text: str) -> QueryWords:
        words = coarse_tokens(normalize_text(text))
        if self.vectors is None:
            return QueryWords(np.zeros(word_vectors.DIM, dtype=np.float32), words)
        return QueryWords(self.vectors.text_vector(words, self.weight), words)

    def scores(self, query: QueryWords) -> np.ndarray:
        return self.body @ query.vector

    def best_sentence(self, query: QueryWords, i: int) -> float:
        return float((self.sentence_rows[i] @ query.vector).max())

    def synonyms(self, word: str) -> frozenset[str]:
        return self.vectors.synonyms(word) if self.vectors is not None else frozenset()
