"""Region mentions and which of them is the enrollee's insured region.

A message may name several places with different roles: "在广州打工 回岳池住院" names a workplace
(广州) and home (岳池); "去广州住院 桂阳县的医保" names where care happens and where one is insured.
The policy that applies is the insured region's, so each mention gets a role from the words around
it (lexicon `regions.roles`) and the pick prefers home/insured mentions, then plain mentions, then
the place of treatment; a place that is only a workplace is never the insured region (the dialogue
asks instead). Pure functions over the normalised text; no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Sequence

from assistant.nlu.lexicon import Lexicon, Matcher
from knowledge_base.lexicon import on_word_boundaries, place_gazetteer

Role = Literal["home", "plain", "treat", "work", "denied"]
# Lower is preferred as the insured region; "work" and "denied" are never picked.
_RANK: dict[str, int] = {"home": 0, "plain": 1, "treat": 2}


@dataclass(frozen=True)
class RegionMention:
    value: str  # canonical name (岳池县, 四川省, 仁寿县…)
    start: int
    end: int
    known: bool  # one of the library's regions
    role: Role = "plain"


@lru_cache(maxsize=32)
def _region_aliases(known: tuple[str, ...], suffixes: str = "县市区省") -> Matcher:
    """Each library region under its full name and its stem (岳池县 ← 岳池); cached per region list."""
    mapping: dict[str, list[str]] = {}
    for name in known:
        aliases = [name]
        stem = re.sub(r"(自治县|自治州|自治区|[%s])$" % suffixes, "", name)
        if len(stem) >= 2 and stem != name:
            aliases.append(stem)
        mapping[name] = aliases
    return Matcher(mapping)


@lru_cache(maxsize=1)
def _place_matcher() -> Matcher:
    """Every place of the knowledge base's gazetteer (provinces, cities, counties) by any of its
    names; a place is called by its full name (四川 → 四川省, 重庆 → 重庆市, 长沙 → 长沙市)."""
    return Matcher({p.full or p.name: p.names for p in place_gazetteer().places.values()})


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_mentions(text: str, lex: Lexicon, known_regions: Sequence[str]) -> list[RegionMention]:
    """Every place name: library regions (full name or stem), provinces, and two-character
    X县/X市/X区 at a word boundary whose X has no function/generic character."""
    out: list[RegionMention] = []
    if known_regions:
        out += [RegionMention(h.value, h.start, h.end, True) for h in _region_aliases(tuple(known_regions)).find(text)]
    conf = lex.regions_conf
    others = [(h.start, h.end, h.value) for h in _place_matcher().find(text)]
    stop = set(conf["stem_stop_chars"])
    boundary = set(conf["left_boundary_chars"])
    for i, ch in enumerate(text):
        if ch in conf["suffixes"] and i >= 2:
            stem = text[i - 2 : i]
            before = text[i - 3] if i >= 3 else ""
            if before and not (before in boundary or before.isdigit() or not before.strip()):
                continue
            if any(text[i + 1 :].startswith(w) for w in conf["suffix_not_followed_by"]):
                continue  # 县外, 市里, 县医院: not a place name
            if stem in conf["not_place_stems"]:
                continue
            if all("\u4e00" <= c <= "\u9fff" and c not in stop for c in stem):
                others.append((i - 2, i + 1, stem + ch))
    for start, end, value in others:
        if not any(_overlaps((start, end), (m.start, m.end)) for m in out):
            out.append(RegionMention(value, start, end, False))
    return sorted((m for m in out if on_word_boundaries(text, m.start, m.end)), key=lambda m: m.start)


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The text of the same clause before and after a span (no crossing a comma)."""
    left = re.split(r"[,;。!?]", text[:start])[-1]
    right = re.split(r"[,;。!?]", text[end:], maxsplit=1)[0]
    return left, right


def role_of(text: str, m: RegionMention, roles: dict) -> Role:
    """home: 回X / 老家X / X的医保 / 医保是X的 / 我是X的; work: 在X打工/上班 / 人在X;
    treat: 去/到/在X住院/看病; otherwise plain."""
    left, right = _clause(text, m.start, m.end)
    near_right = right[: roles["right_window"]]
    if any(left.endswith(w) for w in roles.get("denied_before", ())):
        return "denied"
    if any(left.endswith(w) for w in roles["home_before"]) or any(right.startswith(w) for w in roles["home_after"]):
        return "home"
    if any(w in near_right for w in roles["work_after"]):
        return "work"
    care_left = left
    for q in roles.get("treat_qualifiers", ()):
        if care_left.endswith(q):
            care_left = care_left[: -len(q)]
            break
    if any(care_left.endswith(w) for w in roles["treat_before"]) and any(w in near_right for w in roles["treat_after"]):
        return "treat"  # before 人在: "岳池人在重庆住院" is care in 重庆
    if any(left.endswith(w) for w in roles.get("visit_before", ())):
        return "treat"
    if any(left.endswith(w) for w in roles["work_before"]):
        return "work"
    return "plain"


def _addresses(mentions: list[RegionMention]) -> list[RegionMention]:
    """Adjacent mentions are one address, coarse to fine ("湖南邵东", "四川广安岳池县"): keep the
    library region among them, else the finest, spanning the whole address (so its role is read
    from the words around the address, not from the province inside it)."""
    out: list[RegionMention] = []
    group: list[RegionMention] = []
    for m in mentions + [None]:  # type: ignore[list-item]
        if m is not None and group and m.start == group[-1].end:
            group.append(m)
            continue
        if group:
            pick = next((g for g in reversed(group) if g.known), group[-1])
            out.append(RegionMention(pick.value, group[0].start, group[-1].end, pick.known))
        group = [m] if m is not None else []
    return out


def same_area(a: str, b: str) -> bool:
    """True when one place lies inside the other or they are one place (渝北区 in 重庆; 重庆市 is
    重庆; 四川省岳池县 = 岳池县 inside 四川), through the knowledge base's gazetteer."""
    return place_gazetteer().related(a, b)


def rule_region_applies(rule_region: str, place: str) -> bool:
    """A rule set of `rule_region` applies to an enrollee of `place`: names that contain one another
    (重庆 / 重庆市, the test the rule-set choice always made), or a place the gazetteer puts inside the
    rule set's region (渝北区 in 重庆) — not a place that merely encloses it: a province's enrollee is not
    under a county's rules."""
    if place == rule_region or place in rule_region or rule_region in place:
        return True
    gaz = place_gazetteer()
    return gaz.canonical(rule_region) in gaz.ancestors(place)


def pick_region(text: str, lex: Lexicon, known_regions: Sequence[str]) -> tuple[RegionMention | None, list[RegionMention]]:
    """(the insured region or None, every mention with its role). Among equals a library region
    wins, then the earliest; a workplace alone gives None."""
    roles = lex.regions_conf["roles"]
    mentions = [
        RegionMention(m.value, m.start, m.end, m.known, role_of(text, m, roles))
        for m in _addresses(find_mentions(text, lex, known_regions))
    ]
    eligible = [m for m in mentions if m.role in _RANK]
    best = min(eligible, key=lambda m: (_RANK[m.role], not m.known, m.start), default=None)
    return best, mentions
