"""Retrieval for the assistant: slots become knowledge-base filters, hits become candidate selections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.conflicts import answers_scheme
from assistant.select import (
    QueryTerms,
    Selection,
    framing_conditions,
    _matched_weight,
    lead_fragment,
    names,
    query_terms,
    rank_selections,
    split_sentences,
    tier_words,
)
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


# With the learned judge: how many hits to ask for, how many related rules to offer, and how close
# (in ranker score) another region's rule must be to the best to count as a competing answer.
# 12, not 8 (release 22): the pool another region's best rule is drawn from when the related rules shown are one
# region's (`other_region`) — on a dev subset (573 ambiguous, 1,695 near-domain, 4,000 answerable questions)
# ambiguity asked or listed 0.955 → 0.960, cited-gold 0.7203 → 0.7208, mean reply 491 → 499 characters.
JUDGED_TOP_K = 12
# Related rules offered when the judge trusts none to answer. On the web pages and the operator
# console they show as citation cards, so five are offered (measured on dev at release 21: the gold
# clause among them for 0.726 of answerable questions against 0.671 with three). A WeChat passive
# reply is one phone screen of at most 2048 bytes, read by many elderly users: three there.
MAX_RELATED = 5
RELATED_BY_CHANNEL = {"wechat": 3}


def related_limit(channel: str) -> int:
    """How many related rules a reply on `channel` offers."""
    return RELATED_BY_CHANNEL.get(channel, MAX_RELATED)
CONFLICT_MARGIN = 1.0
MAX_CONFLICTING = 4


@dataclass
class Retrieval:
    no_basis: bool
    selections: list[Selection]  # best answer first; all within RELATIVE_FLOOR of the best
    filtered_by_region: bool
    # The selections are rules related to the question, offered as such ("没有找到直接回答，以下规定
    # 可能相关"), not an answer: the learned judge found relevant clauses but none it trusts to answer.
    related: bool = False
    # Related rules offered after the ranked ones (another region's rule when the ranked ones are
    # one region's, the user having named none): shown, never a competing answer.
    alongside: list[Selection] = field(default_factory=list)


def filters_from_slots(slots: dict[str, Any]) -> SearchFilters | None:
    """Only region and year narrow the search: they are what make two rules incomparable."""
    region, year = slots.get("region"), slots.get("year")
    if not region and not year:
        return None
    return SearchFilters(region=region, year=year)


def scheme_fits(wanted: str | None, hit: SearchHit) -> bool:
    """A clause tagged only with base schemes that cannot answer the one asked about (职工 vs 城镇居民,
    新农合 vs 城镇居民) is not an answer; untagged clauses, clauses about 大病保险/医疗救助 only and
    the merged 城乡居民 with either predecessor are (lexicon `scheme.compatible`, read once in
    `conflicts.answers_scheme`)."""
    return answers_scheme(wanted, hit.about_schemes)


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


def retrieve(kb: KnowledgeBaseLike, query: str, slots: dict[str, Any], top_k: int = TOP_K,
             words: str = "", max_related: int = MAX_RELATED) -> Retrieval:
    """`words`: the question as the user typed it, which the learned judge reads (it was trained and
    calibrated on annotators' questions as written, not on the NLU's standardised `query`: measured
    on dev, the standardised form moved 15 answerable questions' decisions, 11 of them to a refusal)."""
    filters = filters_from_slots(slots)
    terms = query_terms(query, slots)
    if getattr(kb, "judged", False):
        return judged_retrieve(kb, words or query, slots, terms, filters, max_related)
    response = kb.search(expanded_query(query, terms), top_k=top_k, filters=filters)
    hits = [] if response.no_basis else [h for h in response.results if scheme_fits(slots.get("scheme"), h)]
    selections = answer_candidates(rank_selections(hits, terms))
    return Retrieval(no_basis=not selections, selections=selections, filtered_by_region=filters is not None)


def judged_retrieve(kb: KnowledgeBaseLike, query: str, slots: dict[str, Any], terms: QueryTerms,
                    filters: SearchFilters | None, max_related: int = MAX_RELATED) -> Retrieval:
    """The learned path: the knowledge base's judge ranks, decides answer / related / none and
    picks each clause's answering sentences (`SearchHit.highlights`); what stays here is exact —
    the scheme the user named, a grade's figure out of an enumeration, competing regions."""
    response = kb.search(query, top_k=JUDGED_TOP_K, filters=filters)
    hits = [] if response.no_basis else [h for h in response.results if scheme_fits(slots.get("scheme"), h)]
    if not hits or response.decision == "none":
        return Retrieval(no_basis=True, selections=[], filtered_by_region=filters is not None)
    selections = []
    for r, h in enumerate(hits):
        quoted = with_asked_details(h.text, list(h.highlights) or [h.text], terms)
        selections.append(Selection(hit=h, sentences=quoted, score=h.score, lead=lead_fragment(quoted, terms),
                                    coverage=1.0, rank=r))
    if response.decision == "related":
        alongside = [] if filters and filters.region else other_region(selections, max_related)
        return Retrieval(no_basis=False, selections=selections[:max_related], filtered_by_region=filters is not None,
                         related=True, alongside=alongside)
    best = selections[0].score
    close = [s for s in selections if s.score >= best - CONFLICT_MARGIN][:MAX_CONFLICTING]
    if response.region_dependent and not (filters and filters.region):
        # The ranker's margin is a ranking score, not a calibrated closeness: where the judge finds
        # the answer a matter of the region and the user named none, each region's best rule among
        # the hits competes however far below the first it ranks ("那二级医院呢" after a 住院比例
        # question: 岳池's and 重庆's 二级 figures, not the first region's alone).
        close += other_regions(selections, close)[:max(MAX_CONFLICTING - len(close), 0)]
    return Retrieval(no_basis=False, selections=close, filtered_by_region=filters is not None)


def other_regions(selections: list[Selection], chosen: list[Selection], enough: int | None = None) -> list[Selection]:
    """The best rule of each region among `selections` that none of `chosen` is from, until
    `enough` regions are represented (all of them when None)."""
    regions = {s.hit.region for s in chosen if s.hit.region}
    added: list[Selection] = []
    for s in selections:
        if enough is not None and len(regions) >= enough:
            break
        if s.hit.kind == "rule" and s.hit.region and s.hit.region not in regions and s not in chosen:
            added.append(s)
            regions.add(s.hit.region)
    return added


def other_region(selections: list[Selection], k: int) -> list[Selection]:
    """The best rule of another region, when the first `k` related rules are all one region's (or
    none's) and the pool holds one: the user named no region, and related rules of one region only
    would read as the rule."""
    return other_regions(selections[k:], selections[:k], enough=2)


MAX_QUOTED_SENTENCES = 3


def with_asked_details(text: str, chosen: list[str], terms: QueryTerms) -> list[str]:
    """The chosen sentences plus any sentence of the clause that states a detail the user named
    (a slot: 学生/儿童, 二级, 贫困…) or frames its figure under a case the user named (未经转诊,
    县外, 第二次住院): an exact reading of what was said, so it is a rule, not a weight."""
    sentences = split_sentences(text)
    said = "".join(chosen)
    extra = []
    for sentence in sentences:
        if sentence in said or len(chosen) + len(extra) >= MAX_QUOTED_SENTENCES:
            continue
        # A named detail (二档) brings in a sentence that says something asked, not one about another
        # matter of the clause ("…最高限额:一档为7万元,二档为11万元" for a childbirth subsidy).
        names_detail = any(names(word, sentence) and not names(word, said) for word in terms.focus) and (
            not terms.topic or _matched_weight(sentence, terms) > 0)
        names_case = bool(framing_conditions(sentence) & terms.conditions) and not (
            framing_conditions(said) & terms.conditions)
        if names_detail or names_case:
            extra.append(sentence)
    extra += [s for s in other_tiers(sentences, chosen, terms) if s not in extra]
    if not extra:
        return chosen
    keep = set(extra)
    # in text order, as the clause says them
    ordered = [s for s in sentences if s in keep or any(s in c or c in s for c in chosen)]
    return ordered or chosen


def _tier_lead(sentence: str) -> str | None:
    return next((w for w in tier_words() if sentence.lstrip().startswith(w)), None)


def other_tiers(sentences: list[str], chosen: list[str], terms: QueryTerms) -> list[str]:
    """A chosen sentence stating one tier's figures ("一档:…补偿比例分别为80%、60%和40%;") brings the
    clause's sentences stating the other tiers' ("二档:…85%、65%和45%") when the user has named no
    tier: one tier's figures alone would read as theirs. Exact — the sentence opens with the tier."""
    if any(w in terms.focus for w in tier_words()):
        return []
    leads = {_tier_lead(c) for c in chosen} - {None}
    if not leads:
        return []
    said = "".join(chosen)
    return [s for s in sentences if s not in said and _tier_lead(s) not in (None, *leads)]


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
