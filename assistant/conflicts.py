"""Detecting when the best clauses disagree across regions or years.

Policy libraries hold many regions' and years' rules side by side; an answer that blends them would
be wrong for everyone. Clauses "disagree" when they come from different (region, year) pairs and the
sentences that answer the question state different figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.nlu.lexicon import lexicon
from assistant.numbers import extract_numbers
from assistant.select import Selection


# Work reports state what a place did and publicity (leaflets, a hospital's advertisement) restates
# or advertises: neither is a rule a citizen must choose between.
NOT_RULES = ("report", "publicity")


@dataclass
class Conflict:
    """The competing rules (one selection per region/year) and the regions to ask about."""

    selections: list[Selection]
    regions: list[str]
    years: list[int]


# The clause schemes that can answer a question naming a base scheme (lexicon `scheme.compatible`:
# 城乡居民 merged 新农合 and 城镇居民; the employee scheme is a different fund).
COMPATIBLE_SCHEMES: dict[str, frozenset[str]] = lexicon().compatible_schemes


def _base_schemes(selection: Selection) -> set[str]:
    hit = selection.hit
    schemes = set(hit.about_schemes)
    return schemes & COMPATIBLE_SCHEMES.keys()


def for_scheme(selections: list[Selection], scheme: str | None) -> list[Selection]:
    """Drop clauses tagged only with a base scheme other than the one the user named, so a 新农合
    question is not answered (or "conflicted") with a 城镇居民 or 职工 rule. Clauses without a base
    scheme (大病保险, 医疗救助, untagged) stay; when nothing would remain the list is kept as it was,
    since a loosely matching answer with its citation beats none."""
    allowed = COMPATIBLE_SCHEMES.get(scheme or "")
    if not allowed:
        return selections
    kept = [s for s in selections if not _base_schemes(s) or _base_schemes(s) & allowed]
    return kept or selections


def _figures(selection: Selection) -> frozenset:
    return frozenset(n.value for s in selection.sentences for n in extract_numbers(s))


def group_by_place(selections: list[Selection]) -> list[Selection]:
    """One representative (the best-ranked) selection per tagged region and year, in rank order.

    An undated clause of a region is the same place as that region's dated rules (a publicity page
    restating them), so it joins the region's dated group instead of posing as a second "year".
    Untagged clauses (work reports, national texts) are not a competing region and are skipped.
    """
    dated_regions = {s.hit.region for s in selections if s.hit.region and s.hit.year}
    groups: dict[tuple[str, int | None], Selection] = {}
    for selection in selections:
        region, year = selection.hit.region, selection.hit.year
        if region is None or not selection.sentences:
            continue
        if year is None and region in dated_regions:
            if any(r == region for r, _ in groups):
                continue  # the region is represented already
            key = (region, next(s.hit.year for s in selections if s.hit.region == region and s.hit.year))
        else:
            key = (region, year)
        groups.setdefault(key, selection)
    return list(groups.values())


def find_conflict(selections: list[Selection]) -> Conflict | None:
    """A conflict when at least two places' best answers state different figures. Selections are
    expected best-first and already limited to those close to the best answer."""
    if selections and selections[0].hit.kind in NOT_RULES:
        # The best answer is a mention outside any region's rules (a report naming the asked group,
        # e.g. 贫困人口): the rules it outscored do not answer the question, so there is nothing
        # to choose between; the answer names its source instead.
        return None
    groups = group_by_place(selections)
    # Only rules compete: a work report states what a place did, not a rule to choose between, and
    # the single best answer already names its place and year.
    groups = [s for s in groups if s.hit.kind not in NOT_RULES]
    if len(groups) < 2:
        return None
    figures = {_figures(s) for s in groups}
    if len(figures) < 2 or all(not f for f in figures):
        return None
    regions = list(dict.fromkeys(s.hit.region for s in groups if s.hit.region))
    years = list(dict.fromkeys(s.hit.year for s in groups if s.hit.year))
    return Conflict(selections=groups, regions=regions, years=years)
