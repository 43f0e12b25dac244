"""Metadata per clause — region, year, scheme, kind — inferred from text, with the evidence kept.

Scope: a clause's own explicit mention wins; a clause that says nothing inherits from its heading
path, then from its article (a region/year/scheme dominating the article), then from the
document.  Every assigned value carries an `Evidence` (matched span, where it was found).

- region: a gazetteer (resources/regions.txt) plus the generic pattern "two-character name + 县"
  and names inside document titles 《X市…》, minus placeholders and deictics (本县, 全县, 我县,
  x县, XX市, 虚拟县, 该县…);
- year: "2013年1月1日起"-style effective dates first, else the most frequent year (latest on ties);
- scheme: 职工 / 城镇居民 / 城乡居民 / 新农合 / 大病保险 / 医疗救助 by keyword counts, the more
  specific scheme winning ties;
- kind: rule (第X条, 本办法, shall-wording, rates and thresholds), publicity (宣传, 怎么报销, leaflets),
  report (工作总结, 我局, 今年, 汇报, 调研…), by weighted cue counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge_base.models import Evidence

Origin = str  # "clause" | "heading" | "document"
MAX_SCOPE_REGIONS = 4
DOMINANCE = 1.5  # how much more often than the runner-up a value must be named to set a scope


# --- region -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, str], re.Pattern[str]]:
    """alias -> canonical, and one regex over all aliases (longest first)."""
    text = resources.files("knowledge_base").joinpath("resources/regions.txt").read_text("utf-8")
    aliases: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = line.split()
        for name in names:
            aliases[name] = names[0]
    pattern = re.compile("|".join(sorted(map(re.escape, aliases), key=len, reverse=True)))
    return aliases, pattern


# "X县" only where a name can start (after punctuation or a preposition), since in running text
# "…配合县医保中心" would otherwise yield "配合县".
_GENERIC_COUNTY = re.compile(r"(?:^|(?<=[,，。;；:：、“《(（\s在对于与和及向从]))([\u4e00-\u9fff]{2})县(?![城级区域内外委长])")
_TITLE_PLACE = re.compile(r"《([\u4e00-\u9fff]{2,3}?)(市|县|区|省)")
_PLACE_STOP_CHARS = set("本全我该各此每其外邻某他所在县市区省州内级个多虚拟乡镇村城是一二三四五六七八九十取与给对向到")
# After a real county name in running text comes a noun; after a verb+县 comes the county's organ.
_ORGAN_AFTER = re.compile(r"(?:[(（]|委|政府|财政|人社|医保|卫生|电视|乡|级|城|人民|领导|长)")


def _plausible_place(prefix: str) -> bool:
    return not any(ch in _PLACE_STOP_CHARS for ch in prefix)


def find_regions(text: str) -> list[str]:
    """Region names mentioned in `text`, canonical, in order of appearance (repeats kept)."""
    aliases, pattern = gazetteer()
    found: list[tuple[int, str]] = [(m.start(), aliases[m.group(0)]) for m in pattern.finditer(text)]
    covered = {i for m in pattern.finditer(text) for i in range(m.start(), m.end())}
    for m in _GENERIC_COUNTY.finditer(text):
        if (m.start(1) not in covered and _plausible_place(m.group(1))
                and not _ORGAN_AFTER.match(text, m.end())):
            found.append((m.start(), m.group(0)))
    for m in _TITLE_PLACE.finditer(text):
        if m.start(1) not in covered and _plausible_place(m.group(1)):
            found.append((m.start(1), m.group(1) + m.group(2)))
    return [name for _, name in sorted(found)]


# --- year ---------------------------------------------------------------------------------

_EFFECTIVE = re.compile(r"((?:19|20)\d{2})年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:起|开始|实施|执行|施行)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[-—~至到]\s*(?:19|20)\d{2})?年")
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-—~至到]\s*((?:19|20)\d{2})年")
YEAR_MIN, YEAR_MAX = 1990, 2035


def find_years(text: str) -> tuple[list[int], list[int]]:
    """(effective-date years, all years) mentioned in the text."""
    effective = [int(y) for y in _EFFECTIVE.findall(text)]
    years = [int(y) for y in _YEAR.findall(text)]
    for a, b in _YEAR_RANGE.findall(text):
        years.append(int(b))
    ok = [y for y in years if YEAR_MIN <= y <= YEAR_MAX]
    return [y for y in effective if YEAR_MIN <= y <= YEAR_MAX], ok


def pick_year(text: str) -> int | None:
    effective, years = find_years(text)
    if effective:
        return Counter(effective).most_common(1)[0][0] if len(set(effective)) == 1 else max(effective)
    if not years:
        return None
    counts = Counter(years)
    top = max(counts.values())
    return max(y for y, c in counts.items() if c == top)


# --- scheme -------------------------------------------------------------------------------

SCHEME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("大病保险", re.compile(r"大病(?:医疗)?保险|大病医保|大病补充")),
    ("医疗救助", re.compile(r"医疗救助|民政救助|医疗援助")),
    ("城乡居民", re.compile(r"城乡居民(?:基本)?(?:医疗保险|医保|合作医疗)|城乡居民医疗|城乡医保")),
    ("城镇居民", re.compile(r"城镇居民(?:基本)?(?:医疗保险|医保|医疗)|居民医保")),
    ("新农合", re.compile(r"新农合|新型农村合作医疗|新型农合|农村合作医疗")),
    ("职工", re.compile(r"(?:城镇)?职工(?:基本)?(?:医疗保险|医保|医疗)|职工医保")),
]
SCHEME_ORDER = [name for name, _ in SCHEME_PATTERNS]  # tie-break: the more specific first


def find_schemes(text: str) -> list[tuple[str, str]]:
    """(scheme, matched span) for every scheme mention."""
    found: list[tuple[int, str, str]] = []
    taken: set[int] = set()
    for name, pattern in SCHEME_PATTERNS:
        for m in pattern.finditer(text):
            if m.start() in taken:
                continue
            taken.update(range(m.start(), m.end()))
            found.append((m.start(), name, m.group(0)))
    return [(name, span) for _, name, span in sorted(found)]


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


def kind_scores(text: str) -> dict[str, float]:
    return {kind: sum(w * len(p.findall(text)) for p, w in cues) for kind, cues in KIND_CUES.items()}


def _best_kind(scores: dict[str, float], minimum: float) -> str | None:
    kind, score = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "rule"))
    return kind if score >= minimum else None


# --- scope resolution -----------------------------------------------------------------------

@dataclass
class Scope:
    """What an article or a document says about itself, with evidence."""

    region: tuple[str, str] | None = None  # (value, match)
    year: tuple[int, str] | None = None
    scheme: tuple[str, str] | None = None
    kind: tuple[str, str] | None = None


def _dominant(values: list[str]) -> str | None:
    """The value mentioned at least twice and DOMINANCE times as often as the runner-up (one
    passing mention does not define what a whole article is about)."""
    if not values:
        return None
    ranked = Counter(values).most_common(2)
    value, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return value if count >= 2 and count >= DOMINANCE * runner_up else None


def scope_of(text: str, title: str = "") -> Scope:
    """The region/year/scheme/kind that dominate a body of text (an article or a document)."""
    scope = Scope()
    body_regions = find_regions(text)
    regions = find_regions(title) * 3 + body_regions
    # A text naming many places (a national meeting, a survey) is about none of them.
    if len(set(body_regions)) < MAX_SCOPE_REGIONS and (r := _dominant(regions)) is not None:
        scope.region = (r, r)
    effective, years = find_years(text)
    if years and (y := _dominant([str(v) for v in years + effective])) is not None:
        scope.year = (int(y), f"{y}年")
    schemes = [s for s, _ in find_schemes(title)] * 3 + [s for s, _ in find_schemes(text)]
    if (s := _dominant(schemes)) is not None:
        scope.scheme = (s, s)
    title_kind = _best_kind(kind_scores(title), 1)
    if title_kind:
        scope.kind = (title_kind, title)
    elif (k := _scope_kind(text)) is not None:
        scope.kind = k
    return scope


_BINDING = re.compile(r"第[一二三四五六七八九十百\d]+条|本(?:办法|规定|细则|条例)")


def _scope_kind(text: str) -> tuple[str, str] | None:
    """An article is a rule text only when it speaks as one (第X条, 本办法); rates and thresholds
    also fill reports and essays, so they decide single clauses, not whole articles."""
    if m := _BINDING.search(text):
        return "rule", m.group(0)
    scores = kind_scores(text)
    scores.pop("rule")
    kind = _best_kind(scores, 3)
    return (kind, _kind_match(text, kind)) if kind else None


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


@dataclass
class ClauseMetadata:
    region: str | None
    year: int | None
    scheme: str | None
    kind: str
    evidence: list[Evidence]


def _first_region(text: str) -> str | None:
    regions = find_regions(text)
    if not regions:
        return None
    counts = Counter(regions)
    top = max(counts.values())
    return next(r for r in regions if counts[r] == top)


def _top_scheme(text: str) -> tuple[str, str] | None:
    found = find_schemes(text)
    if not found:
        return None
    counts = Counter(s for s, _ in found)
    top = max(counts.values())
    best = min((s for s, c in counts.items() if c == top), key=SCHEME_ORDER.index)
    return best, next(span for s, span in found if s == best)


def _resolve(
    field: str, own: Callable[[str], tuple[str, str] | None], text: str, heading_text: str,
    scopes: list[tuple[str, Scope]], evidence: list[Evidence],
) -> str | None:
    """Clause text, then headings, then article and document scope; the first hit wins and its
    evidence is recorded."""
    for origin, source in (("clause", text), ("heading", heading_text)):
        if (hit := own(source)) is not None:
            evidence.append(Evidence(field=field, value=hit[0], match=hit[1], origin=origin))
            return hit[0]
    for origin, scope in scopes:
        if (value := getattr(scope, field)) is not None:
            evidence.append(Evidence(field=field, value=str(value[0]), match=str(value[1])[:40], origin=origin))
            return str(value[0])
    return None


def _own_region(text: str) -> tuple[str, str] | None:
    r = _first_region(text)
    return (r, r) if r else None


def _own_year(text: str) -> tuple[str, str] | None:
    y = pick_year(text)
    return (str(y), str(y)) if y is not None else None


def infer_clause_metadata(text: str, headings: list[str], article: Scope, document: Scope) -> ClauseMetadata:
    """Own mention > heading path > article scope > document scope, field by field."""
    evidence: list[Evidence] = []
    heading_text = " ".join(headings)
    scopes = [("heading", article), ("document", document)]
    region = _resolve("region", _own_region, text, heading_text, scopes, evidence)
    year = _resolve("year", _own_year, text, heading_text, scopes, evidence)
    scheme = _resolve("scheme", _top_scheme, text, heading_text, scopes, evidence)

    own = kind_scores(text)
    if own["rule"] >= 3 and own["rule"] >= own["report"]:
        # a binding statement (条, 本办法, a rate or threshold) is a rule wherever it stands
        evidence.append(Evidence(field="kind", value="rule", match=_kind_match(text, "rule"), origin="clause"))
        kind = "rule"
    else:
        kind = _resolve("kind", lambda _: None, text, heading_text, scopes, evidence)
    if kind is None:
        kind = _best_kind(own, 1) or "report"
        evidence.append(Evidence(field="kind", value=kind, match=_kind_match(text, kind), origin="clause"))
    return ClauseMetadata(region, int(year) if year else None, scheme, kind, evidence)


def _kind_match(text: str, kind: str) -> str:
    for pattern, _ in KIND_CUES[kind]:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return ""
