"""Institutions the library names after their region ("重庆新兴医院是市级城镇职工医保定点医院"): a
user who names the institution alone ("新兴医院 城镇职工医保病人") has named its region.

The names come from the clauses at start-up — a document added later brings its own — never from a
hand list. A short name is kept only when it is specific: not a generic hospital word of the
lexicon (人民医院, 中医院), and not found in another region's clauses without the region in front.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from knowledge_base.learned.features import institutions

_MIN_SHORT = 4  # 新兴医院: a two-character proper name and its kind; 中医院 (3) is never specific
_REGION_SUFFIX = re.compile(r"[省市县区]$")


def _prefixes(region: str) -> list[str]:
    """The region as a document writes it before a name: 岳池县 or 岳池, 重庆市 or 重庆."""
    stem = _REGION_SUFFIX.sub("", region)
    return sorted({region, stem} - {""}, key=len, reverse=True) if len(stem) >= 2 else [region]


class InstitutionRegions:
    """Short institution name → the full name the library writes (region first)."""

    def __init__(self, full_names: dict[str, str]) -> None:
        self.full_names = full_names
        self._order = sorted(full_names, key=len, reverse=True)

    @classmethod
    def from_clauses(cls, clauses: Iterable[Any], generic: Iterable[str] = ()) -> "InstitutionRegions":
        generic_names = set(generic)
        found: dict[str, set[tuple[str, str]]] = {}
        texts: list[tuple[str | None, str]] = []
        for clause in clauses:
            region = getattr(clause, "region", None)
            texts.append((region, clause.text))
            if not region:
                continue
            for name in institutions(clause.text):
                for prefix in _prefixes(region):
                    at = name.find(prefix)
                    if at < 0:
                        continue
                    short = name[at + len(prefix):]
                    if len(short) >= _MIN_SHORT and short not in generic_names:
                        found.setdefault(short, set()).add((prefix + short, region))
                    break
        full_names: dict[str, str] = {}
        for short, owners in found.items():
            regions = {r for _, r in owners}
            if len(regions) != 1:
                continue
            (region,) = regions
            if any(short in text and r != region for r, text in texts):
                continue  # the same name elsewhere (another region's own 新兴医院, or no region at all)
            full_names[short] = max(owners)[0]
        return cls(full_names)

    def expand(self, text: str) -> str:
        """The text with the first short name that lacks its region written in full."""
        for short in self._order:
            at = text.find(short)
            full = self.full_names[short]
            if at >= 0 and full not in text:
                return text[:at] + full + text[at + len(short):]
        return text
