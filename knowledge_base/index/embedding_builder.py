"""Build `builtin:static-zh`: a sentence-transformers StaticEmbedding trained on the corpus itself.

No model may be downloaded, so the project makes its own, deterministically and in seconds:

1. Vocabulary: the jieba tokens (coarse + fine) of every clause, every CJK character seen, and the
   synonym file's terms. Tokenizer: a `tokenizers` Unigram model whose log-probabilities are the
   corpus frequencies — Viterbi segmentation, i.e. the same principle as jieba's, so the saved
   model segments raw Chinese text on its own; unseen characters become [UNK] one by one.
2. Weights: latent semantic analysis. The clause × term TF-IDF matrix is factorised by SVD and a
   term's vector is its row of V·S, so terms that occur in the same clauses get close vectors.
3. Synonym terms absent from the corpus (门槛费) get the mean vector of their targets (起付线,
   起付标准); present ones are blended with it. This is where the dense side can add something
   BM25's literal matching lacks.
4. Contrastive fine-tuning (`embedding_training`) of those vectors on pairs mined from the
   clauses themselves — heading → body, sentence → rest of clause, synonym rewrite → original —
   with MultipleNegativesRankingLoss, when the (heading, body) sections are given.

Determinism: the randomised SVD runs with a fixed seed, so the same input gives the same factors;
signs are fixed so the largest-magnitude component of each singular vector is positive.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.index.dense import BUILTIN_STATIC
from knowledge_base.index.embedding_training import TrainingSettings, train_static
from knowledge_base.normalize import normalize_text
from knowledge_base.search.synonyms import SynonymTable, load_synonyms
from knowledge_base.search.tokenize import analyze, stopwords

BUILDER_VERSION = "lsa-idf-unigram-4+mnrl-1"  # 4: randomised sparse SVD
UNK = "[UNK]"
LSA_POWER_ITERATIONS = 7  # power iterations of the randomised SVD (subspace accuracy vs time)
LSA_OVERSAMPLES = 128  # extra random directions beyond the wanted dimension (accuracy vs time, measured)
_CJK = range(0x3400, 0xA000)


def _doc_features(text: str) -> list[str]:
    toks = analyze(text, fine=True, normalized=True)
    chars = [c for c in text if ord(c) in _CJK]
    return toks + chars


def _tfidf(docs: list[list[str]], vocab: list[str]):
    """The sublinear TF-IDF clause × term matrix (rows L2-normalised) as scipy CSR, and the idf.

    Sparse: a clause holds a few dozen of the vocabulary's terms, so a dense matrix is >99 %
    zeros (at 100× the library, 31,000 clauses × 20,000 terms would be 5 GB)."""
    from scipy import sparse

    index = {t: i for i, t in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for d, feats in enumerate(docs):
        for term, count in Counter(feats).items():
            rows.append(d)
            cols.append(index[term])
            vals.append(1.0 + math.log(count))
    mat = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float64)
    df = np.bincount(mat.indices, minlength=len(vocab))
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    mat = mat @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
    mat = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ mat
    return mat.tocsr(), idf


def _lsa_vectors(docs: list[list[str]], vocab: list[str], dim: int) -> np.ndarray:
    """Term vectors (rows) from the SVD of the sublinear TF-IDF clause × term matrix, each scaled
    by its idf: a static model averages token vectors, so scaling bakes idf weighting into that
    average (frequent, uninformative tokens pull the sentence vector less).

    The top `dim` singular triplets come from a randomised truncated SVD of the sparse matrix
    (Halko et al., scikit-learn's `randomized_svd`, fixed seed): its cost grows linearly with
    the clauses. The former route, eigh of the clause × clause Gram matrix, was exact but O(n²)
    memory and O(n³) time — at 100× the library (31,000 clauses) a 4 GB matrix that never
    finished (docs/BENCHMARKS.md "Library scale")."""
    from sklearn.utils.extmath import randomized_svd
    from threadpoolctl import threadpool_limits

    mat, idf = _tfidf(docs, vocab)
    k = max(1, min(dim, *mat.shape))
    # one BLAS thread: on two shared cores OpenBLAS's spinning threads made the QR steps ~10×
    # slower (measured), and one thread also keeps the float sums in one order
    with threadpool_limits(1):
        _u, s, vt = randomized_svd(mat, n_components=k, n_oversamples=LSA_OVERSAMPLES, n_iter=LSA_POWER_ITERATIONS,
                               random_state=0, flip_sign=False)
    keep = s > 1e-6
    s, vt = s[keep], vt[keep]
    k = len(s)
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    vt *= signs[:, None]
    vecs = vt.T * s
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    vecs = (vecs * idf[:, None]).astype(np.float32)
    stop = stopwords()
    for i, term in enumerate(vocab):
        if term in stop:
            vecs[i] = 0.0
    if k < dim:  # tiny corpora: pad so the dimension is fixed
        vecs = np.hstack([vecs, np.zeros((vecs.shape[0], dim - k), dtype=np.float32)])
    return vecs


def _apply_synonyms(vocab: list[str], vecs: np.ndarray, table: SynonymTable) -> tuple[list[str], np.ndarray]:
    index = {t: i for i, t in enumerate(vocab)}
    extra_terms: list[str] = []
    extra_vecs: list[np.ndarray] = []
    blended = vecs.copy()
    for term in sorted(table.expansions):
        targets = [index[t] for t in table.expansions[term] if t in index]
        if not targets:
            continue
        mean = vecs[targets].mean(axis=0)
        if term in index:
            blended[index[term]] = 0.5 * vecs[index[term]] + 0.5 * mean
        else:
            extra_terms.append(term)
            extra_vecs.append(mean)
    if extra_vecs:
        blended = np.vstack([blended, np.stack(extra_vecs)])
    return vocab + extra_terms, blended


def _unigram_tokenizer(vocab: list[str], counts: Counter):
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import Unigram

    total = sum(counts.values()) + len(vocab)
    floor = math.log(1.0 / total)
    pieces = [(UNK, floor - 10.0)]
    for term in vocab:
        pieces.append((term, math.log((counts.get(term, 0) + 1) / total)))
    tok = Tokenizer(Unigram(pieces, unk_id=0, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    return tok


def corpus_fingerprint(texts: Sequence[str], questions: Sequence[tuple[str, int]] = ()) -> str:
    """Identifies a built model: the builder, the clause texts and the annotated pairs it saw.

    Texts are fingerprinted as the builder reads them (`normalize_text`, idempotent): callers that
    check whether the built model is current pass the clauses' raw index texts, and a fingerprint
    of those never matched the builder's, so `medpolicy train` re-ingested every time."""
    h = hashlib.sha256(BUILDER_VERSION.encode())
    for t in texts:
        h.update(normalize_text(t).encode("utf-8"))
        h.update(b"\0")
    for q, g in questions:
        h.update(f"{q}\1{g}\0".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class _Base:
    """What every model of one corpus starts from: the LSA vectors and the tokenizer."""

    texts: list[str]
    weights: np.ndarray
    tokenizer: object
    vocab_size: int
    frozen: list[int]


def _base(texts: Sequence[str], dim: int) -> _Base:
    texts = [normalize_text(t) for t in texts]
    if not texts:
        raise ValueError("没有可用于训练嵌入模型的条款文本")
    docs = [_doc_features(t) for t in texts]
    counts: Counter = Counter()
    for feats in docs:
        counts.update(feats)
    vocab = sorted(counts)
    vecs = _lsa_vectors(docs, vocab, dim)
    vocab, vecs = _apply_synonyms(vocab, vecs, load_synonyms())
    tokenizer = _unigram_tokenizer(vocab, counts)
    weights = np.vstack([np.zeros((1, vecs.shape[1]), dtype=np.float32), vecs])  # row 0 = [UNK]
    vocab_ids = tokenizer.get_vocab()
    frozen = [0, *sorted(vocab_ids[w] for w in stopwords() if w in vocab_ids)]  # [UNK] + question words
    return _Base(texts, weights, tokenizer, len(vocab) + 1, frozen)


def _fine_tune_and_save(base: _Base, out_dir: Path, sections: Sequence[tuple[str, str]] | None,
                        training: TrainingSettings | None, questions: Sequence[tuple[str, int]]) -> Path:
    from sentence_transformers import SentenceTransformer
    try:  # sentence-transformers >= 6 moved the module classes
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers.models import StaticEmbedding

    texts, weights, tokenizer = base.texts, base.weights.copy(), base.tokenizer
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu")
    n_pairs = train_static(
        model, tokenizer, sections if sections is not None else [("", t) for t in texts],
        load_synonyms(), base.frozen, training, questions,
    )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".static-zh-", dir=out_dir.parent))
    try:
        model.save(str(tmp))
        fingerprint = corpus_fingerprint(texts, questions)
        meta = {
            "model_id": f"{BUILTIN_STATIC}@{fingerprint}",
            "builder_version": BUILDER_VERSION,
            "dim": int(weights.shape[1]),
            "vocab_size": base.vocab_size,
            "n_texts": len(texts),
            "n_training_pairs": n_pairs,
        }
        (tmp / "medpolicy_model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def build_static_embedding(
    texts: Sequence[str],
    out_dir: Path,
    dim: int = 128,
    sections: Sequence[tuple[str, str]] | None = None,
    training: TrainingSettings | None = None,
    questions: Sequence[tuple[str, int]] = (),
) -> Path:
    """Train the static model on `texts` (clause index texts) and save it to `out_dir` atomically.

    `sections` — (heading path, body) per clause — feed the contrastive stage; without them only
    the body-side pairs (sentence → rest, synonym rewrites) are mined from `texts`."""
    return _fine_tune_and_save(_base(texts, dim), Path(out_dir), sections, training, questions)


def build_static_embeddings(
    texts: Sequence[str],
    models: Sequence[tuple[Path, Sequence[tuple[str, int]]]],
    dim: int = 128,
    sections: Sequence[tuple[str, str]] | None = None,
    training: TrainingSettings | None = None,
) -> list[Path]:
    """Several models of one corpus, each fine-tuned on its own annotated pairs: (out_dir,
    questions) per model. The vocabulary, tokenizer and LSA vectors are computed once; each model
    is what `build_static_embedding` would build from the same arguments (the learned ranker's
    out-of-fold dense models, `learned.dense_folds`)."""
    base = _base(texts, dim)
    return [_fine_tune_and_save(base, Path(out), sections, training, qs) for out, qs in models]
