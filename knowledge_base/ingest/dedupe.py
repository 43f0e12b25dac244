"""Deduplication: exact and near-duplicate clauses become one canonical clause.

Scraped compilations reprint the same regulation several times (004 repeats the 岳池县 rules in
articles 3, 4 and 6) and "spin" copies by swapping words for synonyms (002: "医疗平安"/"不时完善"
for "医疗保险"/"不断完善", sentences reordered).  Two clauses are duplicates when

- their normalised texts are equal (punctuation and spaces ignored), or
- their character-trigram shingle sets have Jaccard similarity >= NEAR_JACCARD (0.5), or one
  contains >= NEAR_CONTAINMENT (0.9) of the other's shingles while being at least
  MIN_LENGTH_RATIO (0.6) as long (a truncated reprint);

AND the numbers they state are the same multiset.  The number guard is what keeps "起付线300元" and
"起付线500元", or the 2012 and 2013 versions of a rule, apart however similar the wording.
Thresholds were set on the bundled corpus: synonym-spun pairs score 0.5-0.7, unrelated clauses of
the same template (e.g. "(一)…个人缴费85元" vs "(三)…个人缴费5元") are separated by their numbers.

The canonical clause of a group is the best-quality copy (more domain vocabulary, fewer
anomalies such as stray digits glued into sentences or mojibake), then the earliest; it keeps
its own id and heading path and lists every source location, its own first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

NEAR_JACCARD = 0.5
NEAR_CONTAINMENT = 0.9
MIN_LENGTH_RATIO = 0.6
SHINGLE = 3

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

# Vocabulary of the field: a copy that uses more of it is the original, not the spun one.
DOMAIN_TERMS = (
    "医疗保险", "医保", "基本医疗", "统筹基金", "个人账户", "个人帐户", "起付", "封顶", "最高支付限额",
    "报销", "补偿", "参保", "缴费", "定点", "待遇", "结算", "办法", "经办", "保险", "基金", "医疗救助",
    "社会保障", "医疗机构", "医疗费用", "门诊", "住院", "药品", "目录", "协议",
)
_ANOMALY = re.compile(r"[\u4e00-\u9fff][,，]\d(?=[\u4e00-\u9fff])|\?|\ufffd|[\u4e00-\u9fff]\d(?=[\u4e00-\u9fff]{2})")


def normalized_key(text: str) -> str:
    """Text with punctuation and whitespace removed: the key of exact duplicates."""
    return _STRIP.sub("", text)


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    key = normalized_key(text)
    if len(key) <= k:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i:i + k] for i in range(len(key) - k + 1))


def numbers_of(text: str) -> Counter[str]:
    """The multiset of numbers a text states ("3万元" and "30000元" differ on purpose: wording
    differs too, and a false merge is worse than a missed one)."""
    return Counter(n.rstrip("0").rstrip(".") if "." in n else n for n in _NUMBER.findall(text))


def quality(text: str) -> float:
    """Higher for the original wording: domain vocabulary hits minus anomalies."""
    return sum(text.count(t) for t in DOMAIN_TERMS) - 3 * len(_ANOMALY.findall(text))


def is_near_duplicate(a: str, b: str) -> bool:
    """The pairwise rule of the module docstring (exposed for tests and diagnostics)."""
    return _similar(shingles(a), shingles(b), len(normalized_key(a)), len(normalized_key(b))) and numbers_of(a) == numbers_of(b)


def _similar(sa: frozenset[str], sb: frozenset[str], la: int, lb: int) -> bool:
    if not sa or not sb:
        return False
    inter = len(sa & sb)
    if inter / len(sa | sb) >= NEAR_JACCARD:
        return True
    small, (ls, ll) = (sa, (la, lb)) if len(sa) <= len(sb) else (sb, (lb, la))
    return inter / len(small) >= NEAR_CONTAINMENT and ls / max(ll, 1) >= MIN_LENGTH_RATIO


@dataclass(frozen=True)
class DuplicateGroup:
    canonical: int  # index into the input
    members: list[int]  # canonical first, then the others in input order


def group_duplicates(texts: Sequence[str]) -> list[DuplicateGroup]:
    """Group indices of duplicate texts; every index appears in exactly one group (input order
    of the canonical members).  Candidate pairs come from an inverted index on shingles, so
    the cost follows the number of shared shingles rather than n²."""
    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [normalized_key(t) for t in texts]
    shs = [shingles(t) for t in texts]
    nums = [numbers_of(t) for t in texts]
    by_key: dict[str, int] = {}
    postings: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        if keys[i] in by_key:
            parent[find(i)] = find(by_key[keys[i]])
            continue
        by_key[keys[i]] = i
        shared: Counter[int] = Counter()
        for s in shs[i]:
            shared.update(postings[s])
        for j, common in shared.items():
            if common < NEAR_JACCARD * min(len(shs[i]), len(shs[j])) or nums[i] != nums[j]:
                continue
            if _similar(shs[i], shs[j], len(keys[i]), len(keys[j])):
                parent[find(i)] = find(j)
        for s in shs[i]:
            postings[s].append(i)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    out = []
    for members in groups.values():
        best = max(members, key=lambda i: (quality(texts[i]), len(keys[i]), -i))
        out.append(DuplicateGroup(best, [best, *(m for m in members if m != best)]))
    out.sort(key=lambda g: g.canonical)
    return out
