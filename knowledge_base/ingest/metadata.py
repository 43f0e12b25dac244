"""Metadata per clause — region, year, scheme, kind — inferred from text, with the evidence kept.

Scope is the default.  An article (and a document, through its title or agreeing articles) has a
scope: the region, year, scheme and kind that dominate it.  A clause inherits that scope and
overrides it only where the clause itself is clearly about something else:

- region (regions.py): a jurisdiction, not any place named.  Examples and enumerations never
  count; a place related to the scope in the region hierarchy (the county's own province) does
  not replace it; an unrelated place replaces it only when the clause is about it (named twice,
  or at its start, or in its heading).  In a national text that names many provinces, no clause
  gets a region from a passing mention;
- year: a policy-year expression ("为2013集中参保缴费时间", "2009个人缴费85元") or an effective date
  ("2013年1月1日起") overrides; a calendar date in a report ("从2017年9月份开始") does not replace the
  article's year unless the heading or a repeated mention names another;
- scheme (schemes.py): a subject mention (heading, clause start, "X参保人员/X待遇/X定点") or a
  dominant one overrides; comparisons ("与新农合比较") and side notes ("可申请民政救助") never do;
- kind: decided per article (a regulation, a leaflet stating rates, a work report), so that one
  article does not flip between rule and publicity clause by clause; only a binding marker
  (第X条, 本办法) makes a clause of another article a rule.  Promotion is the exception the other
  way: a clause that sells ("起付线低,门槛费只要200元…还可申请") is publicity wherever it stands,
  and does not count towards its article's kind.

Every assigned value carries an `Evidence` (matched span, where it was found: "clause",
"heading" for the clause's headings and its article, "document").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge_base.models import Evidence
from knowledge_base.ingest.regions import (
    dominant_region,
    find_mentions,
    find_regions,
    is_multi_place,
    jurisdictions,
    region_path,
    related,
)
from knowledge_base.ingest.schemes import SCHEME_PATTERNS, find_schemes, mentioned_scheme, subject_schemes

__all__ = [
    "SCHEME_PATTERNS", "ClauseMetadata", "Scope", "document_scope", "find_regions", "find_schemes",
    "infer_clause_metadata", "pick_year", "scope_of",
]

DOMINANCE = 1.5  # how much more often than the runner-up a value must be named to set a scope
YEAR_SHARE = 0.5  # share of all year mentions the scope year must hold


# --- year ---------------------------------------------------------------------------------

_EFFECTIVE = re.compile(r"(?<![\d.])((?:19|20)\d{2})年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:起|开始|实施|执行|施行)")
# A four-digit year written out with 年, alone or as a range ("2007-2011年").  Plan names ("十二五",
# "十三五") and counts ("2000多份", "2000余人", "2000个人") are not years and never match.
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?:\s*[-—~至到]\s*((?:19|20)\d{2}))?年")
# The scheme year a rule is for, as leaflets write it ("为2013集中参保缴费时间", "2013年度",
# "2009个人缴费85元", "2009为30000元"), as opposed to the calendar date of an event.
_POLICY_YEAR = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})(?:年度|(?=(?:年)?(?:集中)?参保缴费|(?:年)?(?:筹资|缴费)标准|为\d))"
    # "2009个人缴费" only where a year can stand (after punctuation, 为/自/从…), so that a count
    # ("全县共2000个人缴费") is not read as one
    r"|(?<![^\n,，。;；:：、\s为自从于在(（“\"])((?:19|20)\d{2})(?=(?:年)?个人(?:缴费|筹资|不缴费)|[、,，](?:19|20)\d{2}个人)"
)
YEAR_MIN, YEAR_MAX = 1990, 2035


def _in_range(years: list[int]) -> list[int]:
    return [y for y in years if YEAR_MIN <= y <= YEAR_MAX]


def find_years(text: str) -> tuple[list[int], list[int]]:
    """(effective-date years, all years) mentioned in the text."""
    effective = [int(y) for y in _EFFECTIVE.findall(text)]
    years: list[int] = []
    for start, end in _YEAR.findall(text):
        if not end:
            years.append(int(start))
        elif int(end) > int(start):
            years += [int(start), int(end)]
        # a range that does not run forward ("2010-2010年") is a garbled number: no year from it
    return _in_range(effective), _in_range(years)


def policy_years(text: str) -> list[int]:
    """Scheme years the text states rules for (see _POLICY_YEAR)."""
    return _in_range([int(a or b) for a, b in _POLICY_YEAR.findall(text)])


def _choose(years: list[int], preferred: int | None) -> int:
    """One year out of several named: the preferred (scope) year when among them, else the
    latest (the rule in force)."""
    if len(set(years)) == 1:
        return years[0]
    return preferred if preferred in years else max(years)


def pick_year(text: str, scope_year: int | None = None) -> int | None:
    """The year a text states its rule for: a policy year, else an effective date, else (only
    when no scope year is known) the most-named year, latest on ties."""
    if policy := policy_years(text):
        return _choose(policy, scope_year)
    effective, years = find_years(text)
    if effective:
        return _choose(effective, scope_year)
    if not years:
        return None
    counts = Counter(years)
    top = max(counts.values())
    if scope_year is not None:
        # a date in running text is an event, not the rule's year, unless it is all the text names
        return years[0] if len(counts) == 1 and top >= 2 else None
    return max(y for y, c in counts.items() if c == top)


# --- kind ---------------------------------------------------------------------------------

KIND_CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "rule": [
        (re.compile(r"第[一二三四五六七八九十百\d]+条"), 3),
        (re.compile(r"本(?:办法|规定|细则|条例|方案|通知|意见)"), 3),
        (re.compile(r"应当|不得|必须|须提供|予以|按照.{0,10}执行|由.{1,12}(?:支付|承担|负担)"), 1),
        (re.compile(r"(?:起付(?:线|标准)|封顶线|最高(?:支付)?限额|报销比例|补偿比例|支付比例|缴费(?:标准|比例)|个人缴费|筹资)"
                    r"[^。;]{0,20}?\d+(?:\.\d+)?\s*(?:%|元|万元)"), 3),
        (re.compile(r"\d+(?:\.\d+)?%[、和及]\d+(?:\.\d+)?%"), 1),
    ],
    "publicity": [
        (re.compile(r"宣传|解读|问答|温馨提示|明白纸|须知|指南"), 1),
        (re.compile(r"怎么(?:报销|办|缴)|报销多少|如何(?:报销|办理)|您"), 3),
    ],
    "report": [
        (re.compile(r"工作总结|总结报告|自查|汇报|调研|讲话|工作要点|工作计划|经验交流|会议|会上|表彰|通报"), 2),
        (re.compile(r"我(?:局|县|市|院|站|中心|们|省)|今年|去年|一年来|截至|截止|同比|人次|完成了|取得了"), 1),
    ],
}
# Selling, not stating: a hospital or agent advertising its terms ("起付线低,门槛费只要200元,报销比例
#高…还可申请医疗援助").  Each pattern is one kind of sales move; a text making PROMOTION_MOVES of
# them is an advertisement — publicity, never a rule, however many rates it quotes.  One move alone
# is ordinary prose ("参合农民…还可申请民政救助" in a report, "只需缴费60元" in a leaflet).
PROMOTION_CUES: list[re.Pattern[str]] = [
    # an evaluative word on a cost or a rate, not a comparison ("起付线低于…" is a rule)
    re.compile(r"(?:起付(?:线|标准)|门槛费?|报销(?:比例)?|补偿(?:比例)?|自付(?:比例)?|收费|价格|费用)"
               r"(?:很|更|超|较)?(?:低|高|少|便宜|实惠)(?![于过出])"),
    re.compile(r"(?:只要|只需|仅需|仅要|仅收)\d+(?:\.\d+)?元"),  # "门槛费只要200元"
    re.compile(r"还(?:可以?|能)(?:申请|享受|获得|报销|减免)"),  # a perk on top
    re.compile(r"欢迎(?:广大|您|各位|来电|咨询|前来|莅临|选择|患者)"),
    re.compile(r"(?:咨询|预约|联系|热线|服务|挂号)(?:电话|热线)|(?:电话|热线)[:：]?\s*\d{3,}"),
    # an institution presenting itself ("重庆新兴医院是市级…定点医院", "本院是…定点单位")
    re.compile(r"(?:本院|我院|[\u4e00-\u9fff]{2,12}(?:医院|诊所|门诊部))(?:是|为|系)[^。;；]{0,25}定点"),
]
PROMOTION_MOVES = 2


def promotion_cues(text: str) -> list[str]:
    """The sales moves a text makes, one matched span per kind of move."""
    return [m.group(0) for p in PROMOTION_CUES if (m := p.search(text))]


def is_promotional(text: str) -> bool:
    return len(promotion_cues(text)) >= PROMOTION_MOVES


_BINDING = re.compile(r"第[一二三四五六七八九十百\d]+条|本(?:办法|规定|细则|条例)")
# A text is a rule text when this many of its paragraphs, and this share of them, state a rate or
# threshold with its number (an essay quoting one figure is not).
RATE_PARAGRAPHS_FOR_RULE, RATE_SHARE_FOR_RULE = 2, 0.25


_RATE_STATEMENT = KIND_CUES["rule"][3][0]
# How an official document announces itself as one: "现就…提出如下意见:", "现将…通知如下",
# "特制定本办法".  What follows is policy, even without 第X条.
_PROMULGATION = re.compile(r"现(?:就|将|对)[^。]{0,40}?(?:提出|作出|规定|通知)如下|特(?:制定|制订)本")
# Figures described over time or measured — "由2007年的1649.92元增长到…", "下降了2.6%", "数据显示" —
# are findings of a report or a study, not rates a rule sets.
_STATISTIC = re.compile(
    r"(?:增长|提高|上升|下降|增加|减少|降低)(?:了|到|至)|(?:增长|增幅)(?:速度|率)|数据显示|统计数据|调查显示"
    r"|(?:结果|研究|实验)表明|同比|环比"
)
STATISTIC_CUES_FOR_FINDINGS = 2


def kind_scores(text: str) -> dict[str, float]:
    return {kind: sum(w * len(p.findall(text)) for p, w in cues) for kind, cues in KIND_CUES.items()}


def _best_kind(scores: dict[str, float], minimum: float) -> str | None:
    kind, score = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "rule"))
    return kind if score >= minimum else None


def _kind_match(text: str, kind: str) -> str:
    for pattern, _ in KIND_CUES[kind]:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return ""


def _scope_kind(text: str) -> tuple[str, str] | None:
    """What a whole article is: a regulation speaks as one (第X条, 本办法, "现就…提出如下意见"); a work report is
    full of 我局/今年/人次; a text stating rates and thresholds without reporting is a rule text
    (leaflets restate the rules they publicise); failing those, publicity cues."""
    # an advertisement printed among the rules neither makes the article a rule text nor a leaflet
    text = "\n".join(p for p in text.split("\n") if not is_promotional(p))
    if m := _BINDING.search(text) or _PROMULGATION.search(text):
        return "rule", m.group(0)
    scores = kind_scores(text)
    if scores["report"] >= 3 and scores["report"] >= scores["rule"]:
        return "report", _kind_match(text, "report")
    paragraphs = [p for p in text.split("\n") if len(p) >= 10]
    stating = sum(1 for p in paragraphs if _RATE_STATEMENT.search(p))
    if stating >= RATE_PARAGRAPHS_FOR_RULE and stating >= RATE_SHARE_FOR_RULE * len(paragraphs) \
            and scores["rule"] > scores["report"]:
        return "rule", _RATE_STATEMENT.search(text).group(0)  # type: ignore[union-attr]
    scores.pop("rule")
    kind = _best_kind(scores, 3)
    return (kind, _kind_match(text, kind)) if kind else None


# --- scope --------------------------------------------------------------------------------

@dataclass
class Scope:
    """What an article or a document says about itself, with evidence."""

    region: tuple[str, str] | None = None  # (value, match)
    year: tuple[int, str] | None = None
    scheme: tuple[str, str] | None = None
    kind: tuple[str, str] | None = None
    multi_place: bool = False  # names many separate provinces and none dominates: a national text


def _dominant(values: list[str]) -> str | None:
    """The value mentioned at least twice and DOMINANCE times as often as the runner-up (one
    passing mention does not define what a whole article is about)."""
    if not values:
        return None
    ranked = Counter(values).most_common(2)
    value, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return value if count >= 2 and count >= DOMINANCE * runner_up else None


def _scope_year(text: str) -> tuple[int, str] | None:
    """The year a whole text is about: dominant among the years it names, and at least
    YEAR_SHARE of all its year mentions.  A text naming many different years (a history running
    from 1992 to 2016, a study comparing periods) is about none of them: its clauses keep only the
    years they name themselves."""
    effective, years = find_years(text)
    mentions = [str(v) for v in years + policy_years(text) + effective]
    y = _dominant(mentions)
    if y is None or mentions.count(y) < YEAR_SHARE * len(mentions):
        return None
    return int(y), f"{y}年"


def scope_of(text: str, title: str = "") -> Scope:
    """The region/year/scheme/kind that dominate a body of text (an article or a document)."""
    scope = Scope()
    mentions = find_mentions(text)
    places = jurisdictions(title) * 3 + [m.name for m in mentions if not m.passing]
    if (r := dominant_region(places, DOMINANCE)) is not None:
        scope.region = (r, r)
    else:
        scope.multi_place = is_multi_place([m.name for m in mentions])
    scope.year = _scope_year(text)
    schemes = [s for s, _ in find_schemes(title)] * 3 + [s for s, _ in find_schemes(text)]
    if (s := _dominant(schemes)) is not None:
        scope.scheme = (s, s)
    title_kind = _best_kind(kind_scores(title), 1)
    if title_kind:
        scope.kind = (title_kind, title)
    elif (k := _scope_kind(text)) is not None:
        scope.kind = k
    return scope


def document_scope(articles: list[Scope], title_scope: Scope) -> Scope:
    """A document's scope: what its title says, else what every article with a scope agrees on,
    provided they are at least half of the articles.  A value concentrated in one article of a
    compilation (003's 广东 report) does not spill over to the others."""
    scope = Scope()
    for name in ("region", "year", "scheme", "kind"):
        own = getattr(title_scope, name)
        if own is not None:
            setattr(scope, name, own)
            continue
        values = [getattr(a, name) for a in articles if getattr(a, name) is not None]
        if values and len({v[0] for v in values}) == 1 and 2 * len(values) >= len(articles):
            setattr(scope, name, values[0])
    return scope


# --- clause -------------------------------------------------------------------------------

@dataclass
class ClauseMetadata:
    region: str | None
    year: int | None
    scheme: str | None
    kind: str
    evidence: list[Evidence]
    schemes: list[str] = field(default_factory=list)  # every scheme the clause is about, main first
    region_path: list[str] = field(default_factory=list)  # "湖南 › 郴州市 › 桂阳县", outermost first


def _inherited(field_name: str, scopes: list[tuple[str, Scope]]) -> tuple[str, Scope] | None:
    return next(((o, s) for o, s in scopes if getattr(s, field_name) is not None), None)


def _note(evidence: list[Evidence], field_name: str, value: object, match: object, origin: str) -> None:
    evidence.append(Evidence(field=field_name, value=str(value), match=str(match)[:40], origin=origin))


def _top(names: list[str]) -> tuple[str, int]:
    counts = Counter(names)
    top = max(counts.values())
    return next(n for n in names if counts[n] == top), top


def _resolve_region(text: str, headings: list[str], scopes: list[tuple[str, Scope]], national: bool,
                    evidence: list[Evidence]) -> str | None:
    own = jurisdictions(text)
    heading_places = next((p for h in reversed(headings) if (p := jurisdictions(h))), [])
    inherited = _inherited("region", scopes)
    if inherited is not None:
        origin, scope = inherited
        base = scope.region[0]  # type: ignore[index]
        # a heading naming another place, or a clause about one (named twice or at its start)
        for places, where in ((heading_places, "heading"), (own, "clause")):
            other = [p for p in places if not related(p, base) or base in region_path(p)[:-1]]
            if other:
                name, count = _top(other)
                at_start = text.find(name[:2]) in range(0, 8)
                if where == "heading" or count >= 2 or at_start:
                    _note(evidence, "region", name, name, where)
                    return name
        _note(evidence, "region", base, scope.region[1], origin)  # type: ignore[index]
        return base
    if heading_places:
        name = _top(heading_places)[0]
        _note(evidence, "region", name, name, "heading")
        return name
    if own and not national:
        name = _top(own)[0]
        _note(evidence, "region", name, name, "clause")
        return name
    return None


def _resolve_year(text: str, headings: list[str], scopes: list[tuple[str, Scope]],
                  evidence: list[Evidence]) -> int | None:
    inherited = _inherited("year", scopes)
    scope_year = inherited[1].year[0] if inherited else None  # type: ignore[index]
    if (y := pick_year(text, scope_year)) is not None:
        _note(evidence, "year", y, y, "clause")
        return y
    for h in reversed(headings):
        if (y := pick_year(h)) is not None:
            _note(evidence, "year", y, h, "heading")
            return y
    if inherited is not None:
        origin, scope = inherited
        _note(evidence, "year", scope.year[0], scope.year[1], origin)  # type: ignore[index]
        return scope_year
    return None


def _resolve_scheme(text: str, headings: list[str], scopes: list[tuple[str, Scope]],
                    evidence: list[Evidence]) -> tuple[str | None, list[str]]:
    inherited = _inherited("scheme", scopes)
    own = subject_schemes(text, inherited[1].scheme[0] if inherited else None)  # type: ignore[index]
    if own:
        _note(evidence, "scheme", own[0][0], own[0][1], "clause")
        return own[0][0], [s for s, _ in own]
    for h in reversed(headings):
        # a heading names its topic: any mention that is not a comparison counts
        if (hit := mentioned_scheme(h)) is not None:
            _note(evidence, "scheme", hit[0], hit[1], "heading")
            return hit[0], [hit[0]]
    if inherited is not None:
        origin, scope = inherited
        _note(evidence, "scheme", scope.scheme[0], scope.scheme[1], origin)  # type: ignore[index]
        return scope.scheme[0], [scope.scheme[0]]  # type: ignore[index]
    if (hit := mentioned_scheme(text)) is not None:  # nothing above says: the clause's own words
        _note(evidence, "scheme", hit[0], hit[1], "clause")
        return hit[0], [hit[0]]
    return None, []


def _resolve_kind(text: str, scopes: list[tuple[str, Scope]],
                  evidence: list[Evidence]) -> str:
    if len(cues := promotion_cues(text)) >= PROMOTION_MOVES:
        _note(evidence, "kind", "publicity", "、".join(cues), "clause")  # selling is never a rule
        return "publicity"
    own = kind_scores(text)
    if (m := _BINDING.search(text)) and own["rule"] >= own["report"]:
        _note(evidence, "kind", "rule", m.group(0), "clause")  # 第X条/本办法 is a rule wherever it stands
        return "rule"
    article = scopes[0][1].kind
    if article is not None:
        _note(evidence, "kind", article[0], article[1], scopes[0][0])
        return article[0]
    findings = len(_STATISTIC.findall(text)) >= STATISTIC_CUES_FOR_FINDINGS
    if own["rule"] >= 3 and own["rule"] >= own["report"] and not findings:
        _note(evidence, "kind", "rule", _kind_match(text, "rule"), "clause")
        return "rule"
    document = scopes[-1][1].kind
    if document is not None:
        _note(evidence, "kind", document[0], document[1], scopes[-1][0])
        return document[0]
    kind = _best_kind(own, 1) or "report"
    _note(evidence, "kind", kind, _kind_match(text, kind), "clause")
    return kind


def infer_clause_metadata(text: str, headings: list[str], article: Scope, document: Scope) -> ClauseMetadata:
    """Scope by default; the clause overrides a field only where it is about something else."""
    evidence: list[Evidence] = []
    scopes = [("heading", article), ("document", document)]
    national = article.multi_place and article.region is None
    region = _resolve_region(text, headings, scopes, national, evidence)
    year = _resolve_year(text, headings, scopes, evidence)
    scheme, schemes = _resolve_scheme(text, headings, scopes, evidence)
    kind = _resolve_kind(text, scopes, evidence)
    return ClauseMetadata(region, year, scheme, kind, evidence, schemes, region_path(region))
