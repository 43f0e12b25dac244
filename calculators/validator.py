"""Quote validator: every number in a rule file must stand verbatim in the cleaned corpus, inside
one clause of the knowledge base.

Checks, per source quote (after `knowledge_base.normalize.normalize_text` on both sides):
1. the quote occurs in the cleaned text of the cited document;
2. a knowledge-base clause contains the whole quote (the loader derives the source's `chunk_id`
   and `citation` from that clause — they are never stored, so there is nothing to fix by hand);
3. that chunk id is one the knowledge base's full build serves (the per-document build the
   loader uses gives the same ids as the whole corpus').
Assumption quotes must occur in the document too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge_base.normalize import normalize_text

from calculators.registry import POLICY_DIR, RuleSeries, load_series, to_source

CORPUS_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "corpus"


@dataclass(frozen=True)
class Problem:
    policy: str
    where: str
    quote: str
    message: str


def corpus_texts() -> dict[str, str]:
    """Normalised cleaned text per corpus file."""
    from knowledge_base.ingest.pipeline import cleaned_corpus_texts

    return {Path(name).name: normalize_text(text) for name, text in cleaned_corpus_texts().items()}


def kb_chunk_ids() -> set[str]:
    from knowledge_base.ingest.pipeline import build_clauses

    return {c.chunk_id for c in build_clauses().clauses}


def _sources(policy) -> list[tuple[str, object]]:
    """(where, RuleSource) for every distinct source in the raw rule file (YAML aliases repeat
    one anchored source in many cells; it is reported once, at its first use)."""
    raw = policy.raw
    out: list[tuple[str, object]] = []
    seen: set[tuple] = set()

    def add(where: str, src) -> None:
        key = None if src is None else (src.quote, src.document)
        if src is not None and key not in seen:
            seen.add(key)
            out.append((where, src))

    for name, src in raw.sources.items():
        add(f"sources.{name}", src)
    for pname, param in raw.parameters.items():
        for i, cell in enumerate(param.values):
            add(f"parameters.{pname}[{i}]", cell.source)
    for m in raw.modifiers:
        add(f"modifiers.{m.id}", m.source)
    for sname, spec in raw.services.items():
        once = getattr(spec, "deductible_once_a_year", None)
        add(f"services.{sname}.deductible_once_a_year", once.source if once else None)
        add(f"services.{sname}.ratio_source", getattr(spec, "ratio_source", None))
    for i, gap in enumerate(raw.gaps):
        add(f"gaps[{i}]", gap.source)
    for req in raw.requirements:
        add(f"requirements.{req.id}", req.source)
    return out


def _assumption_quotes(policy) -> list[tuple[str, str]]:
    raw = policy.raw
    out = []
    for m in raw.modifiers:
        out += [(f"modifiers.{m.id}.assumptions.{a.id}", a.quote) for a in m.assumptions if a.quote]
    for sname, spec in raw.services.items():
        for attr in ("deductible_assumption", "ratio_assumption", "assumption", "base_assumption"):
            a = getattr(spec, attr, None)
            if a and a.quote:
                out.append((f"services.{sname}.{attr}", a.quote))
    if raw.contributions:
        out += [(f"contributions.assumptions.{a.id}", a.quote) for a in raw.contributions.assumptions if a.quote]
    return out


def check_series(series: RuleSeries, texts: dict[str, str], served: set[str] | None) -> list[Problem]:
    """Problems of one rule file (all its periods: the sources are the file's)."""
    problems: list[Problem] = []
    doc_text = texts.get(series.raw.document)
    if doc_text is None:
        from calculators.clauses import document_clauses

        if not document_clauses(series.raw.document):
            return [Problem(series.id, "document", "", f"corpus document {series.raw.document} not found")]
        doc_text = "\n".join(c.text for c in document_clauses(series.raw.document))
    for where, src in _sources(series):
        doc = src.document or series.raw.document
        text = texts.get(doc, doc_text if doc == series.raw.document else "")
        if normalize_text(src.quote) not in text:
            problems.append(Problem(series.id, where, src.quote, f"quote not found verbatim in {doc}"))
            continue
        source = to_source(src, series.raw.document)
        if source.chunk_id is None:
            problems.append(Problem(series.id, where, src.quote, "quote is not inside a single knowledge-base clause"))
        elif served is not None and source.chunk_id not in served:
            problems.append(Problem(series.id, where, src.quote, f"clause {source.chunk_id} is not one the knowledge base serves"))
    for where, quote in _assumption_quotes(series):
        if normalize_text(quote) not in doc_text:
            problems.append(Problem(series.id, where, quote, f"assumption quote not found in {series.raw.document}"))
    return problems


def check_policies(directory: Path | None = None, *, full_build: bool = True) -> list[Problem]:
    """Problems found in every rule file of the library (or of `directory`)."""
    texts = corpus_texts()
    served = kb_chunk_ids() if full_build else None
    problems: list[Problem] = []
    for series in load_series(directory).values():
        problems += check_series(series, texts, served)
    return problems


__all__ = ["Problem", "check_policies", "check_series", "corpus_texts", "POLICY_DIR"]
