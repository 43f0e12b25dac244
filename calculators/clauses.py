"""The knowledge base's clauses of one document, for deriving a quote's chunk id and citation.

Rule files store only the quote and the document: the clause a quote lives in is looked up here
when the file is loaded (and by the validator and the drafter), so a re-segmented document never
leaves a stale chunk id behind. A document is looked up by file name in the knowledge base's
corpus folders (`KBSettings().corpus_dirs`) and the uploads folder; its clauses are built by the
knowledge base's own pipeline (`build_clauses`, deterministic, chunk ids independent of other
files) once per process and file version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge_base.normalize import normalize_text


@dataclass(frozen=True)
class ClauseRef:
    chunk_id: str
    citation: str
    text: str  # normalised
    region: str | None = None
    raw_text: str = ""  # as the knowledge base stores it (for review pages)


def _search_dirs() -> list[Path]:
    from knowledge_base.config import KBSettings

    settings = KBSettings()
    dirs = [Path(d) for d in settings.corpus_dirs]
    dirs.append(Path(settings.data_dir) / "uploads")
    return dirs


def find_document(name: str, extra_dirs: tuple[Path, ...] = ()) -> Path | None:
    """The file called `name` in the corpus folders (recursively), or None."""
    for base in (*extra_dirs, *_search_dirs()):
        if base.is_file() and base.name == name:
            return base
        if base.is_dir():
            direct = base / name
            if direct.is_file():
                return direct
            for hit in sorted(base.rglob(name)):
                if hit.is_file():
                    return hit
    return None


@lru_cache(maxsize=32)
def _clauses_of(path: str, mtime_ns: int) -> tuple[ClauseRef, ...]:
    from knowledge_base.ingest.pipeline import build_clauses

    built = build_clauses([Path(path)])
    return tuple(ClauseRef(c.chunk_id, c.citation, normalize_text(c.text), c.region, c.text) for c in built.clauses)


def document_clauses(document: str | Path) -> tuple[ClauseRef, ...]:
    """Clauses of a document given by file name (looked up in the corpus) or by path; () when the
    document cannot be found."""
    path = Path(document) if Path(document).is_file() else find_document(str(document))
    if path is None:
        return ()
    return _clauses_of(str(path.resolve()), path.stat().st_mtime_ns)


def locate(quote: str, document: str | Path) -> ClauseRef | None:
    """The first clause of `document` that contains the whole quote (normalised), or None."""
    needle = normalize_text(quote)
    for clause in document_clauses(document):
        if needle in clause.text:
            return clause
    return None


def clear_cache() -> None:
    _clauses_of.cache_clear()
