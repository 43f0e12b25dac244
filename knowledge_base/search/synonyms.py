"""Query expansion from `resources/synonyms.yaml`: how people ask → how policies are worded.

Expansion is applied to queries only. Documents keep their own wording; a question containing
门槛费 gains 起付线/起付标准 as extra, lower-weighted terms. Equivalence groups are symmetric;
colloquial mappings are one-way so policy terms never expand into everyday words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge_base.lexicon import ResourceError, SynonymsFile, validate_resource
from knowledge_base.normalize import normalize_text

SYNONYMS_FILE = Path(__file__).resolve().parents[1] / "resources" / "synonyms.yaml"


class SynonymFileError(ResourceError):
    """The synonym file is malformed; the message names the offending entry."""


@dataclass(frozen=True)
class SynonymTable:
    """term -> terms it expands to (never including itself)."""

    expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def all_terms(self) -> set[str]:
        terms = set(self.expansions)
        for targets in self.expansions.values():
            terms.update(targets)
        return terms

    def expand(self, tokens: Iterable[str]) -> list[str]:
        """Expansion terms for a token list, in order, excluding terms already present."""
        present = list(dict.fromkeys(tokens))
        seen = set(present)
        out: list[str] = []
        for tok in present:
            for target in self.expansions.get(tok, ()):
                if target not in seen:
                    seen.add(target)
                    out.append(target)
        return out


def parse_synonyms(data: object, source: str = "同义词文件") -> SynonymTable:
    """Build the table from the YAML structure (schema: `knowledge_base.lexicon.SynonymsFile`)."""
    try:
        parsed = validate_resource(data if data is not None else {}, SynonymsFile, source)
    except ResourceError as exc:
        raise SynonymFileError(str(exc)) from None
    table: dict[str, list[str]] = {}

    def add(src: str, targets: Iterable[str]) -> None:
        bucket = table.setdefault(src, [])
        for t in targets:
            if t != src and t not in bucket:
                bucket.append(t)

    for group in parsed.equivalent:
        terms = [normalize_text(t) for t in group]
        for term in terms:
            add(term, terms)
    for src, targets in parsed.colloquial.items():
        add(normalize_text(src), [normalize_text(t) for t in targets])
    return SynonymTable({k: tuple(v) for k, v in table.items() if v})


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_FILE) -> SynonymTable:
    # libyaml's C loader when present: the pure-Python one was a fifth of the index load time
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return parse_synonyms(yaml.load(path.read_text("utf-8"), Loader=loader), str(path))
