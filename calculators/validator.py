"""Quote validator: every number in a rule file must stand verbatim in the cleaned corpus, inside
the clause the file cites.

Checks, per source quote (after `knowledge_base.normalize.normalize_text` on both sides):
1. the quote occurs in the cleaned text of the cited document;
2. a knowledge-base clause contains the whole quote, and the source's `chunk_id` / `citation`
   are that clause's (with `fix=True` they are rewritten from the knowledge base in place).
Until the knowledge base exposes `knowledge_base.pipeline`, check 1 uses the raw corpus files
normalised, and check 2 is skipped with a notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.normalize import normalize_text

from calculators.registry import POLICY_DIR, clear_cache, load_policies

CORPUS_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "corpus"


@dataclass(frozen=True)
class Problem:
    policy: str
    where: str
    quote: str
    message: str


@dataclass(frozen=True)
class ClauseRef:
    chunk_id: str
    citation: str
    text: str  # normalised
    files: tuple[str, ...]


def corpus_texts() -> dict[str, str]:
    """Normalised cleaned text per corpus file (the KB pipeline's when available)."""
    try:
        from knowledge_base.pipeline import cleaned_corpus_texts  # type: ignore[attr-defined]

        texts = cleaned_corpus_texts()
    except (ImportError, AttributeError):
        texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))}
    return {Path(name).name: normalize_text(text) for name, text in texts.items()}


def kb_clauses() -> list[ClauseRef] | None:
    """The knowledge base's clauses, or None while the pipeline does not exist yet."""
    try:
        from knowledge_base.pipeline import build_clauses  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None
    built = build_clauses()
    refs = []
    for clause in getattr(built, "clauses", built):  # IngestResult(clauses=...) or a plain list
        files = tuple(Path(s.file).name for s in clause.sources)
        refs.append(ClauseRef(clause.chunk_id, clause.citation, normalize_text(clause.text), files))
    return refs


def _sources(policy) -> list[tuple[str, object]]:
    """(where, RuleSource) for every distinct source in the raw rule file (YAML aliases repeat
    one anchored source in many cells; it is reported once, at its first use)."""
    raw = policy.raw
    out: list[tuple[str, object]] = []
    seen: set[tuple] = set()

    def add(where: str, src) -> None:
        key = None if src is None else (src.quote, src.document, src.chunk_id, src.citation)
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
    return out


def _assumption_quotes(policy) -> list[tuple[str, str]]:
    raw = policy.raw
    out = []
    for m in raw.modifiers:
        out += [(f"modifiers.{m.id}.assumptions.{a.id}", a.quote) for a in m.assumptions if a.quote]
    for sname, spec in raw.services.items():
        a = getattr(spec, "deductible_assumption", None)
        if a and a.quote:
            out.append((f"services.{sname}.deductible_assumption", a.quote))
    if raw.contributions:
        out += [(f"contributions.assumptions.{a.id}", a.quote) for a in raw.contributions.assumptions if a.quote]
    return out


def best_clause(quote: str, document: str, clauses: list[ClauseRef]) -> ClauseRef | None:
    """The clause that contains the whole quote, preferring one found in the cited document."""
    needle = normalize_text(quote)
    hits = [c for c in clauses if needle in c.text]
    if not hits:
        return None
    in_doc = [c for c in hits if document in c.files]
    return (in_doc or hits)[0]


def check_policies(directory: Path | None = None) -> tuple[list[Problem], dict[str, dict[str, tuple[str, str]]], bool]:
    """Problems found, proposed (chunk_id, citation) per policy file and quote, and whether the KB
    clause check ran."""
    texts = corpus_texts()
    clauses = kb_clauses()
    problems: list[Problem] = []
    fixes: dict[str, dict[str, tuple[str, str]]] = {}
    for policy in load_policies(directory).values():
        doc_text = texts.get(policy.document)
        if doc_text is None:
            problems.append(Problem(policy.id, "document", "", f"corpus document {policy.document} not found"))
            continue
        for where, src in _sources(policy):
            doc = src.document or policy.document
            text = texts.get(doc, "")
            if normalize_text(src.quote) not in text:
                problems.append(Problem(policy.id, where, src.quote, f"quote not found verbatim in {doc}"))
                continue
            if clauses is None:
                continue
            clause = best_clause(src.quote, doc, clauses)
            if clause is None:
                problems.append(Problem(policy.id, where, src.quote, "quote is not inside a single knowledge-base clause"))
                continue
            fixes.setdefault(str(policy.path), {})[src.quote] = (clause.chunk_id, clause.citation)
            if (src.chunk_id, src.citation) != (clause.chunk_id, clause.citation):
                problems.append(Problem(policy.id, where, src.quote,
                                        f"cites ({src.chunk_id}, {src.citation}); the clause is ({clause.chunk_id}, {clause.citation})"))
        for where, quote in _assumption_quotes(policy):
            if normalize_text(quote) not in doc_text:
                problems.append(Problem(policy.id, where, quote, f"assumption quote not found in {policy.document}"))
    return problems, fixes, clauses is not None


_QUOTE_LINE = re.compile(r'^(?P<indent>\s+)quote: "(?P<quote>[^"]*)"\s*$')
_META_LINE = r'^{indent}(chunk_id|citation): '


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def apply_fixes(fixes: dict[str, dict[str, tuple[str, str]]]) -> int:
    """Rewrite chunk_id/citation under every block-style `quote:` line; comments and anchors stay.
    Returns the number of sources rewritten."""
    changed = 0
    for path_text, by_quote in fixes.items():
        path = Path(path_text)
        lines = path.read_text(encoding="utf-8").splitlines()
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            out.append(line)
            i += 1
            m = _QUOTE_LINE.match(line)
            if not m or m["quote"] not in by_quote:
                continue
            indent = m["indent"]
            meta = re.compile(_META_LINE.format(indent=re.escape(indent)))
            while i < len(lines) and meta.match(lines[i]):
                i += 1
            chunk_id, citation = by_quote[m["quote"]]
            out.append(f"{indent}chunk_id: {_yaml_str(chunk_id)}")
            out.append(f"{indent}citation: {_yaml_str(citation)}")
            changed += 1
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    clear_cache()
    return changed


__all__ = ["Problem", "apply_fixes", "check_policies", "corpus_texts", "kb_clauses", "POLICY_DIR"]
