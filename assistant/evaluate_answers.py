"""End-to-end evaluation of answers on the annotated questions: every question goes through the
real assistant in a fresh session, as a citizen's first message, and the reply is judged.

Per split (dev, blind…) one table:
- cited-gold: answerable questions whose reply cites a gold clause (a direct answer, a related
  rule offered, or a region's rule listed when regions compete);
- direct precision: direct answers whose first citation is a gold clause;
- wrongly refused: answerable questions answered "no basis";
- near-domain refused: questions the library cannot answer that get a refusal (or the out-of-scope text);
- ambiguity asked or listed: region/scheme-ambiguous questions answered with a clarifying question
  or with two or more regions' rules side by side;
- ungrounded numbers: replies with a number in no cited clause or trace (the grounding check);
- search recall@5: a gold clause among the search ranking's first five (whatever the decision).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldResolver
from knowledge_base.learned.train import gold_refs

REFUSALS = ("refusal",)


@dataclass
class ItemResult:
    id: str
    type: str
    question: str
    kind: str  # the reply's kind
    cited_gold: bool
    first_gold: bool
    recall5: bool
    grounded: bool
    listed_regions: int
    answer: str = ""


@dataclass
class AnswerMetrics:
    n_answerable: int = 0
    n_near: int = 0
    n_ambiguous: int = 0
    cited_gold: float = 0.0
    direct_share: float = 0.0
    direct_precision: float = 0.0
    related_share: float = 0.0
    wrongly_refused: float = 0.0
    near_refused: float = 0.0
    ambiguity_asked_or_listed: float = 0.0
    ungrounded: int = 0
    search_recall_at_5: float = 0.0
    by_who: dict[str, float] = field(default_factory=dict)
    results: list[ItemResult] = field(default_factory=list)

    def table(self, title: str) -> str:
        rows = [
            ("answerable questions", f"{self.n_answerable}"),
            ("cited-gold (target ≥ 0.95)", f"{self.cited_gold:.3f}"),
            ("  direct answers (share / precision)", f"{self.direct_share:.3f} / {self.direct_precision:.3f}"),
            ("  related rules offered (share)", f"{self.related_share:.3f}"),
            ("wrongly refused (target ≤ 0.03)", f"{self.wrongly_refused:.3f}"),
            (f"near-domain refused, n={self.n_near} (target ≥ 0.90)", f"{self.near_refused:.3f}"),
            (f"ambiguity asked or listed, n={self.n_ambiguous} (target ≥ 0.95)", f"{self.ambiguity_asked_or_listed:.3f}"),
            ("ungrounded numbers (target 0)", f"{self.ungrounded}"),
            ("search recall@5 (target ≥ 0.97)", f"{self.search_recall_at_5:.3f}"),
        ]
        rows += [(f"  cited-gold, asked by {w}", f"{v:.3f}") for w, v in sorted(self.by_who.items())]
        width = max(len(r[0]) for r in rows)
        return "\n".join([f"== {title} ==", *(f"{a.ljust(width)}  {b}" for a, b in rows)])


# Replies that only acknowledge what the user told ("好的，已记住：三级医院"): they claim nothing,
# and their figures are the user's own words.
_ACKNOWLEDGING = ("statement", "correction")


def independently_grounded(reply, policy_names: Sequence[str] = (), message: str = "") -> bool:
    """Re-check the reply as sent: every number in it must stand in a cited clause (text, path,
    year), the calculator trace, the clarifying question's options or the name of a rule set the
    calculators refused with ("政策“…（2018）”原文未规定…"); an acknowledgement may repeat the
    user's `message`."""
    import json

    from assistant.grounding import check_grounding

    sources = [f"{c.citation} {c.year or ''} {c.text}" for c in reply.citations] + list(policy_names)
    if reply.intent in _ACKNOWLEDGING:
        sources.append(message)
        # ...and the facts it lists by their category names: 一级医院 read from 卫生院, 二档 from a
        # premium of 150 元 name a grade the lexicon or a rule set assigns, not a figure claimed.
        sources += [fact.label for fact in getattr(reply, "remembered", None) or []]
    if reply.estimate:
        sources.append(json.dumps(reply.estimate, ensure_ascii=False, default=str))
    if reply.clarification:
        sources += [reply.clarification.question, *reply.clarification.options]
    return check_grounding(reply.answer, sources).ok


def ranked_top(kb, question: str, k: int) -> list[int]:
    """The search ranking's first k clause positions, whatever the answer decision (recall@5 asks
    whether search found the clause, not whether the answer layer used it)."""
    searcher = kb.searcher
    if getattr(searcher, "judge", None) is not None:
        from knowledge_base.learned.features import candidate_features

        return searcher.judge.judge(candidate_features(searcher, question)).order[:k]
    return searcher.rank(question, k).indices[:k]


def evaluate_answers(assistant_factory: Callable[[], object], kb, items: Sequence[AnnotatedQuestion]) -> AnswerMetrics:
    """Run `items` through fresh assistants (one per question: nothing carries over) and score them."""
    resolver = GoldResolver(kb.clauses)
    by_id = {c.chunk_id: i for i, c in enumerate(kb.clauses)}  # clause positions, as the ranking gives them
    results: list[ItemResult] = []
    assistant = assistant_factory()
    policy_names = [f"{p.title} {p.year}" for p in getattr(assistant, "policies", [])]
    for item in items:
        gold = resolver.resolve(gold_refs(item))
        reply = assistant.ask(item.question)
        cited = [by_id.get(c.chunk_id) for c in reply.citations]
        top5 = set(ranked_top(kb, item.question, 5))
        results.append(ItemResult(
            id=item.id, type=item.type, question=item.question, kind=reply.kind,
            cited_gold=any(c in gold for c in cited), first_gold=bool(cited) and cited[0] in gold,
            recall5=bool(top5 & gold), grounded=independently_grounded(reply, policy_names, item.question),
            listed_regions=len({c.region for c in reply.citations if c.region}), answer=reply.answer,
        ))
    return summarise(results, items)


def summarise(results: Sequence[ItemResult], items: Sequence[AnnotatedQuestion]) -> AnswerMetrics:
    def share(xs: Sequence[bool]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    who = {i.id: i.who for i in items}
    ans = [r for r in results if r.type == "answerable"]
    near = [r for r in results if r.type == "no_basis"]
    amb = [r for r in results if r.type == "ambiguous"]
    direct = [r for r in ans if r.kind == "answer"]
    by_who: dict[str, list[bool]] = {}
    for r in ans:
        by_who.setdefault(who[r.id], []).append(r.cited_gold)
    return AnswerMetrics(
        n_answerable=len(ans), n_near=len(near), n_ambiguous=len(amb),
        cited_gold=share([r.cited_gold for r in ans]),
        direct_share=share([r.kind == "answer" for r in ans]),
        direct_precision=share([r.first_gold for r in direct]),
        related_share=share([r.kind == "related" for r in ans]),
        wrongly_refused=share([r.kind in REFUSALS for r in ans]),
        near_refused=share([r.kind in (*REFUSALS, "canned") for r in near]),
        ambiguity_asked_or_listed=share([r.kind == "clarification" or r.listed_regions >= 2 for r in amb]),
        ungrounded=sum(not r.grounded for r in results),
        search_recall_at_5=share([r.recall5 for r in ans]),
        by_who={w: share(v) for w, v in by_who.items()},
        results=list(results),
    )
