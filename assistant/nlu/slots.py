"""Slot extraction: one small rule per slot, each driven by a lexicon pattern class.

Every extractor reads the normalised text and writes into a `Found` collector: the value, the
span it came from (→ Understanding.evidence), and, where a span must not also be read as a
policy topic (目录外 in "目录外的有5000", 手续 in "没办手续"), a mask.
"""

from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

from assistant.nlu.lexicon import Hit, Lexicon
from assistant.nlu.regions import RegionMention, pick_region, same_area
from assistant.nlu.numbers import CN_DIGITS, SMALL_UNITS, NumberParseError, NumberSpan, find_numbers, parse_number

_CN_NUM = "".join(CN_DIGITS) + "十百千"
# Where a clause of the normalised message ends (a fact's words are looked for within its clause).
_CLAUSE_BREAK = re.compile(r"[,;。!?]")
_NUM = rf"\d+|[{_CN_NUM}]+"


@dataclass
class Found:
    """What the extractors found in one message."""

    values: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)  # every span read as a slot
    where: dict[str, tuple[int, int]] = field(default_factory=dict)  # slot -> its span
    masks: list[tuple[int, int]] = field(default_factory=list)  # spans hidden from topic matching
    # Topics implied by another slot's rule (a question about 备案 is about 异地就医): (start, end, topic).
    topic_hints: list[tuple[int, int, str]] = field(default_factory=list)
    # Care named in a place other than the insured region ("去广州住院 桂阳县的医保"): its span.
    out_of_area_hint: tuple[int, int] | None = None
    # Slots whose reading carries its own explicit marker (已经备案, 办了转诊, 没办转诊): the words
    # state the fact, so a learned head may not clear it; or whose words say they are no value of
    # the slot (二级及以上 is a range of levels): a head may not fill it (`slot_model.protected_slots`).
    marked: set[str] = field(default_factory=set)

    def put(self, slot: str, value: Any, text: str, start: int, end: int, note: str = "") -> None:
        if slot in self.values or value is None:
            return
        self.values[slot] = value
        span = text[start:end]
        self.evidence[slot] = f"{span}（{note}）" if note else span
        self.spans.append((start, end))
        self.where[slot] = (start, end)


def _before(text: str, pos: int | None, words: Sequence[str], window: int = 4) -> str | None:
    """The word from `words` found within `window` characters before `pos` (pos None: all of text)."""
    left = text if pos is None else text[max(0, pos - window) : pos]
    for w in sorted(words, key=len, reverse=True):
        if w in left:
            return w
    return None


def _clause_left(text: str, pos: int, window: int) -> str:
    """Up to `window` characters before `pos`, not crossing a comma or other clause break."""
    left = text[max(0, pos - window) : pos]
    return _CLAUSE_BREAK.split(left)[-1]


def _followed_by(text: str, pos: int, words: Sequence[str]) -> bool:
    rest = text[pos:].lstrip()
    return any(rest.startswith(w) for w in words)


# Roles of amounts that are not a cost of care: kept out of every slot, their cue left visible
# to topic matching ("起付线是500吗" is still about 起付线).
_NOT_COST = ("policy_value", "paid_in", "avg_wage", "carryover")

# --- amounts ---------------------------------------------------------------------------------


# A year written with its month and no 年 ("(2024)12月", "2024-12-03", "2024/12"): a date, which is
# never money and is the year asked about. The year sits in brackets before a month with 月, or
# before a date separator and a month (1-12) that no further figure or magnitude continues (so a
# range such as "2000-3000" or "2000-8千" is no date).
_YEAR_OF_DATE = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})(?:\s*[)）\]】]\s*(?:0?[1-9]|1[0-2])\s*月"
    r"|\s*[-/]\s*(?:0?[1-9]|1[0-2])(?![\d.万千百亿元块]))"
)


def _is_year_of_date(text: str, sp: NumberSpan) -> bool:
    return any(m.start(1) == sp.start and m.end(1) == sp.end for m in _YEAR_OF_DATE.finditer(text))


def _is_money(text: str, sp: NumberSpan, conf: dict) -> bool:
    if sp.value is None or sp.value <= 0:
        return False
    if _is_year_of_date(text, sp):
        return False
    if any(text[: sp.start].endswith(w) for w in conf["not_after"]):
        return False
    if _followed_by(text, sp.end, conf["thresholds"]):
        return False  # "2000元以下" is a threshold, not a cost
    if sp.unit in conf["money_units"] or sp.unit in conf["multiplier_suffixes"]:
        return True
    if text[: sp.start].rstrip().endswith("¥"):
        return True
    if _followed_by(text, sp.end, conf["non_money_units"]):
        return False
    digits = re.sub(r"\D", "", sp.text)
    after_cost_cue = any(text[: sp.start].rstrip().endswith(w) for w in conf["cost_cues"])
    if digits and digits == sp.text and not after_cost_cue and (digits in conf["hotlines"] or len(digits) >= 7):
        return False
    return sp.value >= conf["bare_min"]


def _role(text: str, sp: NumberSpan, left_start: int, role_hits: list[Hit], after_roles: Sequence[str],
          floor: int = 0) -> Hit | None:
    """The role cue closest before the amount (ending within the left window, never before the
    previous amount: "职工年平均工资大概48000"), else a 自费/押金 cue after it."""
    before = [h for h in role_hits if h.start >= floor and h.end > left_start and h.end <= sp.start]
    if before:
        return max(before, key=lambda h: h.end)
    m = re.match(r"\s*(?:是|的|为|都是)?", text[sp.end :])
    after_at = sp.end + (m.end() if m else 0)
    for h in role_hits:
        if h.start == after_at and h.value in after_roles:
            clause = _CLAUSE_BREAK.split(text[h.end :], maxsplit=1)[0]
            if not re.search(rf"[\d{_CN_NUM}]", clause):  # "5000是自费的", not "2万自费的有5000"
                return h
    return None


# A wage said per year ("年薪12万", "一年工资7万2"), or one of a yearly size said with no month
# ("单位职工平均工资16万"); any other wage is monthly, as people state wages.
_YEARLY_WAGE = re.compile(r"年薪|年工资|年收入|一年|每年|全年|年平均|年均")
_MONTHLY = re.compile(r"月|每个月|一个月")
YEARLY_WAGE_FROM = 50000


def _said_around(text: str, start: int, end: int, window: int = 4) -> str:
    """A figure's span with a few characters either side, within its clause ("月工资6000",
    "工资8000一个月" — not the "月" of the next clause's wage)."""
    left = _CLAUSE_BREAK.split(text[max(0, start - window) : start])[-1]
    right = _CLAUSE_BREAK.split(text[end : end + window])[0]
    return left + text[start:end] + right


# A figure right after a denial word ("不是2万"; Cantonese 唔系). The dialogue reads denials with it too.
DENIED_FIGURE = re.compile(r"(?:不是|并非|唔系|唔係|不系|不係)\s*$")


def extract_amounts(text: str, lex: Lexicon, found: Found) -> None:
    """Amounts with their role: covered/total cost, 自费 part, 今年已报销, wage; policy values ignored."""
    conf = lex.amount_conf
    role_hits = lex.amount_roles.find(text)
    if conf.get("remainder_pattern"):
        # The remainder role by its parts (自己 + 还/要 + 出/掏/付), where no listed cue covers it.
        listed = [(h.start, h.end) for h in role_hits]
        for m in re.finditer(conf["remainder_pattern"], text):
            if not any(s < m.end() and m.start() < e for s, e in listed):
                role_hits.append(Hit("remainder", m.start(), m.end(), m.group(0)))
    prev_end, prev_role = 0, None
    picked: list[tuple[str | None, NumberSpan, Hit | None]] = []
    vague = re.search(conf["vague_amount"], text)
    if vague:
        found.evidence["amount_unparsed"] = f"{vague.group(0)}（没有具体数额，未取值）"
    year_at = found.where.get("year")
    # A premium said in passing ("交的是一百五那个档") is no cost of care (`extract_contribution_amount`).
    premiums = {start for _v, start, _e in _premium_candidates(text)}
    for sp in find_numbers(text):
        if sp.start in premiums:
            continue
        if sp.value is None and sp.has_magnitude:
            found.evidence.setdefault("amount_unparsed", f"{sp.text}（范围或写法不明确，未取值）")
        if year_at and year_at[0] <= sp.start < year_at[1]:
            continue
        if not _is_money(text, sp, conf):
            continue
        if DENIED_FIGURE.search(text[: sp.start]):
            # "不是2万，是2千", "自费的是两千不是三千": the denied figure is nobody's cost; the one said
            # instead takes the role (the dialogue maps a denial onto the fact it corrects: `denied_number`).
            continue
        left_start = max(prev_end, sp.start - conf["left_window"])
        between = text[prev_end : sp.start].strip()
        if prev_role is not None and picked and between in conf["connectors"]:
            role, cue = prev_role, None
        else:
            cue = _role(text, sp, left_start, role_hits, conf["roles_after"], prev_end)
            role = cue.value if cue else None
            if role in ("remainder", "carryover"):
                # "去年定额没用完，还剩20块": last year's balance; a 余额 of nothing said last is no role.
                last_year = cue.alias in conf["carryover_cues"] and any(w in text[: cue.start] for w in conf["carryover_after"])
                if last_year:
                    role = "carryover"
                elif role == "carryover":
                    role, cue = None, None
            if role == "remainder" and not any(w in text[: cue.start] for w in conf["remainder_after"]):
                role, cue = None, None  # "自付3000" with no reimbursement before it is the cost
            if role in ("policy_value", "paid_in") and _CLAUSE_BREAK.search(text[cue.end : sp.start]):
                # A rule figure or a premium follows its word ("起付线800", "交了280"); across a clause
                # break the number is the bill told after it ("报销比例多少，花了两万", "门槛费交了，住院6200").
                role, cue = None, None
            if cue is None and prev_role == "policy_value":
                role = prev_role  # "起付线800 二级300": a list of policy values, not costs
        if cue is not None and role not in _NOT_COST:
            found.masks.append((cue.start, cue.end))
        picked.append((role, sp, cue))
        prev_end, prev_role = sp.end, role

    carried = [sp for role, sp, _cue in picked if role == "carryover"]
    if carried:
        # "去年门诊那60块钱还剩20块没用完": a figure before last year's balance, in its clause, is the
        # quota the balance is left of — a rule's figure, not a bill.
        balance = carried[0]
        picked = [("policy_value", sp, cue) if role is None and sp.end <= balance.start
                  and not _CLAUSE_BREAK.search(text[sp.end : balance.start]) else (role, sp, cue)
                  for role, sp, cue in picked]

    def first(roles: tuple) -> tuple[NumberSpan, Hit | None] | None:
        for role, sp, cue in picked:
            if role in roles:
                return sp, cue
        return None

    def note(sp: NumberSpan) -> str:
        return "约数，按下限取值" if sp.approx else ""

    def span(sp: NumberSpan, cue: Hit | None) -> tuple[int, int]:
        return (min(sp.start, cue.start), max(sp.end, cue.end)) if cue else (sp.start, sp.end)

    for slot, role in (("uncovered_amount", "uncovered"), ("ytd_reimbursed", "ytd"), ("wage", "wage"),
                       ("self_paid_remainder", "remainder"), ("local_avg_wage", "avg_wage"), ("carryover", "carryover")):
        hit = first((role,))
        if hit:
            found.put(slot, hit[0].value, text, *span(*hit), note(hit[0]))
    if "wage" in found.values:
        start, end = found.where["wage"]
        said = _said_around(text, start, end)
        yearly = _YEARLY_WAGE.search(said) or (not _MONTHLY.search(said) and found.values["wage"] >= YEARLY_WAGE_FROM)
        found.values["wage_period"] = "year" if yearly else "month"
    if "local_avg_wage" in found.values:
        # The average wage is a yearly figure (the rules scale caps and bases by 年平均工资); one said per
        # month ("职工月平均工资三千", "社平工资每月四千") is made yearly here, the arithmetic in its evidence.
        start, end = found.where["local_avg_wage"]
        said = _said_around(text, start, end)
        if _MONTHLY.search(said) and not _YEARLY_WAGE.search(said):
            monthly = found.values["local_avg_wage"]
            found.values["local_avg_wage"] = monthly * 12
            found.evidence["local_avg_wage"] = f"{found.evidence['local_avg_wage']}（每月{monthly}元 × 12 = 每年{monthly * 12}元）"
    chosen = first(("covered",)) or first(("total", None))
    if chosen:
        sp, cue = chosen
        found.put("amount", sp.value, text, *span(sp, cue), note(sp))
        if cue is not None and cue.value == "covered":
            found.values["amount_scope"] = "covered"
        elif (cue is not None and cue.value == "total") or "uncovered_amount" in found.values:
            found.values["amount_scope"] = "total"
    elif "uncovered_amount" in found.values:
        # "里头有两千是自费药": a 自费 part of the bill told before, so that bill was the total.
        start = found.where["uncovered_amount"][0]
        if any(w in text[:start] for w in lex.amount_conf["part_of"]):
            found.values["amount_scope"] = "total"


# --- categorical slots ------------------------------------------------------------------------


# How a level read from a facility's name is explained (it is a convention, not a policy clause).
_CONVENTION_NOTE = {
    1: "按通常惯例视为一级医疗机构，非政策条文定义",
    2: "县级医院按通常惯例视为二级医院，非政策条文定义",
    3: "公开的医院等级为三级，非政策条文定义",
}


_CLAUSE_END = re.compile(r"[，,。；;！!？?\s]")


def _stay_hospital(text: str, candidates: list[tuple[int, int, int, str]],
                   conf: dict) -> tuple[int, int, int, str] | None:
    """Of several hospitals named, the one the bill is from: "先在镇卫生院看，后头在县医院住了半个月" is
    the county hospital's stay. A stay word after a hospital (before the clause ends) marks it; else
    a word of moving on (转到, 后头在) before it; else the first named, as one hospital always was."""
    if len({c[2] for c in candidates}) < 2:
        return min(candidates, default=None)

    def clause_after(end: int) -> str:
        m = _CLAUSE_END.search(text, end)
        return text[end:m.start() if m else len(text)][:8]

    stay = re.compile("(?:又|就|才|去)?(?:" + "|".join(map(re.escape, conf["stay_after"])) + ")")
    stayed = [c for c in candidates if stay.match(clause_after(c[1]))]
    if stayed:
        return max(stayed)
    moved = [c for c in candidates if any(w in text[max(0, c[0] - 6):c[0]] for w in conf["moved_before"])]
    if moved:
        return max(moved)
    return min(candidates)


def extract_hospital_level(text: str, lex: Lexicon, found: Found) -> None:
    """一级/二级/三级, 三甲/二乙; by convention 乡镇卫生院/社区卫生服务中心 → 1, 县医院/县人民医院/县中医院
    → 2, a named 三甲 hospital (重医附一院) → 3; 市医院/人民医院 → unknown (asked)."""
    conf = lex.hospital_conf
    levels = conf["level_words"]
    candidates: list[tuple[int, int, int, str]] = []
    for m in re.finditer(r"([一二三123])(?:级(?:甲等|乙等|丙等)?|[甲乙丙](?:等)?)", text):
        prev = text[m.start() - 1] if m.start() else ""
        if prev and (prev.isdigit() or prev in _CN_NUM or prev == "第"):
            # 一二级 (several levels), 十三级, 第三级: no one hospital's level, so no learned head may
            # read one from them either.
            found.marked.add("hospital_level")
            continue
        if _followed_by(text, m.end(), conf["not_followed_by"]):
            # 二级及以上, 一级伤残: the words say this is no hospital's level, so no learned head
            # may read one from them either (`slot_model.protected_slots`).
            found.marked.add("hospital_level")
            continue
        candidates.append((m.start(), m.end(), levels[m.group(1)], ""))
    for h in lex.hospital_facility.find(text):
        if h.value is None:
            # 市医院, 人民医院: a hospital whose level its name does not fix is asked, never guessed
            # (a learned head reads a level into it from annotators' hunches).
            found.evidence.setdefault("hospital_level", f"{h.alias}（未说明医院等级，需追问）")
            found.marked.add("hospital_level")
        else:
            candidates.append((h.start, h.end, h.value, _CONVENTION_NOTE[h.value]))
    explicit = [c for c in candidates if not c[3]]
    pick = _stay_hospital(text, explicit or candidates, conf)
    if pick:
        found.evidence.pop("hospital_level", None)
        found.put("hospital_level", pick[2], text, pick[0], pick[1], pick[3])


def employed_there(text: str, work: RegionMention, lex: Lexicon) -> bool:
    """The workplace is where the user is employed ("我在湖北上班", lexicon `regions.roles.employed_after`,
    or an employer named: `employer_words`), not migrant labour or school, and the message speaks of
    no home elsewhere (老家, 户口): the employee scheme insures people where they work, so that place
    is the insured region."""
    roles = lex.regions_conf["roles"]
    right = _CLAUSE_BREAK.split(text[work.end :], maxsplit=1)[0][: roles["right_window"]]
    employed = any(w in right for w in roles.get("employed_after", ())) or any(
        w in text for w in roles.get("employer_words", ()))
    return employed and not any(w in text for w in roles.get("elsewhere_home", ()))


def insured_there(text: str, work: RegionMention, lex: Lexicon) -> str | None:
    """The words after a workplace or school that ask about the insurance of that place ("在海口读书，
    那边居民医保交多少": lexicon `regions.roles.there_words` + an `insured_words` word within the
    right window), or None."""
    roles = lex.regions_conf["roles"]
    for w in roles.get("there_words", ()):
        i = text.find(w, work.end)
        if i < 0:
            continue
        near = _CLAUSE_BREAK.split(text[i + len(w) :], maxsplit=1)[0][: roles["right_window"]]
        if any(x in near for x in roles.get("insured_words", ())):
            return text[i : i + len(w)] + near
    return None


def care_there(text: str, work: RegionMention, lex: Lexicon) -> str | None:
    """The words after a workplace that put care there ("在东莞打工 在这边二级医院住了院", "在成都打工，
    在那边三甲医院住院": lexicon `regions.roles.there_before` + a care word of `treat_after` within the
    clause), or None."""
    roles = lex.regions_conf["roles"]
    for w in roles.get("there_before", ()):
        i = text.find(w, work.end)
        if i < 0:
            continue
        clause = _CLAUSE_BREAK.split(text[i:], maxsplit=1)[0]
        if any(c in clause for c in roles["treat_after"]):
            return clause
    return None


def extract_region(text: str, lex: Lexicon, found: Found, known_regions: Sequence[str]) -> None:
    """The insured region (regions.py): library regions first (岳池 → 岳池县), then provinces and
    X县/X市/X区; a workplace is not it. Care in another named place sets the out-of-area hint."""
    best, mentions = pick_region(text, lex, known_regions)
    if best is None:
        work = next((m for m in mentions if m.role == "work"), None)
        if work and employed_there(text, work, lex):
            found.put("region", work.value, text, work.start, work.end, "就业地：职工医保在就业地参保")
        elif work and (there := insured_there(text, work, lex)):
            found.put("region", work.value, text, work.start, work.end, f"{there}：问的是该地的医保")
        elif work:
            found.evidence.setdefault("region", f"{text[work.start:work.end]}（务工/上学地，非参保地，需追问）")
            there = care_there(text, work, lex)
            if there:  # "在东莞打工，在这边住了院": care where one works, not a region of insurance
                found.values["care_place"] = work.value
                found.evidence["care_place"] = f"{text[work.start:work.end]}…{there}（就医地）"
            else:  # "现在在广州打工" after the insured region was told: care there is out of area
                found.values["care_place"] = work.value
                found.evidence["care_place"] = f"{text[work.start:work.end]}（务工/上学地，按异地就医）"
        return
    note = "回/老家/参保地" if best.role == "home" and len(mentions) > 1 else ""
    found.put("region", best.value, text, best.start, best.end, note)
    if best.role == "treat":
        found.values["care_place"] = best.value
    elsewhere = next(
        (m for m in mentions if m.role == "treat" and not same_area(m.value, best.value)), None
    )
    if elsewhere:
        found.out_of_area_hint = (elsewhere.start, elsewhere.end)


def extract_scheme(text: str, lex: Lexicon, found: Found) -> None:
    """Scheme by alias (supplementary layers first), else by pattern ("公司给买的" → 职工)."""
    hits = lex.scheme.find(text)
    preferred = [h for h in hits if h.value in lex.scheme_precedence]
    h = (preferred or hits or [None])[0]
    if h:
        found.put("scheme", h.value, text, h.start, h.end)
        return
    for scheme, pattern in lex.scheme_patterns.items():
        m = pattern.search(text)
        if m:
            found.put("scheme", scheme, text, m.start(), m.end())
            return


def extract_tier(text: str, lex: Lexicon, found: Found) -> None:
    """The tier the user is in. Several tiers named side by side ("一档二档各交多少", "交一档还是二档划算")
    compare them: no one tier is the user's, and no learned head may pick one (a denial, "不是一档，是
    二档", names the one said last: `_denied_then_said`)."""
    hits = lex.tier.find(text)
    if len({x.value for x in hits}) > 1 and not _DENIED.search(text):
        found.marked.add("tier")
        return
    h = hits[0] if hits else None
    if h:
        found.put("tier", h.value, text, h.start, h.end)


# "60岁以上的老人", "十八岁以下": a bound of an age group, not someone's age.
_AGE_YEARS = re.compile(rf"({_NUM})(多)?\s*(?:周岁|岁)(?!及?以[上下内]|之间|至|到)")


@lru_cache(maxsize=4)
def _age_after_lead(leads: tuple[str, ...]) -> re.Pattern[str]:
    lead = "|".join(re.escape(w) for w in sorted(leads, key=len, reverse=True))
    # "那我妈呢，65了": the person turned to with 呢 is who the age is of; a kin word may carry the
    # Sichuan/Beijing erhua (老汉儿六十八了, 老伴儿七十了).
    # "我妈是低保户，六十八了": the 了-final count may open the clause after the one naming the person.
    return re.compile(rf"(?:{lead})儿?(?:呢,?|[^,，。!?！？\d]{{0,8}}[,，])?({_NUM})(多)?了")


@lru_cache(maxsize=4)
def _age_closing_clause(leads: tuple[str, ...]) -> re.Pattern[str]:
    lead = "|".join(re.escape(w) for w in sorted(leads, key=len, reverse=True))
    # "他爸呢，五十多，", "是我爸，六十五": the count may stand alone in the clause after the relative's.
    return re.compile(rf"(?:{lead})儿?(?:呢?[,，])?({_NUM})(多)?(?=,|$)")


# "(低保户)七十多了", "八十几了": sixty and up in round tens with 多/几 and 了 is an age wherever it
# stands (money would carry 块/元/万, and is never 了-final after such a count).
# "七十好几了", "六十几岁的", "七十几的老人": the same with 好几, or before 岁/的老人.
_OLD_AGE_TENS = re.compile(r"(?<![\d零一二两三四五六七八九十百千万])([六七八九]十)(多|几|好几)(?:了|岁|的老)")
# "60岁以上的老人", "六十岁及以上": the lower bound of an older group is the youngest such person's age
# (a group's category is decided by it); an upper bound ("18岁以下") fixes no age.
_AGE_FROM = re.compile(rf"({_NUM})()\s*(?:周岁|岁)及?以上")
# "我妈是74不是72", "我爸不是五十，是六十一", "年纪说错了，是六十二不是五十二": two bare counts in a
# denial, after a word naming an older person or an age, are that person's age, said and denied.
_AGE_SAID_DENIED = re.compile(rf"是\s*({_NUM})()\s*[,，]?\s*不是\s*(?:{_NUM})(?![\d{_CN_NUM}万块元档那])")
_AGE_DENIED_SAID = re.compile(rf"不是\s*(?:{_NUM})\s*[,，]?\s*(?:而|我们|他|她)?是\s*({_NUM})()(?![\d{_CN_NUM}万块元档那])")
_AGE_WORDS = ("年纪", "岁数", "年龄", "多大")


def _age(text: str, leads: Sequence[str], bare_leads: Sequence[str] = ()) -> tuple[int, bool, int, int] | None:
    """(years, approximate, start, end) from "75岁", "六十多岁", or "<lead>72了" ("俺爹72了",
    "都六十多了"): a bare number ending in 了 is an age only after a kin word or 今年/都; one closing
    its clause ("老汉今年68，") only after 今年 or an older relative's word (`bare_leads`)."""
    # An older relative's word that may lead a bare age leads a 了-final one too (老汉六十八了).
    m = (_AGE_YEARS.search(text) or _age_after_lead(tuple(dict.fromkeys([*leads, *bare_leads]))).search(text)
         or _OLD_AGE_TENS.search(text)
         or (_age_closing_clause(tuple(bare_leads)).search(text) if bare_leads else None)
         or _AGE_FROM.search(text) or _corrected_age(text, bare_leads))
    age = _count(m, 120)
    return (age, bool(m.group(2)), m.start(1), m.end()) if m and age else None


def _corrected_age(text: str, bare_leads: Sequence[str]) -> re.Match[str] | None:
    """The age said in a denial pair of bare counts, when an older person's word or an age word
    comes before it (money carries 块/万 or a role word and is read by `extract_amounts`)."""
    m = _AGE_SAID_DENIED.search(text) or _AGE_DENIED_SAID.search(text)
    if m is None:
        return None
    before = text[: m.start()]
    return m if any(w in before for w in (*bare_leads, *_AGE_WORDS)) else None


def _denial_before(text: str, start: int, negations: Sequence[str]) -> str | None:
    """The first of `negations` ending right before `start` ("不问学生了", "没出县"), or None — also
    when it is the 不 of an A不A question ("是不是学生", "算不算儿童", "是不是异地"), which denies nothing."""
    left = text[:start]
    for w in negations:
        if left.endswith(w):
            a_not_a = w.startswith("不") and len(w) >= 2 and left[: -len(w)].endswith(w[1])
            return None if a_not_a else w
    return None


def extract_person(text: str, lex: Lexicon, found: Found) -> None:
    """学生/儿童/老人/成人 by lexicon (most specific wins), else an age by stated convention."""
    hits = lex.person.find(text)
    negated = [h for h in hits if _denial_before(text, h.start, lex.person_conf.get("negations", ()))]
    if negated:  # denied: no learned head may read the word back in (`slot_model.protected_slots`)
        found.marked.add("person_category")
        hits = [h for h in hits if h not in negated]
    for category in lex.person_conf["precedence"]:
        for h in hits:
            if h.value == category:
                found.put("person_category", category, text, h.start, h.end)
                age = _age(text, lex.person_conf["age_leads"], lex.person_conf.get("age_leads_bare", ()))
                if age:
                    found.put("age", age[0], text, age[2], age[3])
                return
    conf = lex.person_conf
    age = _age(text, conf["age_leads"], conf.get("age_leads_bare", ()))
    if age:
        found.put("age", age[0], text, age[2], age[3], "约数，按下限取值" if age[1] else "")
        years, approx, start, end = age
        if years >= conf["elderly_age"]:
            found.put("person_category", "elderly", text, start, end, f"{conf['elderly_age']}岁及以上按老年人")
        elif years < conf["adult_age"] and not approx:  # 十多岁 may be 18 or over
            found.put("person_category", "child", text, start, end, f"未满{conf['adult_age']}岁按儿童")
        elif years >= conf["adult_age"] and (not approx or years + 9 < conf["elderly_age"]):  # 五十多: 50–59
            found.put("person_category", "adult", text, start, end,
                      f"{conf['adult_age']}至{conf['elderly_age'] - 1}岁按成年人")


def extract_poverty(text: str, lex: Lexicon, found: Found) -> None:
    h = lex.poverty.first(text)
    if h:
        neg = _before(text, h.start, lex.poverty_negations, window=3)
        found.put("poverty", neg is None, text, h.start - (len(neg) if neg else 0), h.end)
    low = lex.low_income.first(text)
    if low:
        neg = _before(text, low.start, lex.poverty_negations, window=3)
        found.put("low_income", neg is None, text, low.start - (len(neg) if neg else 0), low.end)


# Yes/no facts read from the lexicon's true/false word lists alone: 退休/在职, 下岗, 连续参保 ("每年都交了的",
# "今年都有继续交钱" → True; "中间断过一年" → False — the carry-over condition), and care for an injury.
_YES_NO_SLOTS = ("retired", "laid_off", "continuous_enrollment", "injury")


def extract_yes_no(text: str, lex: Lexicon, found: Found) -> None:
    for slot in _YES_NO_SLOTS:
        h = getattr(lex, slot).first(text)
        if h:
            found.put(slot, h.value, text, h.start, h.end)


def extract_carryover_unused(text: str, lex: Lexicon, found: Found) -> None:
    """"去年一次普通门诊都冇睇过": all of last year's quota is left (when no balance was told)."""
    m = lex.carryover_unused.search(text)
    if m and "carryover" not in found.values:
        found.put("carryover_unused", True, text, m.start(), m.end())
        at = found.where.get("amount")
        if at and m.start() <= at[0] and at[1] <= m.end():
            # "去年门诊那60块一分都没用": the sum inside is last year's quota, no bill of this year.
            for part in (found.values, found.evidence, found.where):
                part.pop("amount", None)


def extract_household_members(text: str, lex: Lexicon, found: Found) -> None:
    """"我和我婆娘都三十几，娃儿4岁还没上幼儿园" → household_members (`assistant.nlu.household`). No span
    and no evidence of its own: the words stay readable for the one-person slots and the topic, and a
    follow-up never swaps a whole description into the question (`dialogue.rewrite_query`)."""
    from assistant.nlu.household import household_members

    members = household_members(text, lex)
    if members:
        found.values["household_members"] = members


def extract_household_size(text: str, lex: Lexicon, found: Found) -> None:
    """"一家四口", "屋头4个人都买" → household_size (two or more people; "一个人" is per person)."""
    for pattern in lex.household_size:
        m = pattern.search(text)
        if m:
            size = int(parse_number(m.group(1)))
            if size >= 2:
                found.put("household_size", size, text, m.start(1), m.end(1))
            return


def _count(match: re.Match[str] | None, upper: int) -> int | None:
    """The numeral in group 1 of `match` as an integer in 1..upper-1 (第二次, 两种, 七十五岁), else None."""
    if match is None:
        return None
    try:
        n = int(parse_number(match.group(1)))
    except NumberParseError:
        return None
    return n if 0 < n < upper else None


def extract_admission(text: str, lex: Lexicon, found: Found) -> None:
    """第N次(住院), or a count of stays ("一年住两次院", "住了三回院": this one is the Nth)."""
    # A denied ordinal is not this stay ("不是第一次住院，第二回了"); 再住一次院 is one more stay, not a count.
    for pattern in (rf"第({_NUM})(?:次|回)", rf"(?<!再)住(?:了|过)?({_NUM})(?:次|回)院"):
        for m in re.finditer(pattern, text):
            n = _count(m, 100)
            if n and not DENIED_FIGURE.search(text[: m.start()]):
                found.put("admission_index", n, text, m.start(), m.end())
                return
    h = lex.admission_fixed.first(text)
    if h:
        found.put("admission_index", h.value, text, h.start, h.end)
        return
    m = lex.admission_again.search(text)
    if m:
        found.put("admission_index", 2, text, m.start(), m.end(), "又…住")


def extract_out_of_area(text: str, lex: Lexicon, found: Found) -> None:
    every = lex.out_of_area.find(text)
    hits = [h for h in every if not _followed_by(text, h.end, lex.out_of_area_not_followed_by)]
    if len(hits) < len(every) and not hits:
        working = next((h for h in every if h.value and _followed_by(text, h.end, lex.working_away)
                        and not _denial_before(text, h.start, lex.away_negations)), None)
        if working and not lex.home_care.search(text, working.end):
            # "在外地打工": living and working away, care is where they live (lexicon `working_away`).
            found.put("out_of_area", True, text, working.start, working.end, "在外务工")
            found.marked.add("out_of_area")
            return
        # "外地户口", "在外地上学": the place word names residence or study, not where care happened,
        # so no learned head may read care out of area from it either (`slot_model.protected_slots`).
        found.marked.add("out_of_area")
    h = next((h for h in hits if h.value), None) or (hits[0] if hits else None)
    if h and not h.value:
        # "没在本县住院", "不在本地看病": the negated local word puts care outside the area.
        neg = next((w for w in lex.out_of_area_negations if text[: h.start].endswith(w)), None)
        if neg:
            # A negated local word and a trip to the city (below) are phrase forms whose meaning is
            # fixed: marked, so no learned head clears them (`slot_model.protected_slots`).
            found.put("out_of_area", True, text, h.start - len(neg), h.end, "否定本地就医")
            found.marked.add("out_of_area")
            return
    if h and h.value:
        # "没出县", "没有去外地", "不是异地": the negated away word puts care inside the area — but
        # the 不是 of an A不A question ("是不是异地") negates nothing.
        neg = _denial_before(text, h.start, lex.away_negations)
        if neg:
            found.put("out_of_area", False, text, h.start - len(neg), h.end, "否定外地就医")
            found.marked.add("out_of_area")
            return
    vague = lex.vague_destinations.first(text)
    if h:
        found.put("out_of_area", h.value, text, h.start, h.end)
    elif vague and not any(w in _without_denied_referral(text, found) for w in lex.vague_blocked_by):
        found.put("out_of_area", True, text, vague.start, vague.end, "到市里/省城就医")
        found.marked.add("out_of_area")
    elif found.out_of_area_hint:
        found.put("out_of_area", True, text, *found.out_of_area_hint, "就医地与参保地不同")
    if found.values.get("out_of_area") is True:
        # 市外/省外 vs 市内县外: whether care was also outside the city, only when the words say so.
        city = lex.out_of_city.first(text)
        if city:
            found.put("out_of_city", city.value, text, city.start, city.end)


def _without_denied_referral(text: str, found: Found) -> str:
    """The text without the words denying a referral ("去主城住的院，没有办转诊"): a referral not made
    is no transfer, so it does not hide where the trip went; 转到 / 转院 elsewhere still do."""
    said = found.evidence.get("referral") if found.values.get("referral") is False else None
    return text.replace(said, " ") if said else text


def _blanked(text: str, words: Sequence[str]) -> str:
    """`text` with every occurrence of `words` replaced by spaces (positions kept)."""
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, " " * len(w))
    return text


def _unconditional(text: str, conf: dict) -> str:
    """The text with conditional words (要是, 如果…: "要是办了转诊") blanked, so their 要 is not read
    as a question about the requirement (要转诊吗)."""
    return _blanked(text, conf["conditionals"])


def extract_referral(text: str, lex: Lexicon, found: Found) -> None:
    """转诊/登记/备案 done (True) or negated (False); a question about it ("要转诊吗", "转院要办啥
    手续") sets nothing but hints the topic the question is about (转诊, or 异地就医 for 备案)."""
    conf = lex.referral_conf
    other = conf["other_registrations"]
    for h in lex.referral.find(text):
        if h.alias in other["cues"] and _before(_clause_left(text, h.start, 8), None, other["after"]):
            continue  # 特门备案: the special-disease registration, not a referral
        # The 不 of an A不A question (要不要办转诊, 需不需要备案) negates nothing.
        neg = _before(_clause_left(_blanked(text, conf["question_before"]), h.start, 5), None, conf["negations"])
        neg_after = next((w for w in conf.get("negations_after", []) if _followed_by(text, h.end, [w])), None)
        if neg is None and neg_after:
            if "referral" not in found.values:
                found.marked.add("referral")
            found.put("referral", False, text, h.start, h.end + len(text[h.end:]) - len(text[h.end:].lstrip()) + len(neg_after))
            found.masks.append((h.start, h.end))
            continue
        # Done: marked after (转诊了) or before (已经备案), or by the cue itself (办了转诊).
        done = bool(
            _followed_by(text, h.end, conf["done_after"]) or _before(text, h.start, conf["done_before"], 3)
            or any(h.alias.startswith(w) for w in conf["done_before"])
        )
        clause_after = _CLAUSE_BREAK.split(text[h.end :], maxsplit=1)[0]
        asked = (
            neg is None and not done and _before(_unconditional(text, conf), h.start, conf["question_before"], window=3) is not None
        ) or _followed_by(text, h.end, conf["question_after"]) or (
            neg is None and not done and any(w in clause_after for w in conf["question_words"])
        )
        if asked:
            topic = next((t for t, cues in conf["asked_topics"].items() if any(c in h.alias for c in cues)), None)
            if topic:
                found.topic_hints.append((h.start, h.end, topic))
            continue
        start = text.rfind(neg, max(0, h.start - 5), h.start) if neg else h.start
        if "referral" not in found.values and (done or neg is not None):
            found.marked.add("referral")
        found.put("referral", neg is None, text, start, h.end)  # the first statement wins...
        found.masks.append((start, h.end))  # ...but every stated cue is hidden from topics (转诊手续办了)


def extract_chronic_count(text: str, lex: Lexicon, found: Found) -> None:
    conf = lex.service_conf
    nouns = "|".join(conf["chronic_count_nouns"])
    classifiers = "".join(conf["count_classifiers"])
    m = re.search(rf"({_NUM})[{classifiers}](?:{nouns})", text)
    if m is None:
        # The count said after the noun, closing its clause ("有慢性病，一种", "慢病有两个").
        m = re.search(rf"(?:{nouns})(?:,|有|是|共|一共){{0,2}}({_NUM})[{classifiers}](?=$|[,.;!?了的])", text)
    n = _count(m, 20)
    if m and n:
        found.put("chronic_disease_count", n, text, m.start(), m.end())
        return
    # A chronic name inside a major disease's name (心脏病 in 先天性心脏病) is that major disease.
    major = [(h.start, h.end) for h in lex.major_diseases.find(text)]
    names = {h.value: h for h in lex.chronic_diseases.find(text)
             if not any(s <= h.start and h.end <= e for s, e in major)}
    if names:
        hs = list(names.values())
        found.put("chronic_disease_count", len(names), text, hs[0].start, hs[-1].end, "按提到的病种数")


def extract_service(text: str, lex: Lexicon, found: Found) -> None:
    """Service by keyword precedence; a named chronic/major disease makes a bare "门诊" its own
    outpatient service. A disease named with no care word is no service: the care is a fact the user
    has not told yet (every annotator leaves the service empty for "医生说是白血病"); the disease
    itself is kept by the major-disease and chronic-count slots."""
    hits = lex.service.find(text)
    if not any(h.value == "inpatient" for h in hits):
        # "住的院", "住完院", "住了五天院", "住两次院": 住…院 split by a particle or a duration.
        hits += [Hit("inpatient", m.start(), m.end(), m.group(0)) for m in lex.inpatient_split.finditer(text)]
    negations = lex.service_conf.get("negations", [])
    negated = [h for h in hits if any(text[: h.start].endswith(w) for w in negations)]
    if negated:
        found.marked.add("service")
        hits = [h for h in hits if h not in negated]
    generic = set(lex.service_conf["generic_outpatient"])
    bare_outpatient = all(h.value == "general_outpatient" and h.alias in generic for h in hits)
    if hits and bare_outpatient:
        for service, matcher in (
            ("major_disease_outpatient", lex.major_diseases),
            ("chronic_outpatient", lex.chronic_diseases),
        ):
            h = matcher.first(text)
            if h:
                found.put("service", service, text, h.start, h.end, "由病种推断")
                return
    # A treatment or disease word (化疗, 透析, 慢性病) names no setting: an explicit 住院 decides it.
    treatment = set(lex.service_conf["treatment_words"])
    care_unknown = set(lex.service_conf.get("care_unknown_words", []))
    if hits and all(h.alias in care_unknown for h in hits):
        # ...and a disease word with no care word at all ("儿童重大疾病封顶多少") names none: the major
        # disease is kept by its own slot, the care is not told yet (the annotators: 100 of 100).
        return
    if any(h.value == "inpatient" for h in hits):
        hits = [h for h in hits if h.alias not in treatment]
    for service in lex.service_precedence:
        for h in hits:
            if h.value == service:
                found.put("service", service, text, h.start, h.end)
                return


# "24年交多少", "23年的报销比例": a two-digit year only where a policy year is plausible, never
# after 交了/满/第 ("交了15年" is a duration, "第15年" an ordinal).
_SHORT_YEAR = re.compile(
    r"(?<![\d第满了够交缴])(1[5-9]|2\d)年(?=的|度|交|缴|住院|报|起付|封顶|标准|政策|医保|新农合|农合|城乡|居民|职工|一档|二档|参保)"
)


# "二〇二五年", "二零二四年": a year written digit by digit in Chinese numerals.
_HAN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_HAN_YEAR = re.compile(r"(?<![〇零○一二三四五六七八九十百千万])((?:一九|二[〇零○])[〇零○一二三四五六七八九]{2})\s*年")


# A message that is only a year ("2010呢", "那2011年度的呢"): the follow-up names the year asked about,
# not a sum of money.
_YEAR_ALONE = re.compile(r"^(?:那|那么)?((?:19|20)\d{2})(?:年度?)?(?:的)?(?:呢|嘞|喃|咧|勒)?[?？]?$")


def extract_year(text: str, found: Found) -> None:
    m = re.search(r"((?:19|20)\d{2})\s*年", text) or _YEAR_ALONE.match(text.strip())
    if m:
        found.put("year", int(m.group(1)), text, m.start(), m.end())
        return
    m = _YEAR_OF_DATE.search(text)
    if m:
        found.put("year", int(m.group(1)), text, m.start(1), m.end(1), "年月日期")
        return
    m = _HAN_YEAR.search(text)
    if m:
        year = int("".join(str(_HAN_DIGITS[c]) for c in m.group(1)))
        if 1900 <= year <= 2099:
            found.put("year", year, text, m.start(), m.end(), "汉字年份")
            return
    m = _SHORT_YEAR.search(text)
    if m:
        found.put("year", 2000 + int(m.group(1)), text, m.start(), m.end(), "两位数年份按20xx年")


def _payment_topic(text: str, hit: Hit, lex: Lexicon, found: Found) -> str | None:
    """What a bare paying verb (交多少, 要交钱, 怎么交) is about: a premium topic in a premium
    context; next to a provider word, paying the hospital (先诊疗后付费 when it is "先交钱", else no
    topic); nothing at all when the message gives no context ("要交多少" could be either)."""
    conf = lex.payment_conf
    if lex.provider_context.first(text):
        before = text[: hit.start]
        return conf["pay_first_topic"] if any(before.endswith(w) for w in conf["pay_first"]) else None
    payer_fact = any(slot in found.values for slot in conf["premium_slots"])
    return hit.value if payer_fact or lex.premium_context.first(text) else None


_PERCENT_WORDS = frozenset({"%", "百分之"})
_NUMERALS = frozenset("0123456789.") | set(CN_DIGITS) | set(SMALL_UNITS)  # the number parser's own numerals


def _stated_percentage(text: str, start: int, end: int) -> bool:
    """"单位按6%缴、划入个人账户按30%算，每月个人账户进多少": a percentage with its number states a rate
    the user gives; beside another topic it does not ask one — the topic is what is asked (个人账户).
    Alone it is the subject ("一级医院80%对吧"), and "报销百分之多少", "几%" ask the ratio."""
    word = text[start:end]
    if word not in _PERCENT_WORDS:
        return False
    if word == "%":
        return start > 0 and text[start - 1] in _NUMERALS
    return end < len(text) and text[end] in _NUMERALS


def extract_topic(text: str, lex: Lexicon, found: Found) -> None:
    """The first policy topic mentioned, ignoring spans already read as another slot's cue.
    Bare paying verbs count only once their context says what is being paid (`_payment_topic`)."""
    masked = list(text)
    for start, end in found.masks:
        masked[start:end] = "□" * (end - start)
    visible = "".join(masked)
    hits = [(h.start, h.end, h.value) for h in lex.topic.find(visible)]
    asked = [c for c in hits if not _stated_percentage(visible, c[0], c[1])]
    cands = (asked if asked or found.topic_hints else hits) + found.topic_hints
    for h in lex.payment.find(visible):
        topic = _payment_topic(visible, h, lex, found)
        if topic:
            cands.append((h.start, h.end, topic))
    gapped = [(m.start(), m.end(), topic) for pattern, topic in lex.topic_patterns
              for m in [pattern.search(visible)] if m]
    if gapped:  # a question word or channel … verb phrase says precisely what is asked
        start, end, topic = min(gapped)
        found.put("topic", topic, text, start, end)
    elif cands:
        start, end, topic = min(cands)
        found.put("topic", topic, text, start, end)
    elif "ytd_reimbursed" in found.values and "amount" not in found.values and lex.question_form.search(text):
        # "今年报过两万了 还能报多少": with no new cost, what is left is the annual cap. Told without
        # asking ("已经报了6.5万了") it is context for the next question, no topic of its own.
        start, end = found.where["ytd_reimbursed"]
        found.put("topic", lex.data["topic"]["ytd_without_cost"], text, start, end, "已报销金额而无新费用，按封顶线问题")


def extract_contribution_amount(text: str, lex: Lexicon, found: Found) -> None:
    """"每年交150元那个档次" → contribution_amount 150 (the dialogue turns it into a tier with the
    rule set's own table); the same number is then not a cost of care."""
    named = _premium_candidates(text)
    if len({value for value, _s, _e in named}) > 1:
        # "交一百五还是交六十划算": premiums compared name no one's tier, and are no cost of care either.
        where = found.where.get("amount")
        if where and any(where[0] <= start < where[1] for _v, start, _e in named):
            _drop_amount(found)
        return
    m = re.search(lex.amount_conf["contribution_pattern"], text)
    if m:
        group = next(i for i in range(1, (m.lastindex or 1) + 1) if m.group(i))
        value, start, end = Decimal(m.group(group)), m.start(group), m.end(group)
    else:
        if not named:
            return
        value, start, end = named[0]
    found.put("contribution_amount", value, text, start, end)
    where = found.where.get("amount")
    if where and where[0] <= start < where[1]:
        _drop_amount(found)


def _drop_amount(found: Found) -> None:
    for slot in ("amount", "amount_scope"):
        found.values.pop(slot, None)
        found.evidence.pop(slot, None)
    found.where.pop("amount", None)


# The premium said in passing, in any numeral ("交的是一百五那个档", "我交的60元的", "交的是一档，60块那个"):
# a number right after a past paying verb (交的/缴的/买的, optionally 是) that closes its clause or is
# followed by a pointer back at the tiers (那个/那种/那档/档); or a number opening a clause with such a
# pointer after it, when the message has paid something before; or a number right after a yearly
# paying verb (`_PAID_YEARLY`). No provider word in the clause (住院交的5000 is a bill, 交三千押金 a
# deposit).
_PAID_BEFORE = re.compile(r"(?:交|缴|买)的是?$")  # "交了280" alone is money paid in, no premium
_PAID_BEFORE_POINTED = re.compile(r"(?:交|缴|买)(?:了|咗)是?$")  # 咗: Cantonese 了
# A paying verb said of a year ("每年交了一百五", "一年缴二百八", "每年交咗一百五"): the premium in any
# numeral, as the lexicon's `contribution_pattern` reads it in digits.
_PAID_YEARLY = re.compile(r"(?:每年|一年|每人每年)(?:个人)?(?:交|缴|买)(?:了|的|咗)?是?$")
# 蚊 = 元, 嗰 = 那 (Cantonese: "交咗六十蚊嗰个").
_POINTER_AFTER = re.compile(r"^(?:块钱|元钱|块|元|蚊)?的?(?:那个|那种|那一?|嗰个|嗰种|嗰)?(?:档次?)?的?(?:,|$)")
_POINTER = re.compile(r"^(?:块钱|元钱|块|元|蚊)?的?(?:那个|那种|那一?档|嗰个|嗰种|嗰档|档)")
_POINTER_ONLY = re.compile(r"^(?:块钱|元钱|块|元|蚊)?的?(?:那个|那种|那一?档|嗰个|嗰种|嗰档)")
_PROVIDER = re.compile(r"住院|医院|卫生院|押金|看病|门诊|药")


# A paying verb right before the number ("交60的", "交的是150那个二档", "去年交了一百五"): a premium
# only when some rule set's premium table holds exactly that figure (`_is_tabled_premium`) — the
# table, not the phrasing, tells a premium from a bill.
_PAID_ANY = re.compile(r"(?:交|缴|买)(?:了|的|咗)?是?$")


def _is_tabled_premium(value: Decimal) -> bool:
    from assistant.facts import premium_tiers

    return bool(premium_tiers(value))


# "一档一年60块", "二档是150": a figure right after a tier's name is that tier's premium when a table holds it.
_AFTER_TIER = re.compile(r"[一二三两]档(?:是|的|一年|每年|每人每年)?$")


def _premium_candidates(text: str) -> list[tuple[Decimal, int, int]]:
    """Every premium said in passing, left to right (a denied figure is none: `_premium_at`)."""
    out = []
    for sp in find_numbers(text):
        premium = _premium_at(text, sp)
        if premium is not None:
            out.append(premium)
    return out


def _premium_at(text: str, sp: NumberSpan) -> tuple[Decimal, int, int] | None:
    if sp.value is None or sp.value <= 0 or sp.value >= 10000:
        return None
    clause_start = text.rfind(",", 0, sp.start) + 1
    clause_end = text.find(",", sp.end)
    clause = text[clause_start : clause_end if clause_end >= 0 else len(text)]
    if _PROVIDER.search(clause) or text.startswith("档", sp.end):  # 一档 is a tier, not 1 yuan
        return None
    left, right = text[clause_start : sp.start], text[sp.end :]
    if DENIED_FIGURE.search(left):  # "是150那档，不是60": the denied figure is not the premium
        return None
    right = right[len(sp.unit) :] if sp.unit and right.startswith(sp.unit) else right
    found = sp.value, sp.start, sp.end
    if _PAID_YEARLY.search(left) and not re.match(r"[多余来]?(?:万|千|w|k)", right):
        return found
    if _PAID_BEFORE.search(left) and _POINTER_AFTER.match(right):
        return found
    if _PAID_BEFORE_POINTED.search(left) and _POINTER.match(right):
        return found
    tabled = not re.match(r"[多余来]?(?:万|千|w|k)", right) and _is_tabled_premium(sp.value)
    if _PAID_ANY.search(left) and tabled:
        return found
    if not left and _POINTER_ONLY.match(right) and re.search(r"交|缴|买", text[:clause_start]):
        return found
    # "一档，六十块那个", "是150那档", "一档一年60块": a figure pointing at a tier, or said right after
    # one, is a premium when some rule set's table holds exactly it.
    if tabled and (_POINTER.match(right) or _AFTER_TIER.search(left)):
        return found
    return None


def extract_major_disease(text: str, lex: Lexicon, found: Found) -> None:
    """A named major disease (lexicon `service.major_diseases`: 白血病, 先心病…) or "重大疾病/大病"
    said of the patient → major_disease True; the disease's own words are kept in `disease`."""
    conf = lex.service_conf
    masked = text
    for w in sorted(conf.get("major_disease_blockers", []), key=len, reverse=True):
        masked = masked.replace(w, "#" * len(w))
    for w in sorted(conf["major_diseases"], key=len, reverse=True):
        at = masked.find(w)
        if at >= 0:
            found.put("major_disease", True, text, at, at + len(w))
            found.values.setdefault("disease", w)
            return
    for w in sorted(conf.get("major_disease_words", []), key=len, reverse=True):
        at = masked.find(w)
        if at >= 0:
            found.put("major_disease", True, text, at, at + len(w))
            return


def extract_all(text: str, lex: Lexicon, known_regions: Sequence[str] = ()) -> Found:
    """Run every extractor on normalised text. Order matters only for masks (amounts, referral before topic)."""
    found = Found()
    extract_year(text, found)
    extract_amounts(text, lex, found)
    extract_hospital_level(text, lex, found)
    extract_region(text, lex, found, known_regions)
    extract_scheme(text, lex, found)
    extract_tier(text, lex, found)
    extract_person(text, lex, found)
    extract_poverty(text, lex, found)
    extract_yes_no(text, lex, found)
    extract_carryover_unused(text, lex, found)
    extract_household_size(text, lex, found)
    extract_household_members(text, lex, found)
    extract_admission(text, lex, found)
    extract_referral(text, lex, found)  # before out of area: a denied referral is no transfer
    extract_out_of_area(text, lex, found)
    extract_chronic_count(text, lex, found)
    extract_service(text, lex, found)
    extract_topic(text, lex, found)
    extract_contribution_amount(text, lex, found)
    extract_major_disease(text, lex, found)
    _denied_then_said(text, lex, known_regions, found)
    return found


# "不是县医院，是镇上的卫生院", "唔系二档，系一档": a value right after a denial is replaced by the value
# the message then says. Exact readings (amounts, years) are left alone: "是8000不是800" names both.
_DENIED = re.compile(r"(?:不是|并非|唔系|不系|不係|唔係)([^,]{1,12}?),?(?:而|我们|我|他|她|咱)?(?:是|系|係)(.+)$")
_DENIABLE = ("hospital_level", "tier", "scheme", "person_category", "service", "retired", "poverty", "admission_index")


def _denied_then_said(text: str, lex: Lexicon, known_regions: Sequence[str], found: Found) -> None:
    m = _DENIED.search(text)
    if not m:
        return
    said = extract_all(m.group(2), lex, known_regions)
    for slot in _DENIABLE:
        where = found.where.get(slot)
        if where and m.start(1) <= where[0] < m.end(1) and slot in said.values:
            found.values[slot] = said.values[slot]
            found.evidence[slot] = f"{said.evidence.get(slot, m.group(2))}（否定了前一个说法）"
            found.where[slot] = (m.start(2), len(text))

