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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge_base.normalize import normalize_text

FOREIGN_TOPICS = Path(__file__).resolve().parents[1] / "resources" / "foreign_topics.yaml"

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


_SENTENCE_END_CHARS = "。;;!?!?\n"
_SENTENCE_END = re.compile(f"(?<=[{_SENTENCE_END_CHARS}])")
# A string holding one of these may occur in a body across two of its sentences (or in the
# whitespace `sentences` strips): only for such strings does "in the body" differ from "in one of
# its sentences".
_MAY_SPAN = re.compile(f"[{_SENTENCE_END_CHARS}\\s]")


def sentences(text: str) -> tuple[str, ...]:
    """Text cut at sentence ends (。;!? and line breaks)."""
    return tuple(s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s)


@lru_cache(maxsize=8192)
def _may_span(member: str) -> bool:
    return not member or bool(_MAY_SPAN.search(member))


def _gram_masks(parts: Sequence[str]) -> dict[str, int]:
    """Every character and every pair of adjacent characters of `parts`, with the bit set of the
    parts holding it (bit k = parts[k])."""
    grams: dict[str, int] = {}
    for bit, text in enumerate(parts):
        flag = 1 << bit
        for g in {*text, *(text[k:k + 2] for k in range(len(text) - 1))}:
            grams[g] = grams.get(g, 0) | flag
    return grams


@dataclass(frozen=True)
class ClauseView:
    """A clause as the features read it: normalised heading path and body sentences. Built once
    per clause and cached by the searcher (normalising costs more than all the features).

    With it, what does not depend on the question: which of its parts (bit 0 the heading, bit k+1
    sentence k) hold each character and each pair of adjacent characters (`where` reads a
    question's words from it instead of searching every sentence for every word), and which
    sentences state a quantity."""

    heading: str
    sentences: tuple[str, ...]
    body: str = ""  # the whole normalised body: one substring test rules a concept out for every sentence
    _grams: dict[str, int] = field(init=False, repr=False, compare=False)
    _parts: tuple[str, ...] = field(init=False, repr=False, compare=False)
    amounts: tuple[bool, ...] = field(init=False, repr=False, compare=False)  # sentence k states a quantity

    def __post_init__(self) -> None:
        parts = (self.heading, *self.sentences)
        object.__setattr__(self, "_parts", parts)
        object.__setattr__(self, "_grams", _gram_masks(parts))
        object.__setattr__(self, "amounts", tuple(bool(_AMOUNT.search(s)) for s in self.sentences))

    @classmethod
    def of(cls, heading: str, body: str) -> ClauseView:
        text = normalize_text(body)
        return cls(normalize_text(heading), sentences(text) or ("",), text)

    def where(self, word: str) -> int:
        """The parts holding `word` as a substring: bit 0 the heading, bit k+1 sentence k. Exact:
        a part holds a word only if it holds each of its characters' pairs, and the parts those
        pairs leave are searched."""
        n = len(word)
        if n == 0:
            return (1 << len(self._parts)) - 1
        grams = self._grams
        if n <= 2:
            return grams.get(word, 0)
        mask = grams.get(word[:2], 0)
        for k in range(1, n - 1):
            if not mask:
                return 0
            mask &= grams.get(word[k:k + 2], 0)
        out, parts = 0, self._parts
        while mask:
            low = mask & -mask
            if word in parts[low.bit_length() - 1]:
                out |= low
            mask ^= low
        return out

    def in_body(self, word: str, where: int) -> bool:
        """`word in body` (the whole body, or its sentences joined when the view has none), given
        `where(word)`."""
        if where >> 1:
            return True
        return _may_span(word) and word in (self.body or "\n".join(self.sentences))


def _share(found: Sequence[bool], cs: Sequence[Concept]) -> float:
    total = sum(c.weight for c in cs)
    return sum(c.weight for c, f in zip(cs, found, strict=True) if f) / total if total else 0.0


@dataclass(frozen=True)
class ClauseFeatures:
    heading: float  # weighted share of concepts named in the heading path
    proximity: float  # best weighted share of concepts within one sentence (+ heading)
    states_amount: bool  # the best sentence states a quantity
    supported: float  # weighted share of concepts that occur in context (see `supported_share`)
    held: int = 0  # bit k: the heading or the body holds concept k (one of its members)


def clause_features(cs: Sequence[Concept], view: ClauseView) -> ClauseFeatures:
    """Heading share, best one-sentence share, amount in that sentence, in-context share."""
    return clause_features_many(cs, [view])[0]


def clause_features_many(cs: Sequence[Concept], views: Sequence[ClauseView]) -> list[ClauseFeatures]:
    """`clause_features` of one question's concepts for each of `views`: what depends on the
    question alone (weights, members) is read once, what depends on the clause alone from its
    view (`ClauseView.where`, `amounts`)."""
    weights = [c.weight for c in cs]
    total = sum(c.weight for c in cs)
    n = len(cs)
    # members of at most two characters are read from the view's table directly
    members = [[(m, len(m) in (1, 2), _may_span(m)) for m in c.members] for c in cs]
    share = (lambda w: w / total if total else 0.0)
    nothing = share(0)
    out = []
    for view in views:
        grams = view._grams
        # per concept, the parts of the clause holding one of its members (bit 0 the heading, bit
        # k+1 sentence k), and whether the body holds one at all
        masks, in_body = [], []
        for concept in members:
            mask, body = 0, False
            for m, short, may_span in concept:
                w = grams.get(m, 0) if short else view.where(m)
                mask |= w
                if not body:
                    body = bool(w >> 1) or (may_span and view.in_body(m, w))
            masks.append(mask)
            in_body.append(body)
        if not any(masks) and not any(in_body):  # none of the question's concepts: no sentence to choose
            out.append(ClauseFeatures(heading=nothing, proximity=nothing, states_amount=view.amounts[0] if view.amounts else False,
                                      supported=nothing, held=0))
            continue
        in_head = [bool(mask & 1) for mask in masks]
        head_w = sum(w for w, h in zip(weights, in_head, strict=True) if h)
        # Only concepts the body holds at all (and the heading does not) count per sentence.
        live = [k for k in range(n) if not in_head[k] and in_body[k]]
        best, best_k = head_w, 0
        context = list(in_head)  # in context: in the heading, or in a sentence with another concept
        n_head = sum(in_head)
        sentences_held = 0
        for k in live:
            sentences_held |= masks[k] >> 1
        while sentences_held:  # the sentences holding a live concept, in order
            low = sentences_held & -sentences_held
            sentences_held ^= low
            part = low.bit_length()  # sentence part - 1 is bit `part` of a concept's mask
            found = [k for k in live if masks[k] >> part & 1]
            weight = head_w + sum(weights[k] for k in found)
            if weight > best:
                best, best_k = weight, part - 1
            if n_head + len(found) >= 2:
                for k in found:
                    context[k] = True
        if n == 1:  # a single concept: presence is enough
            context = [in_head[0] or bool(live)]
        out.append(ClauseFeatures(
            heading=share(head_w),
            proximity=share(best),
            states_amount=view.amounts[best_k] if view.amounts else False,
            supported=share(sum(w for w, ok in zip(weights, context, strict=True) if ok)),
            held=sum(1 << k for k in range(n) if in_head[k] or in_body[k]),
        ))
    return out


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
