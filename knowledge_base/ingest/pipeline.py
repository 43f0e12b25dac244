"""Ingestion pipeline: files -> loaders -> clean -> segment -> dedupe -> metadata -> IngestResult.

Deterministic: the same files give the same clauses, ids and order (documents are processed in
sorted path order; clauses keep document order).  A file that cannot be read is listed in
`errors` and the others are still ingested.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from knowledge_base.ingest.boilerplate import title_from_banner
from knowledge_base.ingest.chunking import DEFAULT_MAX_CHARS
from knowledge_base.ingest.clean import clean_document, cleaned_text, page_title
from knowledge_base.config import KBSettings
from knowledge_base.ingest.dedupe import group_duplicates
from knowledge_base.ingest.loaders import RawDocument, load_paths
from knowledge_base.ingest.metadata import Scope, document_scope, infer_clause_metadata, scope_of
from knowledge_base.models import Clause, CleanLine, SourceLocation
from knowledge_base.ingest.segment import ClauseDraft, SegmentedDocument, chunk_ids, segment_document
from knowledge_base.ingest.versions import apply_versions, effective_date, read_sidecar_date

# Bump when cleaning/segmentation output changes, so persisted indexes know to rebuild.
PIPELINE_VERSION = "3"


class FileError(BaseModel):
    """A file that could not be ingested: its name and why (Chinese, technical detail after)."""

    file: str
    reason: str


class DocumentSummary(BaseModel):
    doc_id: str
    file: str
    title: str
    encoding: str
    format: str
    lines: int  # cleaned lines
    articles: int
    clauses: int  # clauses whose canonical copy lives in this document


class IngestResult(BaseModel):
    pipeline_version: str = PIPELINE_VERSION
    clauses: list[Clause] = Field(default_factory=list)
    documents: list[DocumentSummary] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)


def document_title(lines: list[CleanLine], raw_text: str, fallback: str) -> str:
    """The page's title line, else the title a marketing banner names, else the file stem."""
    title = page_title(lines)
    if title:
        return title
    for raw_line in raw_text.splitlines()[:10]:
        if (banner := title_from_banner(raw_line)) is not None:
            from knowledge_base.normalize import normalize_text

            return normalize_text(banner)
    return fallback


def _default_paths(paths: list[Path] | None) -> list[Path]:
    return [Path(p) for p in (paths if paths is not None else KBSettings().corpus_dirs)]


def _segment(doc: RawDocument, max_chars: int) -> tuple[SegmentedDocument, list[CleanLine]]:
    lines = clean_document(doc.text)
    doc_id = Path(doc.file).stem
    title = document_title(lines, doc.text, doc_id)
    return segment_document(doc_id, lines, title, max_chars), lines


def _scopes(seg: SegmentedDocument) -> tuple[Scope, dict[int, Scope]]:
    by_article: dict[int, list[ClauseDraft]] = {}
    for d in seg.clauses:
        by_article.setdefault(d.article, []).append(d)
    articles = {
        a.index: scope_of("\n".join(d.text for d in by_article.get(a.index, [])), " ".join(a.path))
        for a in seg.articles
        if a.index in by_article
    }
    document = document_scope(list(articles.values()), scope_of("", seg.title))
    return document, articles


def _effective_dates(doc: RawDocument, seg: SegmentedDocument) -> dict[int, str | None]:
    """Article index -> ISO effective date: a date given at upload holds for the whole file;
    else an article's own "自…起施行" (compilations hold several rules), else the document's."""
    given = read_sidecar_date(Path(doc.path))
    if given is not None:
        return {a.index: given.isoformat() for a in seg.articles}
    whole = effective_date(doc.text, seg.title)
    by_article: dict[int, list[str]] = {}
    for d in seg.clauses:
        by_article.setdefault(d.article, []).append(d.text)
    out: dict[int, str | None] = {}
    for a in seg.articles:
        own = effective_date("\n".join(by_article.get(a.index, [])), " ".join(a.path))
        found = own or whole
        out[a.index] = found.isoformat() if found else None
    return out


def _source(doc: RawDocument, line: int) -> SourceLocation:
    """The clause's first line, with its page/line/cell when the format has pages or cells."""
    ref = doc.location(line)
    if ref is None:
        return SourceLocation(file=doc.file, line=line)
    return SourceLocation(file=doc.file, line=line, page=ref.page, page_line=ref.line, cell=ref.cell)


def _cited(citation: str, source: SourceLocation) -> str:
    """PDF/DOCX/scan citations name the place in the original: "… › (三)住院 (第2页第5行)"."""
    label = source.label()
    return f"{citation}({label})" if label else citation


def build_clauses(paths: list[Path] | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> IngestResult:
    """Ingest every document under `paths` (default: the configured corpus directories)."""
    docs, load_errors = load_paths(_default_paths(paths))
    errors = [FileError(file=e.file, reason=e.reason) for e in load_errors]
    drafts: list[ClauseDraft] = []
    draft_file: list[str] = []
    scope_for: list[tuple[Scope, Scope]] = []
    effective_for: list[str | None] = []
    summaries: list[DocumentSummary] = []
    for doc in docs:
        try:
            seg, lines = _segment(doc, max_chars)
        except Exception as exc:  # one malformed document must not sink the batch
            errors.append(FileError(file=doc.file, reason=f"文档处理失败: {type(exc).__name__}: {exc}"))
            continue
        document_scope, article_scopes = _scopes(seg)
        effective = _effective_dates(doc, seg)
        for d in seg.clauses:
            drafts.append(d)
            draft_file.append(doc.file)
            scope_for.append((article_scopes[d.article], document_scope))
            effective_for.append(effective.get(d.article))
        summaries.append(
            DocumentSummary(doc_id=seg.doc_id, file=doc.file, title=seg.title, encoding=doc.encoding,
                            format=doc.format, lines=len(lines), articles=len(seg.articles), clauses=0)
        )

    by_file = {doc.file: doc for doc in docs}
    ids = chunk_ids(drafts)
    clauses: list[Clause] = []
    per_doc: dict[str, int] = {}
    for group in group_duplicates([d.text for d in drafts]):
        c = group.canonical
        d = drafts[c]
        article_scope, document_scope = scope_for[c]
        meta = infer_clause_metadata(d.text, d.heading_path, article_scope, document_scope)
        sources = [_source(by_file[draft_file[m]], drafts[m].line) for m in group.members]
        clauses.append(
            Clause(
                chunk_id=ids[c], doc_id=d.doc_id, doc_title=d.doc_title, heading_path=d.heading_path,
                citation=_cited(d.citation, sources[0]), text=d.text, region=meta.region, year=meta.year,
                scheme=meta.scheme, kind=meta.kind,  # type: ignore[arg-type]
                sources=sources,
                evidence=meta.evidence, schemes=meta.schemes,  # type: ignore[arg-type]
                region_path=meta.region_path, effective_from=effective_for[c],
            )
        )
        per_doc[d.doc_id] = per_doc.get(d.doc_id, 0) + 1
    for s in summaries:
        s.clauses = per_doc.get(s.doc_id, 0)
    return IngestResult(clauses=apply_versions(clauses), documents=summaries, errors=errors)


def cleaned_corpus_texts(paths: list[Path] | None = None) -> dict[str, str]:
    """File name -> the cleaned full text (lines joined with "\\n"), for verbatim-quote checks."""
    docs, _ = load_paths(_default_paths(paths))
    return {doc.file: cleaned_text(clean_document(doc.text)) for doc in docs}
