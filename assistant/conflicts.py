"""Detecting when the best clauses disagree across regions or years.

Policy libraries hold many regions' and years' rules side by side; an answer that blends them would
be wrong for everyone. Clauses "disagree" when they come from different (region, year) pairs and the
sentences that answer the question state different figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.compose import Selection
from assistant.numbers import extract_numbers


@dataclass
class Conflict:
    """The competing rules (one selection per region/year) and the regions to ask about."""

    selections: list[Selection]
    regions: list[str]
    years: list[int]


def _place(selection: Selection) -> tuple[str | None, int | None]:
    return selection.hit.region, selection.hit.year


def _figures(selection: Selection) -> frozenset:
    return frozenset(n.value for s in selection.sentences for n in extract_numbers(s))


def find_conflict(selections: list[Selection]) -> Conflict | None:
    """One representative selection per tagged (region, year), in rank order; a conflict when at least
    two of them state different figures. Clauses without a region tag are generic texts (work
    reports) and do not count as a competing region."""
    by_place: dict[tuple[str | None, int | None], Selection] = {}
    for selection in selections:
        if selection.hit.region is None or not selection.sentences:
            continue
        by_place.setdefault(_place(selection), selection)
    if len(by_place) < 2:
        return None
    groups = list(by_place.values())
    figures = {_figures(s) for s in groups}
    if len(figures) < 2 or all(not f for f in figures):
        return None
    regions = list(dict.fromkeys(s.hit.region for s in groups if s.hit.region))
    years = list(dict.fromkeys(s.hit.year for s in groups if s.hit.year))
    return Conflict(selections=groups, regions=regions, years=years)
