"""Retrieval for the assistant: slots become knowledge-base filters, hits become candidate selections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from assistant.estimate_bridge import RESIDENT_SCHEMES
from assistant.select import QueryTerms, Selection, query_terms, rank_selections
from knowledge_base.models import SearchFilters, SearchHit, SearchResponse

# The search ranks whole clauses and its top few are often near-ties; fetching a few more lets the
# sentence-level selector find the clause that actually states the rule.
TOP_K = 20
# The best sentence must cover at least this share of the question's content words; below it the
# clause only shares a word or two with the question ("电子社保卡" for "电子凭证怎么激活") and
# answering from it would be answering a different question.
MIN_COVERAGE = 0.6
# A work report or an untagged text answers only when it covers the whole question: it is not a
# rule, so a partial match there is much weaker evidence than a partial match in a rule.
MIN_COVERAGE_REPORT = 1.0
# And the best sentence must match at least about one full content word plus its figure.
MIN_SCORE = 3.0
# Clauses whose best sentence scores under this fraction of the best one are not answers; listing
# them would only add noise to a phone-sized reply.
RELATIVE_FLOOR = 0.75


class KnowledgeBaseLike(Protocol):
    def search(self, query: str, top_k: int = ..., filters: SearchFilters | None = ...) -> SearchResponse: ...


@dataclass
class Retrieval:
    no_basis: bool
    selections: list[Selection]  # best answer first; all within RELATIVE_FLOOR of the best
    filtered_by_region: bool


def filters_from_slots(slots: dict[str, Any]) -> SearchFilters | None:
    """Only region and year narrow the search: they are what make two rules incomparable."""
    region, year = slots.get("region"), slots.get("year")
    if not region and not year:
        return None
    return SearchFilters(region=region, year=year)


def scheme_fits(wanted: str | None, hit: SearchHit) -> bool:
    """A clause tagged only with other schemes than the one asked about (职工 vs 城镇居民) is not
    an answer; untagged clauses and the resident schemes among themselves are. Reads the hit's
    optional `schemes` list (every scheme the clause is about) when the knowledge base gives one."""
    schemes = list(getattr(hit, "schemes", None) or ([hit.scheme] if hit.scheme else []))
    if not wanted or not schemes or wanted in schemes:
        return True
    return wanted in RESIDENT_SCHEMES and any(s in RESIDENT_SCHEMES for s in schemes)


def can_answer(selection: Selection) -> bool:
    """Does this clause's best sentence say enough about the question to be quoted as an answer?"""
    hit = selection.hit
    weak_source = hit.kind == "report" or (hit.region is None and hit.year is None)
    needed = MIN_COVERAGE_REPORT if weak_source else MIN_COVERAGE
    return selection.score >= MIN_SCORE and selection.coverage >= needed


def answer_candidates(selections: list[Selection]) -> list[Selection]:
    """The ranked selections that can answer, limited to those scoring close to the best one."""
    eligible = [s for s in selections if can_answer(s)]
    if not eligible:
        return []
    floor = eligible[0].score * RELATIVE_FLOOR
    close = [s for s in eligible if s.score >= floor]
    # Among close answers, those stating the details the user named (贫困, 学生, 二级) come first:
    # the general rule is the fallback, not the answer, when a clause speaks to the asked case.
    return sorted(close, key=lambda s: -s.focus_hits)


def retrieve(kb: KnowledgeBaseLike, query: str, slots: dict[str, Any], top_k: int = TOP_K) -> Retrieval:
    filters = filters_from_slots(slots)
    terms = query_terms(query, slots)
    response = kb.search(expanded_query(query, terms), top_k=top_k, filters=filters)
    hits = [] if response.no_basis else [h for h in response.results if scheme_fits(slots.get("scheme"), h)]
    selections = answer_candidates(rank_selections(hits, terms))
    return Retrieval(no_basis=not selections, selections=selections, filtered_by_region=filters is not None)


def expanded_query(query: str, terms: QueryTerms) -> str:
    """The question plus the policy words for the kind of figure it asks about ("封顶线" → 最高限额):
    a clause stating "全年每人累计补偿最高限额" never says 封顶线, and the search must still find it."""
    extra = [alt for alts in terms.measures for alt in alts[:2] if alt not in query]
    extra += [word for word in terms.search_words if word not in query]
    return f"{query} {' '.join(dict.fromkeys(extra))}".strip() if extra else query


def locate_quote(kb: KnowledgeBaseLike, quote: str, region: str | None = None) -> SearchHit | None:
    """The clause a calculator rule quotes, so an estimate's citation can name its chunk and path.
    Searches with the quote itself and accepts only a hit that contains it verbatim (normalised)."""
    from knowledge_base.normalize import normalize_text

    wanted = normalize_text(quote)
    try:
        response = kb.search(quote, top_k=5, filters=None)
    except Exception:  # an unsearchable quote just stays without a chunk id
        return None
    for hit in response.results:
        if wanted in normalize_text(hit.text) and (region is None or hit.region in (None, region)):
            return hit
    for hit in response.results:
        if wanted in normalize_text(hit.text):
            return hit
    return None
