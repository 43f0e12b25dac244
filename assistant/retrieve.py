"""Retrieval for the assistant: slots become knowledge-base filters, hits become candidate selections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from assistant.compose import Selection, query_terms, select_sentences
from knowledge_base.models import SearchFilters, SearchHit, SearchResponse

TOP_K = 6
# Hits scoring below this fraction of the best hit are not considered for the answer; they are too
# weak to compete with it, and listing them would only add noise to a phone-sized reply.
RELATIVE_FLOOR = 0.6


class KnowledgeBaseLike(Protocol):
    def search(self, query: str, top_k: int = ..., filters: SearchFilters | None = ...) -> SearchResponse: ...


@dataclass
class Retrieval:
    no_basis: bool
    selections: list[Selection]
    filtered_by_region: bool


def filters_from_slots(slots: dict[str, Any]) -> SearchFilters | None:
    """Only region and year narrow the search: they are what make two rules incomparable."""
    region, year = slots.get("region"), slots.get("year")
    if not region and not year:
        return None
    return SearchFilters(region=region, year=year)


def _candidates(hits: list[SearchHit]) -> list[SearchHit]:
    if not hits:
        return []
    top = hits[0].score
    floor = top * RELATIVE_FLOOR if top > 0 else top
    return [h for h in hits if h.score >= floor]


def retrieve(kb: KnowledgeBaseLike, query: str, slots: dict[str, Any], top_k: int = TOP_K) -> Retrieval:
    filters = filters_from_slots(slots)
    response = kb.search(query, top_k=top_k, filters=filters)
    if response.no_basis or not response.results:
        return Retrieval(no_basis=True, selections=[], filtered_by_region=filters is not None)
    terms = query_terms(query, slots)
    selections = [select_sentences(hit, terms) for hit in _candidates(response.results)]
    return Retrieval(no_basis=False, selections=selections, filtered_by_region=filters is not None)


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
