"""Extractive answers: word the selected sentences (assistant.select) as a short, cited reply.

Extractive on purpose: a sentence lifted from a clause cannot misstate the clause, and the grounding
check then only has to confirm it. The composer leads with the fragment that carries the asked-for
detail, keeps the answer phone-sized and numbers each cited clause [n].
"""

from __future__ import annotations

from assistant.models import Citation
from assistant.numbers import extract_numbers
from assistant.select import Selection

# Beyond this a region's line in a side-by-side answer shows only the fragment naming the asked
# level/tier/person; shorter rules are shown whole so the base rule is not lost.
PER_REGION_MAX_CHARS = 90
# A body stating this many figures is a list (per level, per tier); the asked one is picked out of it.
LIST_MIN_FIGURES = 3
# Only a grade (level or tier) is picked out of a list; a person's adjustment ("学生…上浮10%") needs
# the base rule next to it, so it never replaces the body.
GRADE_WORDS = ("一级", "二级", "三级", "一档", "二档")


def citation_for(n: int, selection: Selection) -> Citation:
    hit = selection.hit
    return Citation(
        n=n,
        chunk_id=hit.chunk_id,
        citation=hit.citation,
        text="".join(selection.sentences) or hit.text,
        region=hit.region,
        year=hit.year,
    )


def place_label(region: str | None, year: int | None) -> str:
    """"岳池县（2009年）" — how an answer names whose rule a sentence is."""
    if region and year:
        return f"{region}（{year}年）"
    return region or (f"{year}年" if year else "未注明地区")


def source_phrase(selection: Selection) -> str:
    """Whose words the sentence is: a region's rule, or only a mention in a work report or in an
    untagged text (which must not read as a rule of any region)."""
    hit = selection.hit
    if hit.region is None and hit.year is None:
        return "政策资料中提到"
    label = place_label(hit.region, hit.year)
    if hit.kind == "report":
        return f"{label}的工作材料中提到"
    # Publicity (a leaflet, a hospital's advertisement) restates or advertises; it is not the rule.
    return f"{label}的宣传材料中提到" if hit.kind == "publicity" else f"{label}规定"


def compose_single(selection: Selection, n: int = 1) -> str:
    """One clause's answer: the lead fragment first when there is one, then the sentences."""
    body = "".join(selection.sentences).rstrip(",，;；、:： ")
    if body and body[-1] not in "。！？!?)）":
        body += "。"  # a sentence cut at a semicolon still ends like one
    phrase = source_phrase(selection)
    if selection.lead and selection.lead not in body[: len(selection.lead) + 2]:
        return f"{selection.lead}[{n}]。\n{phrase}：{body}"
    return f"{phrase}：{body}[{n}]"


def compose_per_region(selections: list[Selection], by_year: bool = False) -> str:
    """Several regions' (or years') rules side by side, each with its own citation: never one
    merged answer."""
    header = "不同年份的规定不同，请按适用的年份看：" if by_year else "不同地区的规定不同，请按您参保的地区看："
    lines = [header]
    for n, selection in enumerate(selections, start=1):
        body = "".join(selection.sentences)
        # An enumerated grade's figure (not a substring of the body) is the direct answer; a fragment
        # is used only when the whole rule is too long for a side-by-side line.
        enumerated = selection.lead is not None and selection.lead not in body
        # Out of a list of per-grade figures only the asked grade's is the answer ("二级医疗机构60%").
        picked_from_list = (selection.lead is not None and any(g in selection.lead for g in GRADE_WORDS)
                            and len(extract_numbers(body)) >= LIST_MIN_FIGURES)
        long_rule = selection.lead is not None and len(body) > PER_REGION_MAX_CHARS
        lead = selection.lead if enumerated or picked_from_list or long_rule else body
        lines.append(f"· {place_label(selection.hit.region, selection.hit.year)}：{lead}[{n}]")
    return "\n".join(lines)


def compose_per_scheme(selections: list[Selection], schemes: list[str]) -> str:
    """One region's funds side by side (职工 / 城乡居民), each with whose words it is (a rule, or a
    leaflet's or an advertisement's) and its own citation: never one merged answer."""
    lines = ["不同医保的规定不同，请按您参加的医保看："]
    for n, (selection, scheme) in enumerate(zip(selections, schemes, strict=True), start=1):
        body = "".join(selection.sentences).rstrip(",，;；、:： ")
        lines.append(f"· {scheme}——{source_phrase(selection)}：{body}[{n}]")
    return "\n".join(lines)


def quote_fallback(selection: Selection, n: int = 1) -> str:
    """The answer of last resort: the clause quoted verbatim, nothing added."""
    return f"相关条款原文：「{''.join(selection.sentences) or selection.hit.text}」[{n}]"


def compose_related(selections: list[Selection]) -> str:
    """Related rules offered as such, each with its place and citation: the learned judge found
    them relevant but trusts none to answer, so the reply says so instead of presenting one as the
    answer or leaving the citizen with nothing."""
    from assistant.canned import RELATED_INTRO, RELATED_OUTRO

    lines = [RELATED_INTRO]
    for n, selection in enumerate(selections, start=1):
        body = "".join(selection.sentences).rstrip(",，;；、:： ")
        lines.append(f"· {source_phrase(selection)}：{body}[{n}]")
    lines.append(RELATED_OUTRO)
    return "\n".join(lines)
