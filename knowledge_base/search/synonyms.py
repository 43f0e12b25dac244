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

from knowledge_base.normalize import normalize_text

SYNONYMS_FILE = Path(__file__).resolve().parents[1] / "resources" / "synonyms.yaml"


class SynonymFileError(ValueError):
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


def parse_synonyms(data: dict) -> SynonymTable:
    """Build the table from the YAML structure (see the file's header for the format)."""
    if not isinstance(data, dict):
        raise SynonymFileError("同义词文件格式错误: 顶层应为包含 equivalent/colloquial 的映射")
    table: dict[str, list[str]] = {}

    def add(src: str, targets: Iterable[str]) -> None:
        bucket = table.setdefault(src, [])
        for t in targets:
            if t != src and t not in bucket:
                bucket.append(t)

    for i, group in enumerate(data.get("equivalent") or []):
        if not isinstance(group, list) or len(group) < 2:
            raise SynonymFileError(f"同义词文件 equivalent 第{i + 1}组应为至少两个词的列表: {group!r}")
        terms = [normalize_text(str(t)) for t in group]
        for term in terms:
            add(term, terms)
    colloquial = data.get("colloquial") or {}
    if not isinstance(colloquial, dict):
        raise SynonymFileError("同义词文件 colloquial 应为 词: [目标词…] 的映射")
    for src, targets in colloquial.items():
        if not isinstance(targets, list) or not targets:
            raise SynonymFileError(f"同义词文件 colloquial 中“{src}”的目标应为非空列表")
        add(normalize_text(str(src)), [normalize_text(str(t)) for t in targets])
    return SynonymTable({k: tuple(v) for k, v in table.items() if v})


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_FILE) -> SynonymTable:
    # libyaml's C loader when present: the pure-Python one was a fifth of the index load time
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return parse_synonyms(yaml.load(path.read_text("utf-8"), Loader=loader) or {})
