"""Insurance schemes named in policy text, and which mentions make a scheme a clause's subject.

Policy texts constantly name schemes they are *not* about: a 城镇居民 leaflet says its coverage
"与城镇职工基本医疗保险报销范围一致,比新农合的报销范围大多了"; a 城镇居民 fee rule ends "由城市医疗救助
资金给与全额补助"; a hospital advert for the employee scheme adds "还可申请医疗援助".  Counting
keywords turns every such clause into the scheme it compares with.  So a mention is classified:

- passing: a comparison ("与/比/同/较/大于/高于 X", "X 一样/一致/相比"), a contrast ("而 X…"),
  an exclusion ("未参加 X", "不属于 X", "已参加 X 的人员"), a side benefit ("可申请 X", "由 X 资金"),
  one of several means ("通过 X 基金和商业保险等途径解决");
- subject: the clause opens with it ("城镇居民基本医疗保险住院医疗起付标准为…"), or it qualifies
  the clause's actors and money ("X 参保人员", "X 待遇", "X 基金", "X 定点医院", "X 起付…");
- plain: anything else.

Callers (metadata.py) let a clause override its article's scheme only with a subject mention, a
heading mention, or a clearly dominant plain one.  An alias in brackets right after a scheme
("城乡居民医保(新农合、大学生医保)") is part of that mention, not a second scheme.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_ALIAS = r"(?:[(（][^()（）]{0,16}[)）])?"  # "城乡居民(新农合、大学生)医保", "…医保(新农合)"
SCHEME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("大病保险", re.compile(r"大病(?:医疗)?保险|大病医保|大病补充")),
    ("医疗救助", re.compile(r"医疗救助|民政救助|医疗援助")),
    ("城乡居民", re.compile(rf"城乡居民{_ALIAS}(?:基本)?(?:医疗保险|医保|合作医疗){_ALIAS}|城乡居民医疗|城乡医保")),
    ("城镇居民", re.compile(rf"城镇居民(?:基本)?(?:医疗保险|医保|医疗){_ALIAS}|居民医保|参保城镇居民|城镇居民参保")),
    ("新农合", re.compile(r"新农合|新型农村合作医疗|新型农合|农村合作医疗")),
    # "城镇职工、城镇居民基本医疗保险": the first of two coordinated schemes sharing one noun
    ("职工", re.compile(rf"(?:城镇)?职工(?:基本)?(?:医疗保险|医保|医疗){_ALIAS}|职工医保"
                      r"|(?:城镇)?职工(?=[、和及与](?:城镇|城乡)?居民(?:基本)?(?:医疗保险|医保))")),
]
SCHEME_ORDER = [name for name, _ in SCHEME_PATTERNS]  # tie-break: the more specific first

_PASSING_BEFORE = re.compile(
    r"(?:与|同(?!时|样|期)|跟|比(?!如|例|重|率)|较|[大小高低优多少等]于|而|未参加|没有参加|未参保|不属于|已参加|"
    r"已经参加|已参保|申请|可享受|除)"
    r"[^,，。;；:：!！?？]{0,4}$"
)
# …, or one of several means to an end ("可通过建立大病医疗救助基金和商业医疗保险等途径解决")
_PASSING_AFTER = re.compile(
    r"^[^,，。;；!！?？]{0,12}?(?:一样|一致|相同|相比|比较|相当|之外|以外|资金|等(?:多种)?(?:途径|渠道|方式|办法|形式))"
)
_SUBJECT_AFTER = re.compile(
    r"^(?:的)?(?:参保人员|参保人|参保者|参保对象|参保居民|参保职工|待遇|基金|定点|住院|门诊|起付|报销|补偿|支付|"
    r"最高|封顶|缴费|筹资|个人缴费|政策|实行|实施|覆盖|范围)"
)
# At the start of a sentence, after an enumerator, a place name ("重庆城乡居民医保…") or "凡/对/参加".
_SENTENCE_START = re.compile(
    r"(?:^|[。;；!！?？:：\n])(?:[(（]?[一二三四五六七八九十\d]+[)）、.．]?)?(?:[\u4e00-\u9fff]{2}[省市县区]?)?"
    r"(?:凡|对|参加|参保)?$"
)


@dataclass(frozen=True)
class SchemeMention:
    start: int
    scheme: str
    span: str
    role: str  # "subject" | "plain" | "passing"


def find_schemes(text: str) -> list[tuple[str, str]]:
    """(scheme, matched span) for every scheme mention, in order."""
    return [(m.scheme, m.span) for m in scheme_mentions(text)]


def scheme_mentions(text: str) -> list[SchemeMention]:
    found: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for name, pattern in SCHEME_PATTERNS:
        for m in pattern.finditer(text):
            if taken.intersection(range(m.start(), m.end())):
                continue
            taken.update(range(m.start(), m.end()))
            found.append((m.start(), m.end(), name))
    out = []
    for start, end, name in sorted(found):
        before, after = text[max(0, start - 8):start], text[end:end + 16]
        if _PASSING_BEFORE.search(before) or _PASSING_AFTER.match(after):
            role = "passing"
        elif _SENTENCE_START.search(before) or _SUBJECT_AFTER.match(after):
            role = "subject"
        else:
            role = "plain"
        out.append(SchemeMention(start, name, text[start:end], role))
    return out


def _ordered(mentions: list[SchemeMention]) -> list[str]:
    return list(dict.fromkeys(m.scheme for m in mentions))


RESIDENT_SCHEMES = ("城镇居民", "城乡居民")
_GENERIC_RESIDENT = frozenset({"居民医保"})  # either resident scheme: whichever the scope is


def _in_scope(m: SchemeMention, scope: str | None) -> SchemeMention:
    if m.span in _GENERIC_RESIDENT and scope in RESIDENT_SCHEMES:
        return SchemeMention(m.start, scope, m.span, m.role)  # type: ignore[arg-type]
    return m


def subject_schemes(text: str, scope: str | None = None) -> list[tuple[str, str]]:
    """The schemes a text is about, in order of first subject mention: every scheme with a
    subject mention; failing that, a plain scheme named at least twice and twice as often as any
    other.  Passing mentions never count; the generic "居民医保" means the scope's resident scheme."""
    mentions = [_in_scope(m, scope) for m in scheme_mentions(text)]
    subjects = [m for m in mentions if m.role == "subject"]
    if subjects:
        return [(s, next(m.span for m in subjects if m.scheme == s)) for s in _ordered(subjects)]
    plain = [m for m in mentions if m.role == "plain"]
    ranked = Counter(m.scheme for m in plain).most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        best = ranked[0][0]
        return [(best, next(m.span for m in plain if m.scheme == best))]
    return []


def mentioned_scheme(text: str) -> tuple[str, str] | None:
    """The most-named scheme among non-passing mentions (the more specific on ties): what a
    clause is about when nothing above it says."""
    mentions = [m for m in scheme_mentions(text) if m.role != "passing"]
    if not mentions:
        return None
    counts = Counter(m.scheme for m in mentions)
    top = max(counts.values())
    best = min((s for s, c in counts.items() if c == top), key=SCHEME_ORDER.index)
    return best, next(m.span for m in mentions if m.scheme == best)
