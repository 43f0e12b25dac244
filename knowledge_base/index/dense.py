"""Dense side of retrieval: text encoders and a FAISS inner-product index over unit vectors.

Two encoders, one interface:
- the project's own `builtin:static-zh` StaticEmbedding (built by `embedding_builder`). It is a
  real sentence-transformers model on disk, but queries are encoded here with `tokenizers` + numpy
  (identical arithmetic: token-embedding mean, then L2 norm), because importing torch would alone
  cost seconds and blow the < 1 s service start;
- any sentence-transformers model by name or path, loaded with `local_files_only=True` — never
  downloaded; a missing model is a clear error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np

BUILTIN_STATIC = "builtin:static-zh"
STATIC_DIRNAME = "static-zh"


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded (absent locally, or unreadable)."""


class Encoder(Protocol):
    model_id: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def _unit(mat: np.ndarray) -> np.ndarray:
    mat = np.asarray(mat, dtype=np.float32)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


def builtin_model_dir(data_dir: Path) -> Path:
    return data_dir / "models" / STATIC_DIRNAME


class StaticEncoder:
    """Fast path for a saved StaticEmbedding: tokenizer.json + embedding matrix, no torch."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        # sentence-transformers saves a lone module at the root, otherwise in a numbered subfolder
        module_dir = next((d for d in (model_dir, model_dir / "0_StaticEmbedding") if (d / "tokenizer.json").exists()), None)
        if module_dir is None:
            raise EmbeddingModelError(f"内置嵌入模型不完整或不存在: {model_dir}(请运行 medpolicy build-embedding)")
        self.model_dir = Path(model_dir)  # copied into each library generation (library.py)
        self._tok = Tokenizer.from_file(str(module_dir / "tokenizer.json"))
        weights = load_file(str(module_dir / "model.safetensors"))
        self._emb = next(iter(weights.values())).astype(np.float32)
        meta = model_dir / "medpolicy_model.json"
        self.model_id = json.loads(meta.read_text("utf-8"))["model_id"] if meta.exists() else BUILTIN_STATIC

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._emb.shape[1]), dtype=np.float32)
        for i, enc in enumerate(self._tok.encode_batch(list(texts), add_special_tokens=False)):
            if enc.ids:
                out[i] = self._emb[enc.ids].mean(axis=0)
        return _unit(out)


class SentenceTransformerEncoder:
    """Any locally available sentence-transformers model (e.g. a BGE Chinese model)."""

    def __init__(self, name_or_path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
        except Exception as exc:  # missing files surface as OSError/ValueError depending on version
            raise EmbeddingModelError(
                f"无法在本地加载嵌入模型“{name_or_path}”(本系统不会联网下载模型;"
                f"请先把模型放到本地路径或 Hugging Face 缓存,或改用 builtin:static-zh): {exc}"
            ) from exc
        self.model_id = name_or_path

    def encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=32, show_progress_bar=False, convert_to_numpy=True)
        return _unit(vecs)


def load_encoder(model: str, data_dir: Path) -> Encoder:
    """The encoder a setting names; the builtin one must already be built (ingest builds it)."""
    if model == BUILTIN_STATIC:
        return StaticEncoder(builtin_model_dir(data_dir))
    return SentenceTransformerEncoder(model)


class DenseIndex:
    """Exact inner-product search (FAISS flat index) over unit vectors = cosine similarity."""

    FILENAME = "dense.faiss"

    def __init__(self, index) -> None:
        self._index = index
        self._matrix: np.ndarray | None = None  # the vectors, read out of the index on first use

    @property
    def n_docs(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        import faiss

        vectors = _unit(vectors)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(directory / self.FILENAME))

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(directory / cls.FILENAME)))

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to every document, in document order.

        One matrix-vector product over the stored unit vectors: the same figures as the index's
        exhaustive search, without asking it to sort every document (a full sort per query grew
        with the library: issue 11)."""
        matrix = self._matrix
        if matrix is None:
            n = self.n_docs
            matrix = self._matrix = (self._index.reconstruct_n(0, n) if n
                                     else np.zeros((0, self._index.d), dtype=np.float32))
        return matrix @ np.asarray(query_vec, dtype=np.float32).reshape(-1)
