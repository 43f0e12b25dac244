"""Regions named in policy text: a gazetteer with a small hierarchy, and which mentions are
jurisdictions rather than places named in passing.

A clause's region is the jurisdiction whose rule it states, not any place it names. Three facts
about Chinese policy prose drive the rules here:

- the hierarchy: a county's leaflet mentions its province ("省外就医…湖南省统一…"); the
  province is an ancestor of the county, so it refines nothing and must not replace it.  The
  gazetteer (resources/gazetteer.yaml, shared with search and the NLU) names each place's parent;
- examples and enumerations: "如海口市…", "福建厦门等15个省市", "江西、甘肃、青海等省" name places
  the text is *not* about; such mentions are `passing`;
- a qualifier province glued to its child ("福建厦门") is part of the child's name, not a mention
  of its own.

Everything here is a pure function of the text and the gazetteer file.
Gazetteer names match on token boundaries only (`Gazetteer.find`), as in questions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from knowledge_base.lexicon import Gazetteer, metadata_gazetteer

MAX_SCOPE_REGIONS = 4  # a text naming this many separate provinces is national, about none of them
DOMINANCE = 1.5


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The regions clause metadata may carry (resources/gazetteer.yaml, `metadata: true`)."""
    return metadata_gazetteer()


def ancestors(region: str, gz: Gazetteer | None = None) -> list[str]:
    """Enclosing regions, nearest first ("桂阳县" -> ["郴州市", "湖南"]); [] when unknown.
    `gz` defaults to the metadata gazetteer (scope.py passes the larger one of places)."""
    parent = (gz or gazetteer()).parent
    out: list[str] = []
    while region in parent and parent[region] not in out and len(out) < 6:
        region = parent[region]
        out.append(region)
    return out


def region_path(region: str | None) -> list[str]:
    """Outermost first, ending with the region itself: "桂阳县" -> ["湖南", "郴州市", "桂阳县"]."""
    return [] if region is None else [*reversed(ancestors(region)), region]


def root(region: str) -> str:
    up = ancestors(region)
    return up[-1] if up else region


def related(a: str, b: str) -> bool:
    """Same region, or one encloses the other."""
    return a == b or a in ancestors(b) or b in ancestors(a)


# --- finding mentions -------------------------------------------------------------------------

# "X县" only where a name can start (after punctuation or a preposition), since in running text
# "…配合县医保中心" would otherwise yield "配合县".
_GENERIC_COUNTY = re.compile(r"(?:^|(?<=[,，。;；:：、“《(（\s在对于与和及向从]))([\u4e00-\u9fff]{2})县(?![城级区域内外委长])")
_TITLE_PLACE = re.compile(r"《([\u4e00-\u9fff]{2,3}?)(市|县|区|省)")
_PLACE_STOP_CHARS = set("本全我该各此每其外邻某他所在县市区省州内级个多虚拟乡镇村城是一二三四五六七八九十取与给对向到")
# After a real county name in running text comes a noun; after a verb+县 comes the county's organ.
_ORGAN_AFTER = re.compile(r"(?:[(（]|委|政府|财政|人社|医保|卫生|电视|乡|级|城|人民|领导|长)")
# "如海口市…", "例如湖南省…", "比如在厦门…": an example, not the text's own jurisdiction.
_EXAMPLE_BEFORE = re.compile(r"(?:如|例如|比如|譬如|诸如|像|好比)(?:在|是)?$")
_JOINERS = frozenset({"、", "和", "及", "与", ",", "，"})
_LIST_END = re.compile(r"[省市县区]?等")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str  # canonical
    passing: bool  # an example or an item of an enumeration, not a jurisdiction


def _plausible_place(prefix: str) -> bool:
    return not any(ch in _PLACE_STOP_CHARS for ch in prefix)


def _raw_mentions(text: str) -> list[tuple[int, int, str]]:
    gz = gazetteer()
    found = gz.find(text)  # on token boundaries: 上海南站 names 上海, 洞庭湖北岸 no 湖北
    covered = {i for s, e, _ in found for i in range(s, e)}
    for m in _GENERIC_COUNTY.finditer(text):
        if (m.start(1) not in covered and _plausible_place(m.group(1))
                and not _ORGAN_AFTER.match(text, m.end())):
            found.append((m.start(), m.end(), m.group(0)))
    for m in _TITLE_PLACE.finditer(text):
        if m.start(1) not in covered and _plausible_place(m.group(1)):
            found.append((m.start(1), m.end(), m.group(1) + m.group(2)))
    return sorted(found)


def find_mentions(text: str) -> list[Mention]:
    """Every region mention in order, with qualifier provinces folded into their child and
    examples/enumerations marked as passing."""
    raw = _raw_mentions(text)
    # "福建厦门": a region directly followed by one of its descendants only qualifies it
    raw = [r for i, r in enumerate(raw)
           if not (i + 1 < len(raw) and raw[i + 1][0] == r[1] and r[2] in ancestors(raw[i + 1][2]))]
    # "江西、甘肃、青海等省", "北京和上海": places joined into a list are an enumeration
    joined = {i for i in range(len(raw) - 1) if text[raw[i][1]:raw[i + 1][0]] in _JOINERS}
    listed = joined | {i + 1 for i in joined}
    out: list[Mention] = []
    for i, (start, end, name) in enumerate(raw):
        passing = (i in listed or bool(_LIST_END.match(text, end))
                   or bool(_EXAMPLE_BEFORE.search(text[max(0, start - 4):start])))
        out.append(Mention(start, end, name, passing))
    return out


def find_regions(text: str) -> list[str]:
    """Region names mentioned in `text`, canonical, in order of appearance (repeats kept)."""
    return [m.name for m in find_mentions(text)]


def jurisdictions(text: str) -> list[str]:
    """Regions the text names as jurisdictions (passing mentions left out); a text that names
    several separate provinces at once is a survey and names none."""
    mentions = find_mentions(text)
    if is_multi_place([m.name for m in mentions], limit=3):
        return []
    return [m.name for m in mentions if not m.passing]


def is_multi_place(names: list[str], limit: int = MAX_SCOPE_REGIONS) -> bool:
    """True when the names spread over `limit` or more separate top-level regions."""
    return len({root(n) for n in names}) >= limit


def dominant_region(names: list[str], dominance: float = DOMINANCE) -> str | None:
    """The most specific region the mentions agree on.  A mention counts for its region and every
    ancestor, so "桂阳县 ×9, 湖南 ×2" agree on 湖南 ⊃ 郴州市 ⊃ 桂阳县 and give 桂阳县, while
    "湖北 ×2, 武汉市 ×1, 孝感市 ×1" give 湖北.  Needs two mentions and a clear lead at each level."""
    if not names:
        return None
    counts: Counter[str] = Counter()
    for n in names:
        for r in [n, *ancestors(n)]:
            counts[r] += 1

    def pick(candidates: list[str], total: int) -> str | None:
        ranked = sorted(candidates, key=lambda r: -counts[r])
        if not ranked:
            return None
        best = ranked[0]
        runner_up = counts[ranked[1]] if len(ranked) > 1 else 0
        ok = counts[best] >= 2 and counts[best] >= dominance * runner_up and 2 * counts[best] > total
        return best if ok else None

    roots = sorted({root(n) for n in names})
    current = pick(roots, len(names))
    while current is not None:
        children = [r for r in counts if gazetteer().parent.get(r) == current]
        child = pick(children, counts[current])
        if child is None:
            return current
        current = child
    return None
