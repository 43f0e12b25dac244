"""Detecting when the best clauses disagree across regions or years.

Policy libraries hold many regions' and years' rules side by side; an answer that blends them would
be wrong for everyone. Clauses "disagree" when they come from different (region, year) pairs and the
sentences that answer the question state different figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from assistant.nlu.lexicon import lexicon
from assistant.numbers import extract_numbers
from assistant.select import Selection, split_sentences
from knowledge_base.ingest.schemes import subject_schemes


# Work reports state what a place did and publicity (leaflets, a hospital's advertisement) restates
# or advertises: neither is a rule a citizen must choose between.
NOT_RULES = ("report", "publicity")


@dataclass
class Conflict:
    """The competing rules (one selection per region/year) and the regions to ask about."""

    selections: list[Selection]
    regions: list[str]
    years: list[int]
    schemes: list[str] = field(default_factory=list)  # the funds to ask about (a scheme conflict)


# The clause schemes that can answer a question naming a base scheme (lexicon `scheme.compatible`:
# 城乡居民 merged 新农合 and 城镇居民; the employee scheme is a different fund).
COMPATIBLE_SCHEMES: dict[str, frozenset[str]] = lexicon().compatible_schemes


def answers_scheme(wanted: str | None, schemes: Iterable[str]) -> bool:
    """Can a clause about `schemes` answer a question naming the scheme `wanted`? The one reading of
    lexicon `scheme.compatible`, shared by retrieval (`retrieve.scheme_fits`) and `for_scheme`: an
    untagged clause, or one about no base scheme (大病保险, 医疗救助), can; a clause about base schemes
    only if one of them answers the asked one (新农合 ← 新农合/城乡居民; 职工 ← 职工). A scheme that is
    no base scheme (大病保险 asked) is answered by its own clauses and untagged ones."""
    schemes = set(schemes)
    allowed = COMPATIBLE_SCHEMES.get(wanted or "")
    if not allowed:
        return not wanted or not schemes or wanted in schemes
    base = schemes & COMPATIBLE_SCHEMES.keys()
    return not base or bool(base & allowed)


def for_scheme(selections: list[Selection], scheme: str | None) -> list[Selection]:
    """Drop clauses tagged only with a base scheme other than the one the user named, so a 新农合
    question is not answered (or "conflicted") with a 城镇居民 or 职工 rule. Clauses without a base
    scheme (大病保险, 医疗救助, untagged) stay; when nothing would remain the list is kept as it was,
    since a loosely matching answer with its citation beats none."""
    if not COMPATIBLE_SCHEMES.get(scheme or ""):
        return selections
    kept = [s for s in selections if answers_scheme(scheme, s.hit.about_schemes)]
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
    if not _figures_differ(groups):
        return None
    regions = list(dict.fromkeys(s.hit.region for s in groups if s.hit.region))
    years = list(dict.fromkeys(s.hit.year for s in groups if s.hit.year))
    return Conflict(selections=groups, regions=regions, years=years)


# The kind of quantity a figure states, from the unit right after it: figures of different kinds
# (a waiting time in days, a deductible in 元) are not rival answers to one question.
_UNIT_AFTER = re.compile(r"[0-9０-９零一二两三四五六七八九十百千万.]+\s*(万元|元|%|％|个百分点|个月|月|日|天|年|次|岁)")
_KIND_OF_UNIT = {"万元": "元", "％": "%", "个百分点": "%", "天": "日", "个月": "月"}


def _kinds(selection: Selection) -> frozenset[str]:
    return frozenset(_KIND_OF_UNIT.get(m.group(1), m.group(1))
                     for sentence in selection.sentences for m in _UNIT_AFTER.finditer(sentence))


def _figures_differ(selections: list[Selection]) -> bool:
    """Competing sources matter only when they state figures and not all the same ones."""
    figures = {_figures(s) for s in selections}
    return len(figures) >= 2 and any(figures)


# The rules of one region and the sources restating them to its enrollees (a leaflet, a hospital's
# advertisement) speak for a fund: they may compete when the user has not said which fund is theirs.
FUND_SOURCES = ("rule", "publicity")


def _fund_scheme(selection: Selection) -> str | None:
    """The base scheme a clause is first about (`SearchHit.scheme`), if it is one."""
    scheme = selection.hit.scheme
    return scheme if scheme in COMPATIBLE_SCHEMES else None


def _same_fund(a: str, b: str) -> bool:
    return b in COMPATIBLE_SCHEMES[a] or a in COMPATIBLE_SCHEMES[b]


def _fund_sentences(selection: Selection, scheme: str) -> list[str]:
    """The quoted sentences that speak for `scheme`'s fund. A clause about several schemes (a
    hospital's advertisement to employees and residents) is quoted only where a sentence's own
    subject is that fund; failing its chosen sentences, its other sentences whose subject it is."""
    if len(selection.hit.about_schemes) < 2:
        return selection.sentences

    def speaks_for(sentence: str) -> bool:
        subjects = [s for s, _ in subject_schemes(sentence) if s in COMPATIBLE_SCHEMES]
        return bool(subjects) and all(_same_fund(scheme, s) for s in subjects)

    chosen = [s for s in selection.sentences if speaks_for(s)]
    return chosen or [s for s in split_sentences(selection.hit.text) if speaks_for(s)]


def find_scheme_conflict(selections: list[Selection]) -> Conflict | None:
    """Within the best answer's region, the best clause of another fund (职工 vs 城乡居民: different
    funds, different figures) states different figures: the answer depends on the user's scheme,
    which they have not named (the caller checks). Selections best-first, the best a rule."""
    if not selections or selections[0].hit.kind != "rule" or _fund_scheme(selections[0]) is None:
        return None
    best = selections[0]
    picked = [best]
    best_kinds = _kinds(best)
    for selection in selections[1:]:
        scheme = _fund_scheme(selection)
        if (scheme is None or selection.hit.kind not in FUND_SOURCES or selection.hit.region != best.hit.region
                or not selection.sentences or any(_same_fund(scheme, _fund_scheme(p) or "") for p in picked)):
            continue
        own = replace(selection, sentences=_fund_sentences(selection, scheme), lead=None)
        if own.sentences and (_kinds(own) & best_kinds or not best_kinds):
            picked.append(own)
    if len(picked) < 2:
        return None
    if not _figures_differ(picked):
        return None
    years = list(dict.fromkeys(s.hit.year for s in picked if s.hit.year))
    return Conflict(selections=picked, regions=[best.hit.region] if best.hit.region else [], years=years,
                    schemes=[_fund_scheme(s) or "" for s in picked])
