"""Features of (question, clause) candidates, explainable one by one, for the learned ranker and the
answerability model.

Every feature describes the *relation* between a question and a clause (scores, ranks, shares of
the question found, region/year agreement, clause kind), never the clause's identity, so a model
trained on these generalises to documents added later without annotations (checked by
leave-one-document-out, `learned.evaluate`).

Candidates come from three retrievers, because each misses a class of questions the others find:
the word-level hybrid (BM25 + dense, with synonyms), a character-bigram BM25 (robust to unseen
phrasing, typos and segmentation: measured above the tuned hybrid on paraphrases), the dense
side alone, the general word vectors, and the question's learned word translations
(`learned.translation`: clauses that share no word with the question).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.learned.translation import TranslationScores
from knowledge_base.learned.translation import score as translation_scores
from knowledge_base.search.fusion import ranks_at, top_order
from knowledge_base.search.conditions import asked as asked_conditions
from knowledge_base.models import Clause, SearchFilters
from knowledge_base.normalize import normalize_text
from knowledge_base.search.rerank import ClauseFeatures, ClauseView, asks_amount, concepts, load_topics, named_topics
from knowledge_base.search.scope import named_places, named_years, places, related_place
from knowledge_base.search.tokenize import stopwords, token_bounds

# Grades a question may name (hospital level, contribution tier): a clause stating the named one
# is a closer answer than one stating others.
_GRADES = ("一级", "二级", "三级", "一档", "二档")
# How many candidates each retriever contributes (union, first-seen order).
HYBRID_DEPTH = 24
BIGRAM_DEPTH = 16
DENSE_DEPTH = 12
WORDVEC_DEPTH = 12
TRANSLATION_DEPTH = 24  # dev: 12 → 22 more gold clauses in the pool, 24 → 41 (of 120 missing)
ELSEWHERE_DEPTH = 12  # other regions' clauses read for `missing_held_elsewhere` (per channel)

_NUMBER = re.compile(r"\d")
# A named institution ("重庆新兴医院", "XX县人民医院"): a clause about one hospital's terms (its
# advertisement, its report) is a narrower case than a question that names none.
_INSTITUTION = re.compile(r"([\u4e00-\u9fff]{2,10}?)(医院|卫生院|药店|药房)")
_GENERIC_INSTITUTION = re.compile(r"^(?:.*?)(一级|二级|三级|定点|乡镇|县级|市级|省级|各级|公立|民营|基层|医疗|协议|本|该|我|各|所在|上级|下级|综合|专科|社区|村)$")
CJK_OR_ALNUM = r"[\u4e00-\u9fff0-9a-zA-Z%]"  # what character bigrams are made of
_CJK_OR_ALNUM_RUN = re.compile(CJK_OR_ALNUM + "{2,}")  # runs that hold a pair
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
    "tr_rel", "tr_rank_log", "tr_likelihood", "tr_sentence", "missing_held_elsewhere",
)
ANSWER_FEATURE_NAMES: tuple[str, ...] = (
    "top1_score", "top2_score", "margin", "top1_bigram_cover", "top1_bigram_cover_sentence",
    "top1_coverage", "top1_supported", "top1_proximity", "top1_dense_cos", "top1_kind_report",
    "top1_region_conflict", "topic_uncovered", "query_oov", "query_len_log", "top3_spread",
    "quantity_x_amount", "question_prior", "top1_missing_idf_max", "top1_missing_idf_share", "query_word_oov",
    "top1_wv_cos", "top1_wv_sentence", "top1_synonym_missing", "top1_missing_held_elsewhere",
)


def char_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters/digits/letters (punctuation and spaces break pairs)."""
    return [run[k:k + 2] for run in _CJK_OR_ALNUM_RUN.findall(text) for k in range(len(run) - 1)]


@lru_cache(maxsize=1)
def _stop_chars() -> frozenset[str]:
    """Characters of question/function words (怎么, 多少, 吗…): bigrams made only of them are the
    form of a question, not its topic."""
    return frozenset("".join(w for w in stopwords() if len(w) <= 3))


def query_bigrams(text: str) -> list[str]:
    stop = _stop_chars()
    return list(dict.fromkeys(b for b in char_bigrams(text) if not (b[0] in stop and b[1] in stop)))


def without_places(text: str) -> str:
    """The question with the places it names blanked out. A place is matched against the clause's
    region by the region columns (`_region`), not as text the clause should hold: a 重庆 rule rarely
    writes 重庆 in its own sentence, and read as a missing word the place made the judge refuse the
    question that names it ("重庆普通门诊余额能结转吗" refused, "普通门诊余额能结转吗" answered)."""
    spans = places().find(text)
    if not spans:
        return text
    chars = list(text)
    for start, end, _ in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def is_place(term: str) -> bool:
    """The whole term is a place name (岳池县, 重庆): see `without_places`."""
    return any(start == 0 and end == len(term) for start, end, _ in places().find(term))


@dataclass
class ClauseBigrams:
    """A clause's bigram sets, built once per clause (the body, each sentence, the heading), and
    the unions the coverage features test (a bigram counts in the body or sentence when the
    heading holds it)."""

    body: frozenset[str]
    sentences: tuple[frozenset[str], ...]
    heading: frozenset[str]
    body_or_heading: frozenset[str] = field(init=False)
    sentences_or_heading: tuple[frozenset[str], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.body_or_heading = self.body | self.heading
        self.sentences_or_heading = tuple(s | self.heading for s in self.sentences)

    @classmethod
    def of(cls, clause: Clause) -> ClauseBigrams:
        return cls.of_view(ClauseView.of(" ".join(clause.heading_path), clause.text))

    @classmethod
    def of_view(cls, view: ClauseView) -> ClauseBigrams:
        """From the clause's normalised view (`rerank.ClauseView`: the same normalised body,
        sentences and heading path), so a clause is normalised once for every feature."""
        return cls(
            frozenset(char_bigrams(view.body)),
            tuple(frozenset(char_bigrams(s)) for s in view.sentences) or (frozenset(),),  # the view's split of its body
            frozenset(char_bigrams(view.heading)),
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
    return [int(i) for i in top_order(scores, eligible, depth)]


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


# -- the feature columns ----------------------------------------------------------------------
# Each function below computes one or more columns of FEATURE_NAMES for all of a question's
# candidates at once (`Pool`), and registers itself with `@columns(...)`: a new feature is a name
# in FEATURE_NAMES and one such function. Arrays are float64 (as the per-clause Python floats
# were) and become float32 only in the matrix, so every value is the float it always was.

ColumnValues = Sequence["np.ndarray | float"]
_COLUMNS: list[tuple[tuple[str, ...], Callable[["Pool"], ColumnValues]]] = []


def columns(*names: str) -> Callable[[Callable[["Pool"], ColumnValues]], Callable[["Pool"], ColumnValues]]:
    """Register a function returning the columns `names` (an array over the candidates, or one
    value for all of them), in that order."""
    def register(fn: Callable[[Pool], ColumnValues]) -> Callable[[Pool], ColumnValues]:
        _COLUMNS.append((names, fn))
        return fn
    return register


@dataclass
class _Word:
    """A content word of the question with what the missing-word features test per clause."""

    term: str
    members: tuple[str, ...]
    weight: float
    idf: float
    # general synonyms (词林) of its members, two characters or longer, that a candidate's body may hold
    synonyms: tuple[str, ...]


class Pool:
    """One question's candidates (clause positions `idx`, their `facts` from the searcher's
    `ClauseTable`) and what the column functions share about the question, each computed once."""

    def __init__(self, searcher, sig, order: list[int], read, wv: np.ndarray, tr: TranslationScores) -> None:
        self.searcher = searcher
        self.tr = tr
        self.sig = sig
        self.idx = np.asarray(order, dtype=np.int64)
        self.table = searcher.learned_table
        self.facts = self.table.prepare(order)
        self.clauses = [searcher.clauses[i] for i in order]
        self.text: str = sig.plan.text
        self.read = read
        self.wv = wv
        qbg = query_bigrams(without_places(self.text))
        self.qbg = qbg
        self.qset = frozenset(qbg)
        self.nq = max(len(qbg), 1)
        self.concepts = concepts(sig.plan.terms, sig.plan.groups, searcher._idf)
        self.quantity = asks_amount(self.text)
        topics = [t for t in load_topics() if t in self.text]  # cheap pre-filter, then the word check
        self.topics = named_topics(self.text, topics, token_bounds(self.text)) if topics else topics
        self._concept_features: list[ClauseFeatures] | None = None
        # Other regions' best clauses for the words, when the question's region narrowed the pool
        # (set by `candidate_features`): what `missing_held_elsewhere` compares against.
        self.outside: Pool | None = None
        self._missing: tuple[np.ndarray, ...] | None = None

    def ranks_log(self, scores: np.ndarray) -> np.ndarray:
        """log1p of each candidate's rank among the eligible clauses (RANK_ABSENT when unranked)."""
        return self.table.log_rank[ranks_at(scores, self.sig.eligible, self.idx)]

    def values(self, scores: np.ndarray) -> np.ndarray:
        return scores[self.idx].astype(np.float64)

    def concept_features(self) -> list[ClauseFeatures]:
        """`rerank.clause_features` of the question's concepts per candidate (the searcher keeps
        them for the question: `_rerank` computed most already)."""
        if self._concept_features is None:
            order = [int(i) for i in self.idx]
            known = self.searcher.concept_features(self.concepts, order)
            self._concept_features = [known[i] for i in order]
        return self._concept_features


@columns("hybrid_rank_log", "hybrid_rel", "lexical_rel", "lexical_rank_log")
def _hybrid(p: Pool) -> ColumnValues:
    fused, lexical = p.values(p.sig.fused), p.values(p.sig.lexical)
    return (p.ranks_log(p.sig.fused), fused / (float(fused.max()) or 1.0),
            lexical / (float(lexical.max()) or 1.0), p.ranks_log(p.sig.lexical))


@columns("bigram_rel", "bigram_rank_log", "bigram_norm")
def _bigram_retrieval(p: Pool) -> ColumnValues:
    bigram = p.values(p.sig.bigram)
    return bigram / (float(bigram.max()) or 1.0), p.ranks_log(p.sig.bigram), bigram / p.nq


@columns("dense_cos", "dense_gap", "dense_rank_log")
def _dense(p: Pool) -> ColumnValues:
    if p.sig.sims is None:
        return 0.0, 1.0, _log_rank(0)
    sims = p.values(p.sig.sims)
    return sims, float(p.sig.sims[p.idx].max()) - sims, p.ranks_log(p.sig.sims)


@columns("coverage")
def _coverage(p: Pool) -> ColumnValues:
    return (p.values(p.searcher.coverage_vector(p.sig.plan, p.sig.present)),)


@columns("bigram_cover", "bigram_cover_sentence", "bigram_cover_heading")
def _bigram_cover(p: Pool) -> ColumnValues:
    """Shares of the question's bigrams in the body (or heading), in the best sentence (or
    heading), in the heading."""
    q, nq = p.qset, p.nq
    body, sentence, heading = [], [], []
    for f in p.facts:
        hit = q & f.bigrams.body_or_heading  # a sentence holds only bigrams of the body
        in_head = len(hit & f.bigrams.heading)
        body.append(len(hit) / nq)
        heading.append(in_head / nq)
        # every sentence counts the heading's; only a bigram of the body alone can make one count more
        best = max(len(hit & s) for s in f.bigrams.sentences_or_heading) if len(hit) > in_head else in_head
        sentence.append(best / nq)
    return np.array(body), np.array(sentence), np.array(heading)


@columns("proximity", "supported", "heading_share", "quantity", "states_amount", "quantity_x_amount")
def _concepts(p: Pool) -> ColumnValues:
    feats = p.concept_features()
    amount = np.array([float(f.states_amount) for f in feats])
    return (np.array([f.proximity for f in feats]), np.array([f.supported for f in feats]),
            np.array([f.heading for f in feats]), float(p.quantity), amount, amount if p.quantity else 0.0)


@columns("has_number", "kind_rule", "kind_report", "kind_publicity", "untagged", "clause_len_log", "n_sentences_log")
def _clause_only(p: Pool) -> ColumnValues:
    t, idx = p.table, p.idx
    return (np.array([float(f.has_number) for f in p.facts]), t.kind_rule[idx], t.kind_report[idx],
            t.kind_publicity[idx], t.untagged[idx], np.array([f.length_log for f in p.facts]),
            np.array([f.sentences_log for f in p.facts]))


@columns("region_named", "region_match", "region_conflict")
def _region(p: Pool) -> ColumnValues:
    """The clause's region is a place the question names (or encloses/lies in one), or another."""
    places = named_places(p.text)
    if not places:
        return 0.0, 0.0, 0.0
    by_region: dict[str, bool] = {}
    match, conflict = np.zeros(len(p.idx)), np.zeros(len(p.idx))
    for r, clause in enumerate(p.clauses):
        if not clause.region:
            continue
        related = by_region.get(clause.region)
        if related is None:
            related = by_region[clause.region] = any(related_place(pl, clause.region) for pl in places)
        if related:
            match[r] = 1.0
        else:
            conflict[r] = 1.0
    return 1.0, match, conflict


@columns("year_named", "year_match", "year_conflict")
def _year(p: Pool) -> ColumnValues:
    years = named_years(p.text)
    if not years:
        return 0.0, 0.0, 0.0
    clause_years = p.table.years[p.idx]
    dated = clause_years != 0
    match = dated & np.isin(clause_years, years)
    return 1.0, match.astype(np.float64), (dated & ~match).astype(np.float64)


@columns("scheme_named", "scheme_match", "scheme_conflict")
def _scheme(p: Pool) -> ColumnValues:
    schemes = scheme_named(p.text)
    if not schemes:
        return 0.0, 0.0, 0.0
    mine = [p.table.schemes[i] for i in p.idx]
    return (1.0, np.array([float(bool(schemes & s)) for s in mine]),
            np.array([float(bool(s) and not schemes & s) for s in mine]))


@columns("topic_uncovered")
def _topic(p: Pool) -> ColumnValues:
    """A must-cover topic the question names (`resources/foreign_topics.yaml`) the clause lacks."""
    topics = p.topics
    if not topics:
        return (0.0,)
    return (np.array([float(not any(t in f.view.heading or t in f.view.body for t in topics)) for f in p.facts]),)


@columns("query_len_log", "query_oov")
def _query(p: Pool) -> ColumnValues:
    oov = sum(1 for b in p.qbg if not p.searcher.bigram_index.has(b)) / p.nq
    return math.log1p(len(p.text)), oov


@columns("missing_idf_max", "missing_idf_share", "query_word_oov", "synonym_missing_share")
def _missing_words(p: Pool) -> ColumnValues:
    if p._missing is None:
        p._missing = _missing_words_of(p)
    return p._missing


def _missing_words_of(p: Pool) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Content words of the question (maximal terms, not question words) the clause lacks: a
    salient word missing is what separates "about something else" from "said differently";
    the same again where a general synonym (词林) of the word stands in the clause instead."""
    searcher = p.searcher
    stop = stopwords()
    kept = [k for k, c in enumerate(p.concepts) if len(c.term) >= 2 and c.term not in stop and not is_place(c.term)]
    vectors, may_be_said = searcher.clause_vectors, p.table.may_be_in_a_body
    words = [_Word(c.term, c.members, c.weight, searcher._idf(c.term),
                   tuple(syn for m in c.members for syn in vectors.synonyms(m) if len(syn) >= 2 and may_be_said(syn)))
             for c in (p.concepts[k] for k in kept)]
    max_idf = max((w.idf for w in words), default=1.0) or 1.0
    word_oov = sum(1 for w in words if not searcher.body.has(w.term)) / max(len(words), 1)
    total_w = sum(w.weight for w in words) or 1.0
    n = len(p.idx)
    missing_max, missing_share, synonym_missing = np.zeros(n), np.zeros(n), np.zeros(n)
    # a word is missing where neither the heading nor the body holds one of its members: the
    # concept features have read exactly that (`ClauseFeatures.held`, bit k for concept k)
    for r, (f, cf) in enumerate(zip(p.facts, p.concept_features(), strict=True)):
        held = cf.held
        missing = [w for w, k in zip(words, kept, strict=True) if not held >> k & 1]
        if not missing:
            continue
        body = f.view.body
        missing_max[r] = max(w.idf for w in missing) / max_idf
        missing_share[r] = sum(w.weight for w in missing) / total_w
        synonym_missing[r] = sum(w.weight for w in missing if not any(s in body for s in w.synonyms)) / total_w
    return missing_max, missing_share, word_oov, synonym_missing


@columns("missing_held_elsewhere")
def _elsewhere(p: Pool) -> ColumnValues:
    """The share of the question's words a candidate lacks that another region's clause holds:
    "岳池县生孩子能报吗" searched among 岳池's clauses finds none with 生孩子 while 重庆's 住院分娩 rule
    has it — the topic is held only elsewhere, and the named region's rules do not answer it. 0 when
    the question named no region (every region is in the pool)."""
    if p.outside is None or not len(p.outside.idx):
        return (0.0,)
    here = np.asarray(_missing_words(p)[1], dtype=np.float64)
    there = float(np.min(_missing_words(p.outside)[1]))
    return (np.clip(here - there, 0.0, None),)


@columns("institution_unasked")
def _institution(p: Pool) -> ColumnValues:
    """The clause is about a named institution (its advertisement, its report) the question does
    not name."""
    text = p.text
    return (np.array([float(bool(f.institutions) and not any(n[:2] in text for n in f.institutions))
                      for f in p.facts]),)


@columns("condition_unasked", "condition_asked_met", "grade_named_met")
def _conditions(p: Pool) -> ColumnValues:
    """Special cases the clause's figures are stated under (its first three sentences) that the
    question does not / does name; a grade (level, tier) the question names stated there."""
    asked = asked_conditions(p.text)
    grades = [g for g in _GRADES if g in p.text]
    unasked = np.array([float(bool(f.framed - asked)) if f.framed else 0.0 for f in p.facts])
    met = np.array([float(bool(f.framed & asked)) for f in p.facts])
    grade = np.array([float(any(g in f.view.body for g in grades)) for f in p.facts]) if grades else 0.0
    return unasked, met, grade


@columns("wv_cos", "wv_gap", "wv_rank_log", "wv_sentence")
def _word_vectors(p: Pool) -> ColumnValues:
    wv = p.values(p.wv)
    best = p.searcher.clause_vectors
    return (wv, float(p.wv[p.idx].max()) - wv, p.ranks_log(p.wv),
            np.array([best.best_sentence(p.read, int(i)) for i in p.idx]))


@columns("tr_rel", "tr_rank_log", "tr_likelihood", "tr_sentence")
def _translation(p: Pool) -> ColumnValues:
    """The learned word translations (`learned.translation`): the translations' BM25 score
    (relative to the best candidate's) and rank, and the translation likelihood of the clause and
    of its best sentence."""
    channel = p.values(p.tr.channel)
    sentence = p.tr.best_sentences([(f.view.sentences, f.view.body) for f in p.facts]) if p.tr.words else 0.0
    return (channel / (float(channel.max()) or 1.0), p.ranks_log(p.tr.channel), p.values(p.tr.likelihood), sentence)


def _check_columns() -> None:
    """Every feature has exactly one column function (checked at import)."""
    named = [n for names, _ in _COLUMNS for n in names]
    if sorted(named) != sorted(FEATURE_NAMES):
        raise RuntimeError(f"feature columns {sorted(named)} do not match FEATURE_NAMES {sorted(FEATURE_NAMES)}")


def candidate_features(searcher, query: str, filters: SearchFilters | None = None) -> Candidates:
    """The candidates of one question and their features (see FEATURE_NAMES), from `searcher`'s
    retrieval signals (`HybridSearcher.signals`)."""
    sig = searcher.signals(query, filters)
    eligible = sig.eligible
    fused, sims, bigram = sig.fused, sig.sims, sig.bigram
    clause_vectors = searcher.clause_vectors
    read = clause_vectors.read(sig.plan.text)
    wv = clause_vectors.scores(read)
    table = searcher.translation
    tr = translation_scores(table, searcher.body, sig.plan.terms, searcher._idf, len(searcher.clauses))
    order: list[int] = []
    for lst in (_top(fused, eligible, HYBRID_DEPTH), _top(bigram, eligible, BIGRAM_DEPTH),
                _top(sims, eligible, DENSE_DEPTH) if sims is not None else [],
                _top(wv, eligible, WORDVEC_DEPTH),
                _top(tr.channel, eligible, TRANSLATION_DEPTH) if table else []):
        order.extend(lst)
    order = list(dict.fromkeys(order))  # union, first-seen order
    n_feat = len(FEATURE_NAMES)
    if not order:
        return Candidates(query, [], np.zeros((0, n_feat), dtype=np.float32))
    pool = Pool(searcher, sig, order, read, wv, tr)
    if filters is not None and filters.region:
        outside = ~eligible & searcher.learned_table.regional
        elsewhere = list(dict.fromkeys(_top(np.asarray(sig.lexical), outside, ELSEWHERE_DEPTH)
                                       + _top(bigram, outside, ELSEWHERE_DEPTH) + _top(wv, outside, ELSEWHERE_DEPTH // 2)))
        pool.outside = Pool(searcher, sig, elsewhere, read, wv, tr) if elsewhere else None
    rows = np.zeros((len(order), n_feat), dtype=np.float32)
    for names, fn in _COLUMNS:
        for name, value in zip(names, fn(pool), strict=True):
            rows[:, _COLUMN_INDEX[name]] = value
    uncovered_topic = None
    if pool.topics and rows[:, _COLUMN_INDEX["topic_uncovered"]].all():
        uncovered_topic = pool.topics[0]
    return Candidates(query, order, rows, topic=uncovered_topic)


_COLUMN_INDEX = {name: k for k, name in enumerate(FEATURE_NAMES)}
_check_columns()


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
        top[col["missing_held_elsewhere"]],
    ], dtype=np.float32)
