"""The library on disk as generations of segments, and changes of one document without a rebuild.

**Generations.** Everything one searcher needs is in one directory `index/gen-…`, and only once
it is complete (each new file fsynced) does the one-line pointer file `index/CURRENT` move to it
(`os.replace`, atomic). A failure or a kill -9 at any step leaves CURRENT naming the previous
complete generation: store and index cannot disagree, because they are one directory.
Unreferenced generations are removed after the swap (and at the next write).

**Segments.** A generation is a list of segments — `<seg>.clauses.json`, `<seg>.body.bm25.npz`,
`<seg>.heading.bm25.npz`, `<seg>.vectors.npy` — plus small files: `layout.json` (segment order,
and per segment the clause ids withdrawn from it), `overrides.json` (clauses of earlier segments
whose stored copy changed: a duplicate gained a source, a newer version superseded them),
`documents.json`, `manifest.json` and the encoder (`model/`). A full build writes one segment.
A change writes one new segment for the new document's clauses and *hard-links* every earlier
segment's files into the new generation: nothing unchanged is re-read, re-serialised or
re-written, so an add costs the new document, not the library (issue 11: 17.8 s per add at 100×
when every generation rewrote all clauses and token lists). Files are never modified once
written, so two generations sharing a file cannot disturb each other. Row order of every index =
the segments' clauses in order, minus the withdrawn ones. The next full build compacts.

**Incremental changes** (`add`, `replace`, `withdraw`): only the changed document is loaded,
cleaned, segmented and tokenised; BM25 appends its rows (statistics are computed from raw counts,
bm25_index.py), the dense index keeps its vectors and encodes only the new clauses with the
encoder as trained (retrained by the next full build), versions are recomputed. The learned
judge stays attached (its features are clause-independent); the char-bigram index and
`signals()` are rebuilt lazily by the new searcher. Differences from a full rebuild, by design:
a new clause equal in text to an existing one becomes one more source of it (exact duplicates
only; the full build's near-duplicate grouping runs at the next rebuild).

`FAULT_HOOK(step)` is called before each step of a write; tests use it to inject failures.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.index.clause_tokens import body_tokens, heading_tokens
from knowledge_base.index.dense import DenseIndex, Encoder
from knowledge_base.models import Clause, SourceLocation
from knowledge_base.search.search import HybridSearcher, RetrievalConfig

CURRENT = "CURRENT"
GEN_PREFIX = "gen-"
LAYOUT_FILE = "layout.json"
OVERRIDES_FILE = "overrides.json"
DOCUMENTS_FILE = "documents.json"
MODEL_DIR = "model"
SEGMENT_FILES = ("clauses.json", "body.bm25.npz", "heading.bm25.npz", "vectors.npy")
STEPS = ("segment", "bm25", "dense", "links", "model", "overrides", "documents", "manifest", "publish", "pointer")
FAULT_HOOK: Callable[[str], None] | None = None
_CLAUSES = TypeAdapter(list[Clause])


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


@dataclass
class Layout:
    """Segment order and, per segment, the clause ids withdrawn from it."""

    segments: list[str] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, gen: Path) -> Layout:
        raw = json.loads((gen / LAYOUT_FILE).read_text("utf-8"))
        return cls(list(raw["segments"]), {k: list(v) for k, v in raw.get("removed", {}).items()})

    def dump(self) -> str:
        return json.dumps({"segments": self.segments, "removed": self.removed}, ensure_ascii=False)


def _step(name: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(name)


def _fsync_files(paths: Sequence[Path]) -> None:
    for f in paths:
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(src: Path, dst: Path) -> None:
    """Hard link (the file is immutable); a copy where the filesystem has no hard links."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


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


@dataclass
class Segment:
    """A new segment's content: clauses (final form), their BM25 rows and vectors."""

    clauses: list[Clause]
    body: BM25Index
    heading: BM25Index
    vectors: np.ndarray | None


def _write_segment(tmp: Path, name: str, seg: Segment) -> list[Path]:
    written = []
    _step("segment")
    path = tmp / f"{name}.clauses.json"
    path.write_bytes(_CLAUSES.dump_json(seg.clauses))
    written.append(path)
    _step("bm25")
    for field_name, index in (("body", seg.body), ("heading", seg.heading)):
        path = tmp / f"{name}.{field_name}.bm25.npz"
        index.save(path)
        written.append(path)
    _step("dense")
    if seg.vectors is not None:
        path = tmp / f"{name}.vectors.npy"
        np.save(path, np.asarray(seg.vectors, dtype=np.float32))
        written.append(path)
    return written


def write_generation(
    root: Path, searcher: HybridSearcher, result, manifest, new: Segment | None = None,
    previous: Path | None = None, layout: Layout | None = None, overrides: Sequence[Clause] = (),
    rows: Sequence[str] | None = None,
) -> OnDisk:
    """Write a complete generation and point CURRENT at it (see module docstring).

    A full build passes the searcher alone (one segment of all its clauses); a change passes the
    `new` segment, the `previous` generation whose segments it keeps (hard links), the `layout`
    of the kept segments (with withdrawn ids), the `overrides` of kept clauses and each row's
    segment (`rows`, NEW_ROW for the new segment's). Returns where the library now is."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GEN_PREFIX}{time.time_ns()}-{uuid.uuid4().hex[:6]}"
    tmp = root / f".{name}.tmp"
    tmp.mkdir()
    layout = Layout(list(layout.segments), dict(layout.removed)) if layout is not None else Layout()
    if new is None:  # a full build: the searcher is the one segment
        new = Segment(list(searcher.clauses), searcher.body, searcher.heading, dense_vectors(searcher))
    try:
        seg_name = f"s{time.time_ns()}-{uuid.uuid4().hex[:4]}"
        written = _write_segment(tmp, seg_name, new) if new.clauses or not layout.segments else []
        _step("links")
        for seg in layout.segments:
            for suffix in SEGMENT_FILES:
                src = previous / f"{seg}.{suffix}" if previous is not None else None
                if src is not None and src.exists():
                    _link(src, tmp / src.name)
        if written:
            layout.segments.append(seg_name)
        _step("model")
        model_dir = getattr(searcher.encoder, "model_dir", None)
        if model_dir is not None and Path(model_dir).is_dir():
            # the built-in encoder is part of the generation: a failed rebuild that retrained the
            # live model must not leave a generation whose vectors another model made
            shutil.copytree(model_dir, tmp / MODEL_DIR, copy_function=_link)
        _step("overrides")
        small = []
        for fname, payload in (
            (OVERRIDES_FILE, _CLAUSES.dump_json(list(overrides))),
            (LAYOUT_FILE, layout.dump().encode("utf-8")),
        ):
            (tmp / fname).write_bytes(payload)
            small.append(tmp / fname)
        _step("documents")
        docs = {"pipeline_version": result.pipeline_version,
                "documents": [d.model_dump(mode="json") for d in result.documents],
                "errors": [e.model_dump(mode="json") for e in result.errors]}
        (tmp / DOCUMENTS_FILE).write_text(json.dumps(docs, ensure_ascii=False), "utf-8")
        small.append(tmp / DOCUMENTS_FILE)
        _step("manifest")
        manifest = manifest.model_copy(
            update={"chunk_ids": [c.chunk_id for c in searcher.clauses], "has_dense": searcher.dense is not None,
                    "n_clauses": len(searcher.clauses)}
        )
        (tmp / "manifest.json").write_text(manifest.model_dump_json(indent=1), "utf-8")
        small.append(tmp / "manifest.json")
        new_model = [f for f in (tmp / MODEL_DIR).rglob("*") if f.is_file()] if previous is None and (tmp / MODEL_DIR).is_dir() else []
        _fsync_files([*written, *small, *new_model])  # hard-linked files were fsynced when first written
        for d in [tmp, *(p for p in (tmp / MODEL_DIR).rglob("*") if p.is_dir())] + ([tmp / MODEL_DIR] if (tmp / MODEL_DIR).is_dir() else []):
            _fsync_dir(d)
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
    rows = [seg_name if r == NEW_ROW else r for r in rows] if rows is not None else [seg_name] * len(searcher.clauses)
    return OnDisk(gen, layout, list(overrides), rows)


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
    from knowledge_base.index.dense import StaticEncoder

    return StaticEncoder(gen / MODEL_DIR)


@dataclass
class Stored:
    """A generation as read back: clauses in row order, their indexes, documents and errors."""

    result: object  # IngestResult
    body: BM25Index
    heading: BM25Index
    vectors: np.ndarray | None
    layout: Layout
    overrides: list[Clause]
    rows: list[str]  # each row's segment


def read_generation(gen: Path, with_vectors: bool = True) -> Stored:
    """Read a generation's segments (withdrawn rows dropped, overrides applied)."""
    from knowledge_base.ingest.pipeline import IngestResult

    layout = Layout.read(gen)
    overrides = _CLAUSES.validate_json((gen / OVERRIDES_FILE).read_bytes())
    by_id = {c.chunk_id: c for c in overrides}
    clauses: list[Clause] = []
    bodies, headings, vectors = [], [], []
    rows: list[str] = []
    for seg in layout.segments:
        seg_clauses = _CLAUSES.validate_json((gen / f"{seg}.clauses.json").read_bytes())
        gone = set(layout.removed.get(seg, ()))
        keep = [i for i, c in enumerate(seg_clauses) if c.chunk_id not in gone]
        clauses += [by_id.get(seg_clauses[i].chunk_id, seg_clauses[i]) for i in keep]
        rows += [seg] * len(keep)
        for parts, field_name in ((bodies, "body"), (headings, "heading")):
            index = BM25Index.load(gen / f"{seg}.{field_name}.bm25.npz", len(seg_clauses))
            parts.append(index if len(keep) == len(seg_clauses) else index.take(keep))
        vec_path = gen / f"{seg}.vectors.npy"
        if with_vectors and vec_path.exists():
            vectors.append(np.load(vec_path)[keep])
    docs = json.loads((gen / DOCUMENTS_FILE).read_text("utf-8"))
    result = IngestResult(pipeline_version=docs["pipeline_version"], clauses=clauses,
                          documents=docs["documents"], errors=docs["errors"])
    if vectors and len(vectors) != len(layout.segments):
        raise ValueError("dense vectors missing for some segment of the generation")
    return Stored(result, BM25Index.concat(bodies), BM25Index.concat(headings),
                  np.vstack(vectors) if vectors else None, layout, overrides, rows)


def load_generation(gen: Path, manifest, encoder: Encoder | None, config: RetrievalConfig) -> tuple[HybridSearcher, OnDisk]:
    """The searcher of a generation; ValueError when its parts disagree (the caller rebuilds)."""
    stored = read_generation(gen, with_vectors=manifest.has_dense and encoder is not None)
    clauses = stored.result.clauses
    if [c.chunk_id for c in clauses] != manifest.chunk_ids:
        raise ValueError("generation clauses and manifest disagree")
    dense = DenseIndex.build(stored.vectors) if stored.vectors is not None and len(clauses) else None
    searcher = HybridSearcher(clauses, stored.body, stored.heading, dense, encoder,
                              config.with_(fine_tokens=manifest.fine_tokens))
    return searcher, OnDisk(gen, stored.layout, stored.overrides, stored.rows)


# -- one-document changes -----------------------------------------------------------------------

NEW_ROW = ""  # segment name of a row that is not on disk yet


@dataclass
class OnDisk:
    """Where the live library is on disk: generation, layout, overrides, each row's segment."""

    gen: Path
    layout: Layout
    overrides: list[Clause]
    row_segments: list[str]


@dataclass
class Live:
    """The library in memory during a change (rows in searcher order)."""

    clauses: list[Clause]
    body: BM25Index
    heading: BM25Index
    vectors: np.ndarray | None
    rows: list[str]  # each row's segment (NEW_ROW for the change's own clauses)
    removed: dict[str, list[str]]  # segment -> clause ids withdrawn from it by this change

    def take(self, keep: Sequence[int]) -> Live:
        return Live([self.clauses[i] for i in keep], self.body.take(keep), self.heading.take(keep),
                    self.vectors[list(keep)] if self.vectors is not None else None,
                    [self.rows[i] for i in keep], self.removed)


def without_file(live: Live, file: str) -> Live:
    """Drop `file` from every clause's sources; a clause left with none goes (rows kept in order)."""
    keep_rows: list[int] = []
    kept: list[Clause] = []
    for i, c in enumerate(live.clauses):
        if not any(s.file == file for s in c.sources):
            keep_rows.append(i)
            kept.append(c)
            continue
        rest = [s for s in c.sources if s.file != file]
        if rest:  # a duplicate elsewhere survives; the next full build re-derives its canonical copy
            keep_rows.append(i)
            kept.append(c.model_copy(update={"sources": rest}))
        elif live.rows[i] != NEW_ROW:
            live.removed.setdefault(live.rows[i], []).append(c.chunk_id)
    out = live.take(keep_rows)
    out.clauses = kept
    return out


def with_document(live: Live, new: Sequence[Clause], encoder: Encoder | None, fine: bool) -> Live:
    """Append a document's clauses; one equal in text to an existing clause becomes its source."""
    by_text = {c.text: i for i, c in enumerate(live.clauses)}
    taken = {c.chunk_id for c in live.clauses}
    fresh: list[Clause] = []
    clauses = list(live.clauses)
    for c in new:
        if c.text in by_text:
            i = by_text[c.text]
            clauses[i] = clauses[i].model_copy(update={"sources": [*clauses[i].sources, *c.sources]})
            continue
        if c.chunk_id in taken:
            c = c.model_copy(update={"chunk_id": f"{c.chunk_id}-{uuid.uuid4().hex[:4]}"})
        fresh.append(c)
        taken.add(c.chunk_id)
    tokens = Tokens.of(fresh, fine)
    vectors = live.vectors
    if vectors is not None and encoder is not None:
        from knowledge_base.normalize import normalize_text

        add = encoder.encode([normalize_text(c.index_text) for c in fresh]) if fresh else np.zeros((0, vectors.shape[1]), np.float32)
        vectors = np.vstack([vectors, add.astype(np.float32)])
    return Live(clauses + fresh, live.body.extended(tokens.body), live.heading.extended(tokens.heading), vectors,
                live.rows + [NEW_ROW] * len(fresh), live.removed)


def new_segment(live: Live) -> Segment:
    """The change's own rows as a segment (BM25 over them alone: statistics are merged at load)."""
    rows = [i for i, seg in enumerate(live.rows) if seg == NEW_ROW]
    return Segment([live.clauses[i] for i in rows], live.body.take(rows), live.heading.take(rows),
                   live.vectors[rows] if live.vectors is not None else None)


def kept_overrides(live: Live, before: Sequence[Clause], previous: Sequence[Clause]) -> list[Clause]:
    """Clauses of kept segments whose stored copy is out of date: the earlier overrides still
    live, and every clause this change touched (a change copies a clause it alters, so an
    unchanged clause is the very object it was before)."""
    was = {c.chunk_id: c for c in before}
    out = {c.chunk_id: c for c in previous}
    live_old = set()
    for c, seg in zip(live.clauses, live.rows, strict=True):
        if seg == NEW_ROW:
            continue
        live_old.add(c.chunk_id)
        if c is not was.get(c.chunk_id):
            out[c.chunk_id] = c
    return [c for cid, c in out.items() if cid in live_old]


def merged_layout(layout: Layout, removed: dict[str, list[str]]) -> Layout:
    out = {k: list(v) for k, v in layout.removed.items()}
    for seg, ids in removed.items():
        out.setdefault(seg, []).extend(ids)
    return Layout(list(layout.segments), out)


def file_sources(clauses: Sequence[Clause]) -> set[str]:
    return {s.file for c in clauses for s in c.sources}


def locate(source: SourceLocation) -> str:  # pragma: no cover - convenience for logs
    return f"{source.file}:{source.line}"
