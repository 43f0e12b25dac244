"""Scope checks: does the library hold anything for the place or the year a question names?

Ranking answers "which clause is closest", never "is there a clause for *this* place / year".
A question about 成都 lands on a 桂阳县 leaflet, and one about 2024 on 2009 contribution figures,
because the rest of the words match well. Regions and years must never be mixed silently, so the
search checks both before it presents hits:

- region: the places the question names (gazetteer = resources/gazetteer.yaml: the metadata
  regions, provinces and prefecture-level cities, matched on token boundaries) must each be related to some clause region of the
  library — the same region, one enclosing it (a province's rule applies to its cities) or one
  inside it (a question about 四川 may be answered from a county of 四川). A place the library does
  not hold is "out of scope": no basis, with the place as the reason — unless the question is
  about care away from home (在上海住院回来怎么报销): then the place may be where care happened,
  the home region's 异地就医 rules answer, and the place is only marked.
- year: a year the question names that is newer than every clause year of the topic (the ranked
  candidates) is out of scope: the figures found belong to another year.

Pure functions of the query, the gazetteer and the clause metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge_base.lexicon import Gazetteer, place_gazetteer

# A year: 19xx/20xx followed by 年, or a bare 4-digit number (operator shorthand "岳池 2010 …")
# that is not an amount (no unit after it) and not far in the future.
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])\s*(年|[^\d元块万千百%‰个多余次人天日月岁]|$)")
MAX_BARE_YEAR = 2035


def places() -> Gazetteer:
    """Every place a question may name (resources/gazetteer.yaml: the metadata regions plus
    prefecture-level cities)."""
    return place_gazetteer()


def named_places(text: str) -> list[str]:
    """Canonical names of the places the text names (on token boundaries: 医保定点 names no
    保定), in order of mention, without repeats."""
    return list(dict.fromkeys(name for _, _, name in places().find(text)))


def related_place(a: str, b: str) -> bool:
    """Same place, or one encloses the other (through the gazetteer)."""
    return places().related(a, b)


def out_of_scope_region(text: str, library_regions: Iterable[str]) -> str | None:
    """The first place the text names that no library region is related to; None when every
    named place is covered (or none is named). A question naming two places (转回老家岳池) is
    answerable from either, so only a question whose places are *all* uncovered is out of scope."""
    named = named_places(text)
    if not named:
        return None
    held = [r for r in set(library_regions) if r]
    uncovered = [p for p in named if not any(related_place(p, r) for r in held)]
    return uncovered[0] if len(uncovered) == len(named) else None


# The question is about care or work away from home: a place it names may be where the care
# happened (在上海住院回来怎么报销), answered by the home region's 异地就医 rules, not a request
# for that place's own policy.
_ELSEWHERE = re.compile(r"异地|外地|在外|外出|外省|省外|市外|县外|跨省|跨市|转诊|转院|转外|出差|打工|务工|旅游|探亲|回来|回老家|回到")


def about_care_elsewhere(text: str) -> bool:
    """True when the text speaks of care or stays away from home (see `_ELSEWHERE`)."""
    return bool(_ELSEWHERE.search(text))


def named_years(text: str) -> list[int]:
    """Years the text names: "2024年", "2010年度", or a bare "2010" that is not an amount."""
    out = []
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if m.group(2) == "年" or year <= MAX_BARE_YEAR:
            out.append(year)
    return out


def out_of_scope_year(text: str, topic_years: Iterable[int | None]) -> int | None:
    """The newest year the text names when it is newer than every year of the topic's clauses
    (the figures found would be another year's); None otherwise or when no year is known."""
    named = named_years(text)
    years = [y for y in topic_years if y]
    if not named or not years:
        return None
    newest = max(named)
    return newest if newest > max(years) else None


# --- a named place's territory (round 6) ------------------------------------------------------
#
# "Does the library hold anything for 北京?" is not the same as "is 北京 some clause's region":
# a hospital report of another city names 北京 in passing, a labour report names 《江门市…方案》
# once. What the library holds for a place is its *territory*: clauses whose region is related to
# the place, plus the region-less clauses of a source file that holds such a clause (a city's
# report whose other paragraphs say "我市"). A question naming a place is answered only from hits
# inside the territory that support it: in context (the in-context share of the question's other
# concepts) and, for a quantity question, stating an amount — otherwise the answer would be
# another region's figure presented for the named place.


def in_territory(
    region: str | None, files: Iterable[str], named: Iterable[str], file_regions: dict[str, set[str]]
) -> bool:
    """True when a clause (its region and source files) belongs to a named place's territory."""
    named = list(named)
    if region is not None:
        return any(related_place(p, region) for p in named)
    return any(related_place(p, r) for f in files for r in file_regions.get(f, ()) for p in named)


def region_years(years_and_texts: Iterable[tuple[int | None, str]]) -> list[int]:
    """Years a region's clauses are about: their metadata year and the years their text names
    (the 岳池县 rules carry 2009 as metadata and state the 2010 contribution in the text)."""
    out: list[int] = []
    for year, text in years_and_texts:
        if year:
            out.append(year)
        out.extend(named_years(text))
    return out


def place_mentions(text: str) -> list[str]:
    """The place names as written in the text (岳池, 江门市): their words are the *where* of a
    question, not its topic, so support checks leave them out."""
    return [text[start:end] for start, end, _ in places().find(text)]
