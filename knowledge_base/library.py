"""The library on disk as generations, and changes of one document without a rebuild.

**Generations.** Everything one searcher needs — clauses (the IngestResult), the token lists of
both BM25 fields, the BM25 indexes, the dense vectors and the manifest — is written into a fresh
directory `index/gen-…`, each file fsynced, and only then does the one-line pointer file
`index/CURRENT` move to it (`os.replace`, atomic). A failure or a kill -9 at any step leaves
CURRENT naming the previous complete generation: store and index cannot disagree, because they
are one directory. Unreferenced generations are removed after the swap (and at the next write).

**Incremental changes** (`add`, `replace`, `withdraw`): only the changed document is loaded,
cleaned, segmented and tokenised; BM25 is rebuilt from the kept token lists (no jieba on the rest
of the library), the dense index keeps its vectors and encodes only the new clauses with the
encoder as trained (retrained by the next full build), versions are recomputed. The learned judge
stays attached (its features are clause-independent); the char-bigram index and `signals()` are
rebuilt lazily by the new searcher. Differences from a full rebuild, by design: a new clause
equal in text to an existing one becomes one more source of it (exact duplicates only; the full
build's near-duplicate grouping runs at the next rebuild).

`FAULT_HOOK(step)` is called before each step of a write; tests use it to inject failures.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.bm25_index import BM25Index
from knowledge_base.clause_tokens import body_tokens, heading_tokens
from knowledge_base.dense import DenseIndex, Encoder
from knowledge_base.models import Clause, SourceLocation
from knowledge_base.search import HybridSearcher, RetrievalConfig

CURRENT = "CURRENT"
GEN_PREFIX = "gen-"
CLAUSES_FILE = "clauses.json"
TOKENS_FILE = "tokens.json"
MODEL_DIR = "model"
STEPS = ("bm25_body", "bm25_heading", "dense", "model", "tokens", "clauses", "manifest", "publish", "pointer")
FAULT_HOOK: Callable[[str], None] | None = None


class LibraryError(RuntimeError):
    """A document change that cannot be made (Chinese message); the library is unchanged."""


class NoGenerationError(LibraryError):
    """The library on disk predates generations: one full ingest is needed first."""


@dataclass
class Tokens:
    body: list[list[str]]
    heading: list[list[str]]

    @classmethod
    def of(cls, clauses: Sequence[Clause], fine: bool) -> Tokens:
        return cls([body_tokens(c, fine) for c in clauses], [heading_tokens(c, fine) for c in clauses])

    def take(self, rows: Sequence[int]) -> Tokens:
        return Tokens([self.body[i] for i in rows], [self.heading[i] for i in rows])

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(self.body + other.body, self.heading + other.heading)


def _step(name: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(name)


def _fsync_tree(path: Path) -> None:
    for f in sorted(path.rglob("*")):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_generation(root: Path) -> Path | None:
    """The generation CURRENT names, if it is there."""
    pointer = root / CURRENT
    try:
        name = pointer.read_text("utf-8").strip()
    except OSError:
        return None
    gen = root / name
    return gen if name.startswith(GEN_PREFIX) and gen.is_dir() else None


def build_searcher(
    clauses: Sequence[Clause], tokens: Tokens, vectors: np.ndarray | None, encoder: Encoder | None,
    config: RetrievalConfig,
) -> HybridSearcher:
    """A searcher from clauses, their tokens and (optionally) their dense vectors."""
    body = BM25Index.build(tokens.body)
    heading = BM25Index.build(tokens.heading)
    dense = DenseIndex.build(vectors) if vectors is not None and len(clauses) else None
    return HybridSearcher(clauses, body, heading, dense, encoder, config)


def dense_vectors(searcher: HybridSearcher) -> np.ndarray | None:
    if searcher.dense is None:
        return None
    index = searcher.dense._index
    return index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d), dtype=np.float32)


def write_generation(root: Path, searcher: HybridSearcher, result, manifest, tokens: Tokens) -> Path:
    """Write a complete generation and point CURRENT at it (see module docstring)."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GEN_PREFIX}{time.time_ns()}-{uuid.uuid4().hex[:6]}"
    tmp = root / f".{name}.tmp"
    tmp.mkdir()
    try:
        _step("bm25_body")
        searcher.body.save(tmp / "bm25_body")
        _step("bm25_heading")
        searcher.heading.save(tmp / "bm25_heading")
        _step("dense")
        if searcher.dense is not None:
            searcher.dense.save(tmp)
        _step("model")
        model_dir = getattr(searcher.encoder, "model_dir", None)
        if model_dir is not None and Path(model_dir).is_dir():
            # the built-in encoder is part of the generation: a failed rebuild that retrained the
            # live model must not leave a generation whose vectors another model made
            shutil.copytree(model_dir, tmp / MODEL_DIR)
        _step("tokens")
        (tmp / TOKENS_FILE).write_text(json.dumps({"body": tokens.body, "heading": tokens.heading}, ensure_ascii=False), "utf-8")
        _step("clauses")
        (tmp / CLAUSES_FILE).write_text(result.model_dump_json(), "utf-8")
        _step("manifest")
        manifest = manifest.model_copy(
            update={"chunk_ids": [c.chunk_id for c in searcher.clauses], "has_dense": searcher.dense is not None,
                    "n_clauses": len(searcher.clauses)}
        )
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=1), "utf-8")
        _fsync_tree(tmp)
        _step("publish")
        gen = root / name
        tmp.rename(gen)
        _fsync_dir(root)
        _step("pointer")
        pointer_tmp = root / f".{CURRENT}.{uuid.uuid4().hex[:6]}.tmp"
        with open(pointer_tmp, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(pointer_tmp, root / CURRENT)
        _fsync_dir(root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        for stray in root.glob(f".{CURRENT}.*.tmp"):
            stray.unlink(missing_ok=True)
    collect_garbage(root)
    return gen


def collect_garbage(root: Path) -> None:
    """Remove generations CURRENT does not name and unfinished temporary ones (best effort)."""
    keep = current_generation(root)
    for d in root.iterdir():
        if d.is_dir() and (d.name.startswith(GEN_PREFIX) or d.name.startswith(f".{GEN_PREFIX}")) and d != keep:
            shutil.rmtree(d, ignore_errors=True)


def generation_encoder(gen: Path):
    """The built-in encoder saved with a generation, or None (another model, or BM25 only)."""
    if not (gen / MODEL_DIR).is_dir():
        return None
    from knowledge_base.dense import StaticEncoder

    return StaticEncoder(gen / MODEL_DIR)


def read_generation(gen: Path):
    """(IngestResult, Tokens) of a generation."""
    from knowledge_base.pipeline import IngestResult

    result = IngestResult.model_validate_json((gen / CLAUSES_FILE).read_text("utf-8"))
    raw = json.loads((gen / TOKENS_FILE).read_text("utf-8"))
    return result, Tokens(raw["body"], raw["heading"])


# -- one-document changes -----------------------------------------------------------------------


@dataclass
class Change:
    """The library after a change: clauses (searcher order), tokens, vectors, documents."""

    clauses: list[Clause]
    tokens: Tokens
    vectors: np.ndarray | None
    documents: list
    errors: list


def without_file(clauses: Sequence[Clause], tokens: Tokens, vectors: np.ndarray | None, file: str):
    """Drop `file` from every clause's sources; a clause left with none goes (rows kept in order)."""
    keep_rows: list[int] = []
    kept: list[Clause] = []
    for i, c in enumerate(clauses):
        if not any(s.file == file for s in c.sources):
            keep_rows.append(i)
            kept.append(c)
            continue
        rest = [s for s in c.sources if s.file != file]
        if rest:  # a duplicate elsewhere survives; the next full build re-derives its canonical copy
            keep_rows.append(i)
            kept.append(c.model_copy(update={"sources": rest}))
    vecs = vectors[keep_rows] if vectors is not None else None
    return kept, tokens.take(keep_rows), vecs


def with_document(
    clauses: list[Clause], tokens: Tokens, vectors: np.ndarray | None, new: Sequence[Clause],
    encoder: Encoder | None, fine: bool,
):
    """Append a document's clauses; one equal in text to an existing clause becomes its source."""
    by_text = {c.text: i for i, c in enumerate(clauses)}
    taken = {c.chunk_id for c in clauses}
    fresh: list[Clause] = []
    clauses = list(clauses)
    for c in new:
        if c.text in by_text:
            i = by_text[c.text]
            clauses[i] = clauses[i].model_copy(update={"sources": [*clauses[i].sources, *c.sources]})
            continue
        if c.chunk_id in taken:
            c = c.model_copy(update={"chunk_id": f"{c.chunk_id}-{uuid.uuid4().hex[:4]}"})
        fresh.append(c)
        taken.add(c.chunk_id)
    tokens = tokens + Tokens.of(fresh, fine)
    if vectors is not None and encoder is not None:
        from knowledge_base.normalize import normalize_text

        add = encoder.encode([normalize_text(c.index_text) for c in fresh]) if fresh else np.zeros((0, vectors.shape[1]), np.float32)
        vectors = np.vstack([vectors, add.astype(np.float32)])
    return clauses + fresh, tokens, vectors


def file_sources(clauses: Sequence[Clause]) -> set[str]:
    return {s.file for c in clauses for s in c.sources}


def locate(source: SourceLocation) -> str:  # pragma: no cover - convenience for logs
    return f"{source.file}:{source.line}"
