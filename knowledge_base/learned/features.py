"""Features of (question, clause) candidates, explainable one by one, for the learned ranker and the
answerability model.

Every feature describes the *relation* between a question and a clause (scores, ranks, shares of
the question found, region/year agreement, clause kind), never the clause's identity, so a model
trained on these generalises to documents added later without annotations (checked by
leave-one-document-out, `learned.evaluate`).

Candidates come from three retrievers, because each misses a class of questions the others find:
the word-level hybrid (BM25 + dense, with synonyms), a character-bigram BM25 (robust to unseen
phrasing, typos and segmentation: measured above the tuned hybrid on paraphrases), and the dense
side alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge_base.bm25_index import BM25Index
from knowledge_base.fusion import ranks
from knowledge_base.conditions import asked as asked_conditions
from knowledge_base.conditions import framed as framed_conditions
from knowledge_base.models import Clause, SearchFilters
from knowledge_base.normalize import normalize_text
from knowledge_base.rerank import ClauseView, asks_amount, clause_features, concepts, load_topics, named_topics, sentences
from knowledge_base.scope import named_places, named_years, related_place
from knowledge_base.tokenize import stopwords, token_bounds

# Grades a question may name (hospital level, contribution tier): a clause stating the named one
# is a closer answer than one stating others.
_GRADES = ("一级", "二级", "三级", "一档", "二档")
# How many candidates each retriever contributes (union, first-seen order).
HYBRID_DEPTH = 24
BIGRAM_DEPTH = 16
DENSE_DEPTH = 12
WORDVEC_DEPTH = 12

_NUMBER = re.compile(r"\d")
# A named institution ("重庆新兴医院", "XX县人民医院"): a clause about one hospital's terms (its
# advertisement, its report) is a narrower case than a question that names none.
_INSTITUTION = re.compile(r"([\u4e00-\u9fff]{2,10}?)(医院|卫生院|药店|药房)")
_GENERIC_INSTITUTION = re.compile(r"^(?:.*?)(一级|二级|三级|定点|乡镇|县级|市级|省级|各级|公立|民营|基层|医疗|协议|本|该|我|各|所在|上级|下级|综合|专科|社区|村)$")
_CJK_OR_ALNUM = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z%]")
_SCHEME_WORDS = {
    "职工": ("职工",),
    "城镇居民": ("城镇居民",),
    "城乡居民": ("城乡居民", "居民医保"),
    "新农合": ("新农合", "合作医疗", "农合"),
}

FEATURE_NAMES: tuple[str, ...] = (
    "hybrid_rank_log", "hybrid_rel", "lexical_rel", "lexical_rank_log",
    "bigram_rel", "bigram_rank_log", "bigram_norm",
    "dense_cos", "dense_gap", "dense_rank_log",
    "coverage", "bigram_cover", "bigram_cover_sentence", "bigram_cover_heading",
    "proximity", "supported", "heading_share",
    "quantity", "states_amount", "quantity_x_amount", "has_number",
    "kind_rule", "kind_report", "kind_publicity", "untagged",
    "region_named", "region_match", "region_conflict", "year_named", "year_match", "year_conflict",
    "scheme_named", "scheme_match", "scheme_conflict",
    "topic_uncovered", "clause_len_log", "n_sentences_log", "query_len_log", "query_oov",
    "missing_idf_max", "missing_idf_share", "query_word_oov", "institution_unasked",
    "condition_unasked", "condition_asked_met", "grade_named_met",
    "wv_cos", "wv_gap", "wv_rank_log", "wv_sentence", "synonym_missing_share",
)
ANSWER_FEATURE_NAMES: tuple[str, ...] = (
    "top1_score", "top2_score", "margin", "top1_bigram_cover", "top1_bigram_cover_sentence",
    "top1_coverage", "top1_supported", "top1_proximity", "top1_dense_cos", "top1_kind_report",
    "top1_region_conflict", "topic_uncovered", "query_oov", "query_len_log", "top3_spread",
    "quantity_x_amount", "question_prior", "top1_missing_idf_max", "top1_missing_idf_share", "query_word_oov",
    "top1_wv_cos", "top1_wv_sentence", "top1_synonym_missing",
)


def char_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters/digits/letters (punctuation and spaces break pairs)."""
    out = []
    prev = ""
    for ch in text:
        if _CJK_OR_ALNUM.match(ch):
            if prev:
                out.append(prev + ch)
            prev = ch
        else:
            prev = ""
    return out


@lru_cache(maxsize=1)
def _stop_chars() -> frozenset[str]:
    """Characters of question/function words (怎么, 多少, 吗…): bigrams made only of them are the
    form of a question, not its topic."""
    return frozenset("".join(w for w in stopwords() if len(w) <= 3))


def query_bigrams(text: str) -> list[str]:
    stop = _stop_chars()
    return list(dict.fromkeys(b for b in char_bigrams(text) if not (b[0] in stop and b[1] in stop)))


@dataclass
class ClauseBigrams:
    """A clause's bigram sets, built once per clause (the body, each sentence, the heading)."""

    body: frozenset[str]
    sentences: tuple[frozenset[str], ...]
    heading: frozenset[str]

    @classmethod
    def of(cls, clause: Clause) -> ClauseBigrams:
        body = normalize_text(clause.text)
        return cls(
            frozenset(char_bigrams(body)),
            tuple(frozenset(char_bigrams(s)) for s in sentences(body)) or (frozenset(),),
            frozenset(char_bigrams(normalize_text(" ".join(clause.heading_path)))),
        )


def build_bigram_index(clauses: Sequence[Clause]) -> BM25Index:
    return BM25Index.build([char_bigrams(normalize_text(c.index_text)) or ["∅"] for c in clauses])


@dataclass
class Candidates:
    """One question's candidate clauses with their feature rows, best hybrid rank first."""

    query: str
    indices: list[int]
    matrix: np.ndarray  # len(indices) × len(FEATURE_NAMES)
    topic: str | None = None  # a must-cover topic the question names that no candidate covers


def _top(scores: np.ndarray, eligible: np.ndarray, depth: int) -> list[int]:
    idx = np.flatnonzero(eligible & (scores > 0))
    return [int(i) for i in idx[np.argsort(-scores[idx], kind="stable")][:depth]]


def scheme_named(text: str) -> set[str]:
    return {s for s, words in _SCHEME_WORDS.items() if any(w in text for w in words)}


def institutions(text: str) -> set[str]:
    """Names of specific institutions a text mentions (not generic ones: 定点医院, 三级医院, 乡镇卫生院)."""
    out = set()
    for m in _INSTITUTION.finditer(text):
        name = m.group(1)
        if not _GENERIC_INSTITUTION.match(name) and len(name) >= 2:
            out.add(name + m.group(2))
    return out


def _log_rank(rank: int) -> float:
    return math.log1p(rank) if rank > 0 else math.log1p(200)


def candidate_features(searcher, query: str, filters: SearchFilters | None = None) -> Candidates:
    """The candidates of one question and their features (see FEATURE_NAMES), from `searcher`'s
    retrieval signals (`HybridSearcher.signals`)."""
    sig = searcher.signals(query, filters)
    eligible = sig.eligible
    fused, lexical, sims, bigram = sig.fused, sig.lexical, sig.sims, sig.bigram
    clause_vectors = searcher.clause_vectors
    read = clause_vectors.read(sig.plan.text)
    wv = clause_vectors.scores(read)
    order: list[int] = []
    for lst in (_top(fused, eligible, HYBRID_DEPTH), _top(bigram, eligible, BIGRAM_DEPTH),
                _top(sims, eligible, DENSE_DEPTH) if sims is not None else [],
                _top(wv, eligible, WORDVEC_DEPTH)):
        for i in lst:
            if i not in order:
                order.append(i)
    text = sig.plan.text
    n_feat = len(FEATURE_NAMES)
    if not order:
        return Candidates(query, [], np.zeros((0, n_feat), dtype=np.float32))
    fused_rank = ranks(fused, eligible)
    lex_rank = ranks(lexical, eligible)
    bg_rank = ranks(bigram, eligible)
    dense_rank = ranks(sims, eligible) if sims is not None else None
    max_fused = float(fused[order].max()) or 1.0
    max_lex = float(lexical[order].max()) or 1.0
    max_bg = float(bigram[order].max()) or 1.0
    max_cos = float(sims[order].max()) if sims is not None else 0.0
    wv_rank = ranks(wv, eligible)
    max_wv = float(wv[order].max())
    qbg = query_bigrams(text)
    nq = max(len(qbg), 1)
    oov = sum(1 for b in qbg if not searcher.bigram_index.has(b)) / nq
    cs = concepts(sig.plan.terms, sig.plan.groups, searcher._idf)
    quantity = asks_amount(text)
    places = named_places(text)
    years = named_years(text)
    schemes = scheme_named(text)
    topics = [t for t in load_topics() if t in text]
    if topics:
        topics = named_topics(text, topics, token_bounds(text))
    coverage = searcher.coverage_vector(sig.plan, sig.present)
    asked_cases = asked_conditions(text)
    grades = [g for g in _GRADES if g in text]
    # Content words of the question (maximal terms, not question words) and their idf: a salient
    # word the clause lacks is what separates "about something else" from "said differently".
    stop = stopwords()
    words = [c for c in cs if len(c.term) >= 2 and c.term not in stop]
    max_idf = max((searcher._idf(w.term) for w in words), default=1.0) or 1.0
    word_oov = sum(1 for w in words if not searcher.body.has(w.term)) / max(len(words), 1)
    total_w = sum(w.weight for w in words) or 1.0
    rows = np.zeros((len(order), n_feat), dtype=np.float32)
    uncovered_topic = None
    for r, i in enumerate(order):
        clause = searcher.clauses[i]
        view: ClauseView = searcher._view(i)
        bgs = searcher.clause_bigrams(i)
        f = clause_features(cs, view)
        in_body = sum(1 for b in qbg if b in bgs.body or b in bgs.heading) / nq
        in_sent = max(sum(1 for b in qbg if b in s or b in bgs.heading) for s in bgs.sentences) / nq
        in_head = sum(1 for b in qbg if b in bgs.heading) / nq
        region_match = region_conflict = 0.0
        if places:
            regions = [clause.region] if clause.region else []
            if any(related_place(p, r_) for p in places for r_ in regions):
                region_match = 1.0
            elif regions:
                region_conflict = 1.0
        year_match = year_conflict = 0.0
        if years and clause.year:
            year_match = float(clause.year in years)
            year_conflict = 1.0 - year_match
        clause_schemes = set(clause.schemes or ([clause.scheme] if clause.scheme else []))
        scheme_match = float(bool(schemes & clause_schemes))
        scheme_conflict = float(bool(schemes) and bool(clause_schemes) and not schemes & clause_schemes)
        # the special cases the clause's figures are stated under (its first three sentences)
        framed_cases = set().union(*(framed_conditions(x) for x in view.sentences[:3])) if view.sentences else set()
        condition_unasked = float(bool(framed_cases - asked_cases)) if framed_cases else 0.0
        condition_met = float(bool(framed_cases & asked_cases))
        grade_met = float(bool(grades) and any(g in view.body for g in grades))
        named_here = institutions(view.body[:200])
        institution_unasked = float(bool(named_here) and not any(n[:2] in text for n in named_here))
        missing = [w for w in words if not any(m in view.body or m in view.heading for m in w.members)]
        missing_max = max((searcher._idf(w.term) for w in missing), default=0.0) / max_idf
        missing_share = sum(w.weight for w in missing) / total_w
        # the same, where a general synonym (词林) of the word stands in the clause instead
        still_missing = [w for w in missing if not any(
            syn in view.body for m in w.members for syn in clause_vectors.synonyms(m) if len(syn) >= 2)]
        synonym_missing = sum(w.weight for w in still_missing) / total_w
        topic_unc = 0.0
        if topics:
            topic_unc = float(not any(t in view.heading or t in view.body for t in topics))
        rows[r] = (
            _log_rank(int(fused_rank[i])), float(fused[i]) / max_fused,
            float(lexical[i]) / max_lex, _log_rank(int(lex_rank[i])),
            float(bigram[i]) / max_bg, _log_rank(int(bg_rank[i])), float(bigram[i]) / nq,
            float(sims[i]) if sims is not None else 0.0,
            (max_cos - float(sims[i])) if sims is not None else 1.0,
            _log_rank(int(dense_rank[i])) if dense_rank is not None else _log_rank(0),
            float(coverage[i]), in_body, in_sent, in_head,
            f.proximity, f.supported, f.heading,
            float(quantity), float(f.states_amount), float(quantity and f.states_amount),
            float(bool(_NUMBER.search(view.body))),
            float(clause.kind == "rule"), float(clause.kind == "report"), float(clause.kind == "publicity"),
            float(clause.region is None and clause.year is None),
            float(bool(places)), region_match, region_conflict, float(bool(years)), year_match, year_conflict,
            float(bool(schemes)), scheme_match, scheme_conflict,
            topic_unc, math.log1p(len(view.body)), math.log1p(len(view.sentences)),
            math.log1p(len(text)), oov, missing_max, missing_share, word_oov, institution_unasked,
            condition_unasked, condition_met, grade_met,
            float(wv[i]), max_wv - float(wv[i]), _log_rank(int(wv_rank[i])),
            clause_vectors.best_sentence(read, i), synonym_missing,
        )
    if topics and all(rows[r, FEATURE_NAMES.index("topic_uncovered")] for r in range(len(order))):
        uncovered_topic = topics[0]
    return Candidates(query, order, rows, topic=uncovered_topic)


def answer_features(cands: Candidates, scores: np.ndarray, prior: float = 0.5) -> np.ndarray:
    """One row per question for the answerability model: the ranker's scores of the best
    candidates and how well the best one covers the question."""
    col = {n: k for k, n in enumerate(FEATURE_NAMES)}
    if len(scores) == 0:
        row = np.zeros(len(ANSWER_FEATURE_NAMES), dtype=np.float32)
        row[0] = row[1] = -10.0
        row[ANSWER_FEATURE_NAMES.index("question_prior")] = prior
        return row
    order = np.argsort(-scores, kind="stable")
    top = cands.matrix[order[0]]
    s1 = float(scores[order[0]])
    s2 = float(scores[order[1]]) if len(order) > 1 else s1 - 5.0
    s3 = float(scores[order[2]]) if len(order) > 2 else s2 - 5.0
    return np.array([
        s1, s2, s1 - s2, top[col["bigram_cover"]], top[col["bigram_cover_sentence"]],
        top[col["coverage"]], top[col["supported"]], top[col["proximity"]], top[col["dense_cos"]],
        top[col["kind_report"]], top[col["region_conflict"]], float(cands.topic is not None),
        top[col["query_oov"]], top[col["query_len_log"]], s1 - s3, top[col["quantity_x_amount"]],
        prior, top[col["missing_idf_max"]], top[col["missing_idf_share"]], top[col["query_word_oov"]],
        top[col["wv_cos"]], top[col["wv_sentence"]], top[col["synonym_missing_share"]],
    ], dtype=np.float32)
