"""Second-stage features over the fused top candidates: which of the question's *concepts* a
clause covers, whether they meet in one sentence, whether the heading names them, and whether a
question asking for a quantity lands on a clause that states one.

Why concepts rather than tokens: `cut_for_search` turns 公积金 into 公积 / 积金 / 公积金, so a
token-level share counts one idea three times. A concept is a query term that is not part of a
longer query term, together with its synonym expansions; it is weighed by its idf (rarer = more
specific), halved for a lone character (年, 定, 管 carry little on their own).

Why sentences: a word that occurs in a clause only in passing — 住房公积金 in a list of what an
office paid for — does not make that clause an answer about 公积金. The question's concepts
meeting in one sentence (the heading counts for every sentence) is the cheap, general proxy.
Everything here is substring arithmetic on normalised text: no tokenising at query time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge_base.normalize import normalize_text

FOREIGN_TOPICS = Path(__file__).resolve().parents[1] / "resources" / "foreign_topics.yaml"

_SENTENCE_END = re.compile(r"(?<=[。;;!?!?\n])")
# A stated quantity: a number followed by a unit (or a percentage / 百分点 / 倍 / 成).
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|元|万元|万|亿|倍|成|个百分点|百分点|个工作日|工作日|日|天|年|月|次|人次|人|名|户|个|所|份|种|家|周岁|岁|分)")
# The question asks for a quantity (how much / what share / how many days / which threshold).
_ASKS_AMOUNT = re.compile(r"多少|几[成个天日月年次份种倍块]?|百分之|比例|比率|起付|封顶|限额|标准|多久|多长|多高|多大|费率|利率")


@dataclass(frozen=True)
class Concept:
    term: str
    members: tuple[str, ...]  # the term and its synonym expansions
    weight: float


def concepts(terms: Sequence[str], groups: dict[str, list[str]], idf: Callable[[str], float]) -> list[Concept]:
    """The query's maximal terms (not contained in a longer query term) with their expansions and
    their own sub-terms (居民医保 is also found as 居民 + 医保 in 城镇居民基本医疗保险)."""
    out = []
    for term in terms:
        if any(term != other and term in other for other in terms):
            continue
        weight = idf(term) * (0.5 if len(term) == 1 else 1.0)
        parts = [t for t in terms if t != term and t in term and len(t) > 1]
        out.append(Concept(term, tuple(dict.fromkeys([*groups.get(term, [term]), *parts])), weight))
    return out


@lru_cache(maxsize=4)
def load_topics(path: Path = FOREIGN_TOPICS) -> tuple[str, ...]:
    """Must-cover topic terms (normalised, longest first so 种植牙 is reported before 牙)."""
    from knowledge_base.lexicon import foreign_topics

    terms = {normalize_text(t) for t in foreign_topics(path)}
    return tuple(sorted((t for t in terms if t), key=lambda t: (-len(t), t)))


def asks_amount(query: str) -> bool:
    return bool(_ASKS_AMOUNT.search(query))


def sentences(text: str) -> tuple[str, ...]:
    """Text cut at sentence ends (。;!? and line breaks)."""
    return tuple(s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s)


@dataclass(frozen=True)
class ClauseView:
    """A clause as the features read it: normalised heading path and body sentences. Built once
    per clause and cached by the searcher (normalising costs more than all the features)."""

    heading: str
    sentences: tuple[str, ...]
    body: str = ""  # the whole normalised body: one substring test rules a concept out for every sentence

    @classmethod
    def of(cls, heading: str, body: str) -> ClauseView:
        text = normalize_text(body)
        return cls(normalize_text(heading), sentences(text) or ("",), text)


def _share(found: Sequence[bool], cs: Sequence[Concept]) -> float:
    total = sum(c.weight for c in cs)
    return sum(c.weight for c, f in zip(cs, found, strict=True) if f) / total if total else 0.0


@dataclass(frozen=True)
class ClauseFeatures:
    heading: float  # weighted share of concepts named in the heading path
    proximity: float  # best weighted share of concepts within one sentence (+ heading)
    states_amount: bool  # the best sentence states a quantity
    supported: float  # weighted share of concepts that occur in context (see `supported_share`)


def clause_features(cs: Sequence[Concept], view: ClauseView) -> ClauseFeatures:
    """Heading share, best one-sentence share, amount in that sentence, in-context share."""
    total = sum(c.weight for c in cs)
    in_head = [any(m in view.heading for m in c.members) for c in cs]
    head_w = sum(c.weight for c, h in zip(cs, in_head, strict=True) if h)
    # Only concepts the body holds at all (and the heading does not) need a per-sentence test:
    # most candidates hold few of the question's concepts, so this skips most of the work.
    body = view.body or "\n".join(view.sentences)
    live = [k for k, c in enumerate(cs) if not in_head[k] and any(m in body for m in c.members)]
    best, best_sentence = head_w, view.sentences[0] if view.sentences else ""
    context = list(in_head)  # in context: in the heading, or in a sentence with another concept
    n_head = sum(in_head)
    for sent in view.sentences if live else ():
        found = [k for k in live if any(m in sent for m in cs[k].members)]
        if not found:
            continue
        weight = head_w + sum(cs[k].weight for k in found)
        if weight > best:
            best, best_sentence = weight, sent
        if n_head + len(found) >= 2:
            for k in found:
                context[k] = True
    if len(cs) == 1:  # a single concept: presence is enough
        context = [in_head[0] or bool(live)]
    share = (lambda w: w / total if total else 0.0)
    return ClauseFeatures(
        heading=share(head_w),
        proximity=share(best),
        states_amount=bool(_AMOUNT.search(best_sentence)),
        supported=share(sum(c.weight for c, ok in zip(cs, context, strict=True) if ok)),
    )


def named_topics(text: str, topics: Sequence[str], bounds: frozenset[int]) -> list[str]:
    """The topics the query names as words: each occurrence must start and end on a token
    boundary (`tokenize.token_bounds`) or lie inside one token (配眼镜 names 眼镜; 医保单位 does
    not name 保单)."""
    out = []
    for topic in topics:
        start = text.find(topic)
        while start >= 0:
            end = start + len(topic)
            aligned = start in bounds and end in bounds  # one or several whole tokens
            if aligned or not any(start < b < end for b in bounds):  # ... or inside one token
                out.append(topic)
                break
            start = text.find(topic, start + 1)
    return out


def unsupported_topic(topics: Sequence[str], cs: Sequence[Concept], views: Sequence[ClauseView]) -> str | None:
    """The first named must-cover topic (`resources/foreign_topics.yaml`, see `named_topics`) that
    no returned clause names in context: in its heading, or in a sentence holding another
    multi-character concept of the question (lone characters such as 发 are too weak to vouch;
    with no such concept, presence anywhere is enough). None when every named topic is covered.
    Why: a question about 养老金 is not answered by a report that lists 养老保险 among the
    insurances an office paid, however well 每个月 matches elsewhere."""
    for topic in topics:
        others = [c for c in cs if len(c.term) > 1 and topic not in c.term and c.term not in topic]
        if not any(_covers(view, topic, others) for view in views):
            return topic
    return None


def _covers(view: ClauseView, topic: str, others: Sequence[Concept]) -> bool:
    if topic in view.heading:
        return True
    return any(
        topic in sent and (not others or any(m in sent for c in others for m in c.members if m not in topic))
        for sent in view.sentences
    )


def supported_share(cs: Sequence[Concept], in_head: Sequence[bool], per_sentence: Sequence[Sequence[bool]]) -> float:
    """Weighted share of concepts found *in context*: in the heading, or in a sentence that also
    holds another of the question's concepts. With a single concept, presence is enough."""
    if len(cs) <= 1:
        return _share([h or any(s[0] for s in per_sentence) for h in in_head], cs) if cs else 0.0
    found = []
    for k in range(len(cs)):
        ok = in_head[k] or any(s[k] and sum(s) >= 2 for s in per_sentence)
        found.append(ok)
    return _share(found, cs)
