"""On-disk search index: BM25 fields, FAISS vectors, clause order and a manifest.

The manifest says what the index was built from — corpus hash, embedding model id, format version,
code version — so a service start can load it (well under a second) when nothing changed and
rebuild it only when something did. Writes go to a temporary sibling directory that replaces the
live one only once complete, so a failed build never leaves a half-written index behind.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.index.dense import DenseIndex, Encoder
from knowledge_base.ingest.loaders import SUFFIX_FORMAT
from knowledge_base.models import Clause
from knowledge_base.search.search import HybridSearcher, RetrievalConfig

FORMAT_VERSION = 2  # 2: segmented generations, BM25 as raw counts (library.py, bm25_index.py)
CORPUS_SUFFIXES = {*SUFFIX_FORMAT, ".markdown"}  # what the loaders read (one list: loaders.py)
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


class Manifest(BaseModel):
    format_version: int = FORMAT_VERSION
    corpus_hash: str
    model_id: str
    pipeline_version: str
    n_clauses: int
    sources: list[str] = Field(default_factory=list)  # corpus dirs/files ingested, in order
    fine_tokens: bool = True
    has_dense: bool = True
    chunk_ids: list[str] = Field(default_factory=list)  # row order of every index
    withdrawn: list[str] = Field(default_factory=list)  # files withdrawn from the sources (library.py)


def corpus_files(sources: Iterable[Path]) -> list[Path]:
    """Every document file under the sources (directories are walked), sorted, no repeats."""
    files: dict[Path, None] = {}
    for src in sources:
        src = Path(src)
        if src.is_dir():
            for f in sorted(src.rglob("*")):
                # an upload's effective-date sidecar changes the clauses, so it is part of the corpus
                if f.is_file() and (f.suffix.lower() in CORPUS_SUFFIXES or f.name.endswith(".meta.json")):
                    files[f.resolve()] = None
        elif src.is_file():
            files[src.resolve()] = None
    return list(files)


def corpus_hash(sources: Iterable[Path]) -> str:
    """Content hash of the corpus: file names and bytes (paths may move, content may not)."""
    h = hashlib.sha256()
    for f in corpus_files(sources):
        h.update(f.name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:32]


# Subpackages whose code does not decide what an index holds: the learned judge has its own
# MODEL_VERSION and is retrained at every ingest.
_NOT_INDEX_CODE = frozenset({"learned"})


def _index_code_files() -> list[Path]:
    """The package's modules, its subpackages' too (the pipeline's steps live in subpackages,
    the format readers in `formats/`), except those in `_NOT_INDEX_CODE`."""
    files = list(_PACKAGE_DIR.glob("*.py"))
    for sub in _PACKAGE_DIR.iterdir():
        if sub.name not in _NOT_INDEX_CODE and (sub / "__init__.py").is_file():
            files.extend(sub.rglob("*.py"))
    return sorted(files)


def code_version() -> str:
    """Hash of the knowledge-base code and resources: changing the segmenter, the dictionary or
    the synonyms changes what an index would contain, so it invalidates the index."""
    # PIPELINE_VERSION lives in pipeline.py, whose bytes are hashed below: no import needed
    # (importing the ingestion pipeline cost a quarter of the index load time).
    h = hashlib.sha256()
    for f in _index_code_files() + sorted((_PACKAGE_DIR / "resources").glob("*")):
        if f.is_file():
            h.update(f.relative_to(_PACKAGE_DIR).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the current generation (library.py), else of a legacy flat index dir."""
    from knowledge_base.index.library import current_generation

    path = (current_generation(index_dir) or index_dir) / "manifest.json"
    if not path.exists():
        return None
    try:
        return Manifest.model_validate_json(path.read_text("utf-8"))
    except ValueError:
        return None  # unreadable manifest = no usable index; the caller rebuilds


def save_index(searcher: HybridSearcher, index_dir: Path, manifest: Manifest) -> None:
    """Write the searcher's indexes and the manifest, replacing `index_dir` atomically."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}-", dir=index_dir.parent))
    try:
        searcher.body.save(tmp / "bm25_body")
        searcher.heading.save(tmp / "bm25_heading")
        if searcher.dense is not None:
            searcher.dense.save(tmp)
        manifest = manifest.model_copy(
            update={"chunk_ids": [c.chunk_id for c in searcher.clauses], "has_dense": searcher.dense is not None}
        )
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=1), "utf-8")
        old = index_dir.with_name(index_dir.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if index_dir.exists():
            index_dir.rename(old)
        tmp.rename(index_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def load_index(
    index_dir: Path,
    manifest: Manifest,
    clauses: Sequence[Clause],
    encoder: Encoder | None,
    config: RetrievalConfig,
) -> HybridSearcher:
    """Rebuild the searcher from disk; clauses are re-ordered to the index's row order.

    Raises ValueError when the stored clause ids do not match the index (store and index out of
    step), which the caller treats as "rebuild"."""
    by_id = {c.chunk_id: c for c in clauses}
    missing = [cid for cid in manifest.chunk_ids if cid not in by_id]
    if missing or len(manifest.chunk_ids) != len(by_id):
        raise ValueError(f"index and clause store disagree ({len(missing)} ids missing)")
    ordered = [by_id[cid] for cid in manifest.chunk_ids]
    n = len(ordered)
    body = BM25Index.load(index_dir / "bm25_body", n)
    heading = BM25Index.load(index_dir / "bm25_heading", n)
    dense = DenseIndex.load(index_dir) if manifest.has_dense and encoder is not None else None
    return HybridSearcher(ordered, body, heading, dense, encoder, config.with_(fine_tokens=manifest.fine_tokens))
