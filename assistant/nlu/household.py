"""The members of a household described together ("我和我婆娘都三十几，娃儿4岁还没上幼儿园").

A message naming two or more people of one family cannot fill the one-person slots (age, category,
低保) without mixing them — "我35岁没工作，我妈65了是低保户，还有个4岁的娃儿" is not a 35-year-old
低保 child. Each person mentioned (lexicon `household.members`) is described by the words after it up
to the next mention: an age, a school cue (读小学 → student, 还没上学 → a preschool child), a 低保
cue. The contribution calculator prices each member by their group and adds them up
(`ContributionRequest.members`), so a question about the whole family's premium has its answer.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.nlu.lexicon import Hit, Lexicon, Matcher
from assistant.nlu.models import HouseholdMember
from assistant.nlu.numbers import parse_number

_CN_NUM = "零一二两三四五六七八九十百"
_NUM = rf"\d+|[{_CN_NUM}]+"
# An age in a member's words: "4岁", "三十几", "都三十多", "65了", "才三岁" — a count of years, ≤ 120.
_AGE = re.compile(rf"({_NUM})(?:多|几)?(?:周岁|岁|了)|(?:都|才|今年|已经)({_NUM})(?:多|几)?(?=[,，]|$)|^({_NUM})(?:多|几)?(?=[,，]|$)")
# Right before a member word: a count and/or an age ("两个娃儿", "一个3岁娃儿", "还有个4岁的娃儿").
_BEFORE = re.compile(rf"(?:([{_CN_NUM}\d]?)个)?(?:({_NUM})(?:多)?岁的?)?$")
# A counted phrase or one ending in 的 right before a member word, after the last clause break and any
# joining word: "还有一个读初中的娃儿", "加两个读小学的娃儿" (a joining word inside the phrase describes nobody).
_CLAUSE_BREAK = re.compile(r"[,，、。；;！!？?\s]")
_BEFORE_PHRASE = re.compile(r"^(.*个.*|.+的)$")
_COUNT = re.compile(rf"([{_CN_NUM}\d]?)个")


_MATCHERS: dict[int, Matcher] = {}


def _matcher(lex: Lexicon) -> Matcher:
    """The mention matcher of `lex` (built once per lexicon)."""
    matcher = _MATCHERS.get(id(lex))
    if matcher is None:
        conf = lex.household_members
        kinds = {"pair": conf["pairs"], "self": conf["selves"], "adult": conf["adults"], "elder": conf["elders"],
                 "child": conf["children"]}
        matcher = _MATCHERS[id(lex)] = Matcher(kinds, conf.get("blockers", ()))
    return matcher


def _age(words: str) -> int | None:
    for part in re.split(r"[,，]", words):
        part = part.strip()
        m = _AGE.search(part)
        if not m:
            continue
        raw = next(g for g in m.groups() if g)
        try:
            years = int(parse_number(raw))
        except (ValueError, ArithmeticError):
            continue
        if 0 < years <= 120:
            return years
    return None


def _member(kind: str, words: str, conf: dict[str, Any], poverty: Matcher) -> tuple[str, bool] | None:
    """(category, 低保) of one mention from its words; None when the words describe no person ("我妈
    住院了", "我问一下"): only a pair word counts without them."""
    preschool = any(c in words for c in conf["preschool_cues"])
    student = not preschool and any(c in words for c in conf["student_cues"])
    age = _age(words)
    adult_age = int(conf["adult_age"])
    low = poverty.first(words) is not None
    described = age is not None or preschool or student or low or any(c in words for c in conf["adult_cues"])
    if kind != "pair" and not described:
        return None
    if student and (age is None or age < adult_age):
        return "student", low
    if age is not None:
        return ("child" if age < adult_age else "adult"), low
    if preschool or kind == "child":
        return "child", low
    return "adult", low


def _without_leading_joiners(phrase: str, conf: dict[str, Any]) -> str:
    """"和一个3岁" → "一个3岁": the joining word stays between the two people it joins."""
    joiners = sorted(conf.get("list_joiners", ()), key=len, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for joiner in joiners:
            if phrase.startswith(joiner):
                phrase, stripped = phrase[len(joiner):], True
                break
    return phrase


def _only_joiners(gap: str, conf: dict[str, Any]) -> bool:
    """Does `gap` (between two mentions) only join them? Empty is not: "我老婆" is one person."""
    return bool(gap) and not _without_leading_joiners(gap, conf)


# "一个读小学，一个才四岁", "…另一个两岁": the parts describing counted people one by one.
_ONE_EACH = re.compile(r"(?:另外|另)?一个")


def _one_by_one(words: str, count: int) -> list[str]:
    """The words of a counted mention split into one description per person, when they describe
    exactly that many one by one after the mention (nothing but punctuation before the first)."""
    if count < 2:
        return []
    head, *parts = _ONE_EACH.split(words)
    if head.strip("，,、 ") or len(parts) != count:
        return []
    return parts


def adds_to_household(text: str, lex: Lexicon) -> bool:
    """Does the message open by adding people to a household told before ("还有个娃儿读小学")?"""
    return any(text.startswith(w) for w in lex.household_members.get("additions", ()))


def household_members(text: str, lex: Lexicon) -> list[HouseholdMember] | None:
    """The members the message describes, merged by (category, 低保); None unless two or more people
    (one is enough in a message adding people to a household told before: `adds_to_household`)."""
    conf = lex.household_members
    hits: list[Hit] = _matcher(lex).find(text)
    if not hits:
        return None
    # what stands right before a mention is its own: "一个3岁娃儿", "还有个4岁的娃儿" (a count, an age),
    # "一个读初中的娃儿" (a counted or 的-phrase after the last comma: it describes the word it precedes)
    starts = [h.start for h in hits]
    own: list[tuple[int, str]] = []
    for k, hit in enumerate(hits):
        before = text[hits[k - 1].end if k else 0:hit.start]
        phrase = _BEFORE_PHRASE.search(_without_leading_joiners(_CLAUSE_BREAK.split(before)[-1], conf))
        if phrase:
            starts[k] = hit.start - len(phrase.group(1))
            count_word = _COUNT.search(phrase.group(1))
            count = int(parse_number(count_word.group(1))) if count_word and count_word.group(1) else 1
            own.append((count, phrase.group(1) + ","))
            continue
        m = _BEFORE.search(before)
        count = int(parse_number(m.group(1))) if m and m.group(1) else 1
        age = f"{m.group(2)}岁," if m and m.group(2) else ""
        if m and m.group(0):
            starts[k] = hit.start - len(m.group(0))
        own.append((count if m and "个" in m.group(0) else 1, age))
    members: list[tuple[str, bool, int]] = []
    member_conf = {**conf, "adult_age": lex.person_conf["adult_age"]}
    for k, hit in enumerate(hits):
        end = starts[k + 1] if k + 1 < len(hits) else len(text)
        count, age = own[k]
        words = age + text[hit.end:end]
        each = _one_by_one(text[hit.end:end], count)
        if each:
            # "两个娃儿，一个读小学，一个才四岁没上学": each 一个 describes one of the people counted.
            reads = [_member(hit.value, part, member_conf, lex.poverty) for part in each]
            members += [(r[0], r[1], 1) for r in reads if r is not None]
            continue
        read = _member(hit.value, words, member_conf, lex.poverty)
        if read is None and k + 1 < len(hits) and hit.value != "child" and _only_joiners(text[hit.end:end], conf):
            read = ("adult", False)  # listed: "我、我老婆、一个读初中的娃儿"
        if read is not None:
            members.append((read[0], read[1], 2 if hit.value == "pair" else count))
    if sum(c for _, _, c in members) < (1 if adds_to_household(text, lex) else 2):
        return None
    merged: dict[tuple[str, bool], int] = {}
    for category, low, count in members:
        merged[(category, low)] = merged.get((category, low), 0) + count
    return [HouseholdMember(category=c, low_income=low, count=n) for (c, low), n in merged.items()]
