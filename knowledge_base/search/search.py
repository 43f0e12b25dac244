"""Hybrid clause search: analysed query → weighted BM25 (body + heading boost) and dense cosine →
weighted reciprocal-rank fusion → filters → "no basis" decision.

The no-basis decision does not use the fused score (RRF is rank-based, so the best hit of a
nonsense query scores as high as the best hit of a good one). It uses *coverage*: the idf-weighted
share of the query's content terms that the top clause contains (a term counts as present if the
clause has it or one of its synonyms). A question about 牙齿矫正 against a corpus with neither word
covers almost nothing, however well "报销" matches. A second floor asks for the question's
concepts *in context* (`rerank.supported_share`): 公积金 mentioned once in a list of what an office
paid for is present, but not next to anything else the question asks, so 公积金怎么提取 still
finds no basis. Both floors are calibrated on the dev questions and the calibration no-answer
questions; the held-out blocks only report them (see `evaluate.py` and docs/BENCHMARKS.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.index.dense import DenseIndex, Encoder
from knowledge_base.search.fusion import dense_normalized, max_normalized, ranks, rrf, top_order, top_ranks, weighted_sum
from knowledge_base.models import Clause, SearchFilters, SearchHit, SearchResponse
from knowledge_base.normalize import normalize_text
from knowledge_base.lexicon import money_words
from knowledge_base.search.rerank import ClauseFeatures, ClauseView, asks_amount, clause_features, clause_features_many, concepts, load_topics, named_topics, unsupported_topic
from knowledge_base.search.scope import (
    about_care_elsewhere,
    in_territory,
    named_places,
    out_of_scope_region,
    out_of_scope_year,
    place_mentions,
    region_years,
)
from knowledge_base.search.synonyms import SynonymTable, load_synonyms
from knowledge_base.search.tokenize import analyze, token_bounds, unique

MAX_QUERY_CHARS = 200  # a question, not a document; longer input is cut before analysis
MAX_QUERY_TERMS = 48


class EmptyQueryError(ValueError):
    """The query has no text to search for."""

    def __init__(self) -> None:
        super().__init__("查询内容为空:请输入要查询的医保问题,例如“住院起付线是多少”。")


@dataclass(frozen=True)
class RetrievalConfig:
    """Knobs of the retrieval pipeline; the defaults are the measured best (docs/BENCHMARKS.md)."""

    bm25_weight: float = 1.0
    dense_weight: float = 0.5
    synonym_weight: float = 1.0  # with group_max an expansion stands in for the word typed
    heading_boost: float = 0.5
    use_synonyms: bool = True
    fine_tokens: bool = True
    coverage_floor: float = 0.20  # just under the lowest answerable question (docs/BENCHMARKS.md)
    rrf_k: int = 60
    fusion: str = "rrf"  # "rrf" (ranks) or "score" (max-normalised scores, weighted sum)
    # Dense rescue: when no top-5 BM25 clause covers this share of the question's terms, the
    # keywords missed (paraphrase) and the dense ranking gets `rescue_dense_weight` instead
    # (0 = off). Chosen on the dev questions (docs/BENCHMARKS.md).
    rescue_coverage: float = 0.5
    rescue_dense_weight: float = 2.0
    dense_top_n: int = 50  # only the dense side's best N take part in fusion
    coverage_boost: float = 0.5  # fused score × (1 + boost × coverage) for the top candidates
    rerank_depth: int = 30
    region_boost: float = 0.5  # fused score × (1 + boost) for clauses of a region the query names
    group_max: bool = True  # a query term and its synonyms count once (best member), not summed
    concept_coverage: bool = False  # coverage over concepts (maximal terms) instead of all tokens
    proximity_boost: float = 0.25  # × (1 + w × best one-sentence concept share); round 4, measured
    heading_match_boost: float = 0.0  # × (1 + w × share of concepts named in the heading path)
    amount_boost: float = 0.0  # × (1 + w) when a quantity question meets a clause stating one
    rule_boost: float = 0.0  # × (1 + w) for rules / publicity text over reports, quantity questions
    # No basis when no top hit holds this share of the question's concepts in context (see
    # rerank.supported_share); just under the lowest answerable dev question (docs/BENCHMARKS.md).
    supported_floor: float = 0.15
    # No basis when the query names a must-cover topic (resources/foreign_topics.yaml: other
    # insurances and public services, items policies rarely name) that no hit names in context.
    foreign_topics: bool = True
    # Scope checks (scope.py): a named place the library holds nothing for is no basis; a named
    # year newer than every clause of the topic is no basis for a quantity question (the figures
    # found are another year's) and only marked otherwise.
    region_scope: bool = True
    year_scope: bool = True
    # Round 6: a named place is answered only from its territory (scope.in_territory), and a named
    # year is compared with the named region's years, not with whatever the ranking found.
    territory_scope: bool = True
    # Release 18: with a trained judge, the lexical territory gate above yields when the judge's
    # first clause lies in the named territory and the judge is this sure the library answers
    # (p_related). The gate reads words only: 重庆城乡居民封顶是好多 shares no word with the 重庆
    # clause's 累计补偿最高限额, which the judge reads through its dense and translation features.
    # Chosen on dev (docs/BENCHMARKS.md, release 18): of 152 answerable questions the gate refused,
    # 105 pass at 0.99 while 1 of 60 near-domain questions it refused does.
    territory_judge_override: float = 0.99

    def with_(self, **changes) -> RetrievalConfig:
        return replace(self, **changes)


@dataclass
class QueryPlan:
    """What the analyser made of a query: original terms, weighted terms, synonym groups."""

    text: str
    terms: list[str]
    weights: dict[str, float]
    groups: dict[str, list[str]]  # original term -> itself + its expansions
    cover: tuple | None = None  # memo of `HybridSearcher.coverage_vector` for this plan


def plan_query(query: str, config: RetrievalConfig, synonyms: SynonymTable) -> QueryPlan:
    if not query or not query.strip():
        raise EmptyQueryError()
    text = normalize_text(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    if not text:
        raise EmptyQueryError()
    terms = unique(analyze(text, fine=config.fine_tokens, normalized=True))[:MAX_QUERY_TERMS]
    weights = {t: 1.0 for t in terms}
    groups = {t: [t] for t in terms}
    if config.use_synonyms and config.synonym_weight > 0:
        expandable = [t for t in terms if synonyms.expand([t])]
        for term in terms:
            # A sub-word of a compound that has its own expansions is not expanded: 生孩子 means
            # childbirth, so its part 孩子 must not drag in 儿童/学生.
            if any(term != other and term in other for other in expandable):
                continue
            for target in synonyms.expand([term]):
                groups[term].append(target)
                if target not in weights:
                    weights[target] = config.synonym_weight
    return QueryPlan(text=text, terms=terms, weights=weights, groups=groups)


@dataclass
class Ranking:
    indices: list[int]  # clause positions, best first
    scores: list[float]  # fused (RRF) scores
    best_coverage: float  # the no-basis signal
    best_supported: float = 1.0  # best share of the question's concepts found in context
    unsupported_topic: str | None = None  # a must-cover topic the query names that no hit covers
    out_of_scope_region: str | None = None  # a place the query names that no clause is related to
    out_of_scope_year: int | None = None  # a named year newer than every year of the topic's clauses
    quantity: bool = False  # the question asks for an amount (year-bound figures)
    care_elsewhere: bool = False  # about care away from home: a named place may be where care happened
    # a held place the query names whose territory (scope.in_territory) has no returned hit that
    # supports the question (and states an amount, for a quantity question): round 6
    unsupported_region: str | None = None
    named_places: tuple[str, ...] = ()  # the places the query names (scope.named_places)


@dataclass
class Signals:
    """Per-clause scores of one query from every retriever (see `HybridSearcher.signals`)."""

    plan: QueryPlan
    eligible: np.ndarray
    lexical: np.ndarray
    present: dict[str, np.ndarray]
    fused: np.ndarray
    sims: np.ndarray | None
    bigram: np.ndarray


def _matches(value: str | int | None, wanted: str | int | None) -> bool:
    if wanted is None or wanted == "":
        return True
    if value is None:
        return False
    if isinstance(wanted, int) or isinstance(value, int):
        return str(value) == str(wanted)
    return value == wanted or value.startswith(wanted) or wanted.startswith(value)


class HybridSearcher:
    """Searches one fixed list of clauses. Build with `build`, or load via `index_store`."""

    def __init__(
        self,
        clauses: Sequence[Clause],
        body: BM25Index,
        heading: BM25Index,
        dense: DenseIndex | None,
        encoder: Encoder | None,
        config: RetrievalConfig | None = None,
        synonyms: SynonymTable | None = None,
    ) -> None:
        self.clauses = list(clauses)
        self.body = body
        self.heading = heading
        self.dense = dense
        self.encoder = encoder
        self.config = config or RetrievalConfig()
        self.synonyms = synonyms or load_synonyms()
        self._vocab_terms: list[str] | None = None
        self._region_names: dict[str, str] | None = None
        self._region_codes: tuple[dict[str | None, int], np.ndarray] | None = None
        self._eligible_memo: dict[tuple[str | None, int | None, str | None, str | None] | None, np.ndarray] = {}
        self._views: dict[int, ClauseView] = {}
        self._library_regions: set[str] | None = None
        self._idf_cache: dict[str, float] = {}
        self._files_regions: dict[str, set[str]] | None = None
        self._years_memo: dict[tuple[str, ...], list[int]] = {}
        self._bigram_index: BM25Index | None = None
        self._learned_table = None
        self._plan_memo: tuple | None = None  # (query, config, synonyms, QueryPlan): see `_plan`
        self._features_memo: tuple[tuple, dict[int, ClauseFeatures]] | None = None  # see concept_features
        self._clause_vectors = None
        self._query_vec: tuple[str, np.ndarray] | None = None
        self._fused_memo: tuple | None = None  # the last query's retrieval (see _retrieve_and_fuse)
        self.judge = None  # the learned AnswerJudge, attached by KnowledgeBase.open when trained
        self._translation = None  # a word translation table set for training (else the judge's)

    @staticmethod
    def heading_text(clause: Clause) -> str:
        return " ".join(clause.heading_path)

    @classmethod
    def build(
        cls,
        clauses: Sequence[Clause],
        encoder: Encoder | None,
        config: RetrievalConfig | None = None,
    ) -> HybridSearcher:
        from knowledge_base.index.clause_tokens import body_tokens, heading_tokens

        config = config or RetrievalConfig()
        texts = [normalize_text(c.index_text) for c in clauses]
        body = BM25Index.build([body_tokens(c, config.fine_tokens) for c in clauses])
        heading = BM25Index.build([heading_tokens(c, config.fine_tokens) for c in clauses])
        dense = DenseIndex.build(encoder.encode(texts)) if encoder is not None and clauses else None
        return cls(clauses, body, heading, dense, encoder, config)

    # -- scoring -----------------------------------------------------------------------------

    def _lexical(
        self, weights: dict[str, float], groups: dict[str, list[str]] | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Total lexical score and, per term, whether each clause contains it (body or heading).

        With `groups` (query term -> itself + its expansions) a concept counts once per clause:
        the group contributes its best-scoring member, so a clause is not rewarded for saying
        县外, 市外 and 异地 all at once more than one that says the word the user typed."""
        n = len(self.clauses)
        hb = self.config.heading_boost
        per_term: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        for term, w in weights.items():
            body = self.body.term_scores(term)
            head = self.heading.term_scores(term) if hb > 0 else np.zeros(n, dtype=np.float32)
            per_term[term] = w * (body + hb * head)
            present[term] = (body > 0) | (head > 0)
        if not self.config.group_max or groups is None:
            total = np.zeros(n, dtype=np.float64)
            for scores in per_term.values():
                total += scores
            return total, present
        total = np.zeros(n, dtype=np.float64)
        for members in groups.values():
            total += np.max(np.stack([per_term[m] for m in members if m in per_term]), axis=0)
        return total, present

    def _idf(self, term: str) -> float:
        idf = self._idf_cache.get(term)
        if idf is None:
            idf = self.body.idf(term)
            if idf == 0.0:  # unseen in the corpus: maximally specific and certainly not matched
                n = max(len(self.clauses), 1)
                idf = math.log(1 + (n + 0.5) / 0.5)
            if len(self._idf_cache) < 100_000:  # the index is fixed; bound the memo anyway
                self._idf_cache[term] = idf
        return idf

    def coverage(self, plan: QueryPlan, present: dict[str, np.ndarray], doc: int) -> float:
        """idf-weighted share of the query's terms (or their synonyms) found in clause `doc`."""
        return float(self.coverage_vector(plan, present)[doc])

    def coverage_vector(self, plan: QueryPlan, present: dict[str, np.ndarray]) -> np.ndarray:
        """`coverage` for every clause at once (numpy), computed once per query and `present`
        (the rescue test and the reranker both read it: per-clause Python loops were the
        largest cost of a search)."""
        key = (id(present), len(present), len(plan.terms))
        if plan.cover is not None and plan.cover[0] == key:
            return plan.cover[1]
        n = len(self.clauses)
        covered = np.zeros(n, dtype=np.float64)
        total = 0.0
        for term in plan.terms:
            idf = self._idf(term)
            total += idf
            hit = np.zeros(n, dtype=bool)
            for t in plan.groups[term]:
                if present.get(t) is not None:
                    hit |= present[t]
            covered += idf * hit
        vec = covered / total if total else covered
        plan.cover = (key, vec)
        return vec

    def concept_coverage(self, cs, present: dict[str, np.ndarray], doc: int) -> float:
        """Weighted share of the query's concepts (or their synonyms) found in clause `doc`."""
        total = sum(c.weight for c in cs)
        covered = sum(c.weight for c in cs if any(present.get(m) is not None and present[m][doc] for m in c.members))
        return covered / total if total else 0.0

    def _loose_terms(self, plan: QueryPlan) -> dict[str, float]:
        """Second pass: index terms that occur verbatim inside the query text, whatever jieba
        made of the query (typos and unusual compounds segment differently)."""
        if self._vocab_terms is None:
            self._vocab_terms = sorted((t for t in self.body.terms() if len(t) >= 2), key=len, reverse=True)
        found = {t: 0.8 for t in self._vocab_terms if t in plan.text}
        return found

    def regions_named_in(self, text: str) -> set[str]:
        """Clause regions the query names, also without their 省/市/县/区 suffix (岳池 → 岳池县).

        A soft preference, unlike a filter: a question naming a place usually wants that place's
        rule, but the metadata may be missing on the clause that answers it."""
        if self._region_names is None:
            names: dict[str, str] = {}
            for region in {c.region for c in self.clauses if c.region}:
                names[region] = region
                short = region.rstrip("省市县区")
                if len(short) >= 2:
                    names.setdefault(short, region)
            self._region_names = names
        return {region for name, region in self._region_names.items() if name in text}

    def _of_regions(self, regions: set[str]) -> np.ndarray:
        """Whether each clause's region is one of `regions` (a per-clause region code array, built
        once, instead of a Python pass over the library per query)."""
        if self._region_codes is None:
            codes: dict[str | None, int] = {}
            self._region_codes = (codes, np.array([codes.setdefault(c.region, len(codes)) for c in self.clauses],
                                                  dtype=np.int64))
        codes, per_clause = self._region_codes
        wanted = [codes[r] for r in regions if r in codes]
        return np.isin(per_clause, wanted) if wanted else np.zeros(len(per_clause), dtype=bool)

    def eligible(self, filters: SearchFilters | None) -> np.ndarray:
        """The clauses `filters` admit, as a read-only mask: a session asks under the same few filter
        combinations turn after turn, and a Python pass over the whole library per query was a
        visible share of a turn (issue 13), so each combination is computed once per searcher (a
        searcher's clauses never change; a library edit builds a new one)."""
        key = None if filters is None else (filters.region, filters.year, filters.scheme, filters.kind)
        mask = self._eligible_memo.get(key)
        if mask is None:
            if len(self._eligible_memo) >= 256:
                self._eligible_memo.clear()
            mask = self._eligible_mask(filters)
            mask.flags.writeable = False
            self._eligible_memo[key] = mask
        return mask

    def _eligible_mask(self, filters: SearchFilters | None) -> np.ndarray:
        if filters is None:
            return np.ones(len(self.clauses), dtype=bool)
        return np.array(
            [
                any(_matches(r, filters.region) for r in [c.region, *c.region_path])
                and _matches(c.year, filters.year)
                and any(_matches(s, filters.scheme) for s in [c.scheme, *c.schemes])
                and _matches(c.kind, filters.kind)
                for c in self.clauses
            ],
            dtype=bool,
        )

    # -- retrieval signals for the learned ranker (knowledge_base.learned) ---------------------

    @property
    def bigram_index(self) -> BM25Index:
        """Character-bigram BM25 over the clauses, built on first use (milliseconds per thousand
        clauses): the retriever least sensitive to unseen phrasing and segmentation."""
        if self._bigram_index is None:
            from knowledge_base.learned.features import build_bigram_index

            self._bigram_index = build_bigram_index(self.clauses)
        return self._bigram_index

    @property
    def clause_vectors(self):
        """The clauses through general-language word vectors, built on first use (a second or
        two per thousand clauses): the learned ranker's paraphrase features."""
        if self._clause_vectors is None:
            from knowledge_base.learned.word_features import ClauseVectors

            self._clause_vectors = ClauseVectors.build(self.clauses, self._idf)
        return self._clause_vectors

    @property
    def translation(self):
        """The learned word translation table (`learned.translation`) the candidate features use:
        one set on this searcher (training sets each fold's), else the attached judge's."""
        if self._translation is not None:
            return self._translation
        return getattr(self.judge, "translation", None)

    @translation.setter
    def translation(self, table) -> None:
        self._translation = table

    @property
    def learned_table(self):
        """What the learned features read of each clause apart from the question
        (`learned.clause_table.ClauseTable`), kept with this searcher's clauses."""
        if self._learned_table is None:
            from knowledge_base.learned.clause_table import ClauseTable

            self._learned_table = ClauseTable(self.clauses, self._view)
        return self._learned_table

    def warm_up(self) -> None:
        """Build now what a judged search otherwise builds on its first questions: every BM25
        index's posting scores, the bigram index, the word-vector clause table and every clause's
        prepared facts and sentences (`learned_table`). The service calls it before it reports
        ready."""
        for i in range(len(self.clauses)):
            self._view(i)
        self.body.warm()
        self.heading.warm()
        if self.judge is None:
            return
        _ = self.clause_vectors
        self.bigram_index.warm()
        self.learned_table.warm()

    def signals(self, query: str, filters: SearchFilters | None = None) -> Signals:
        """Every retriever's scores for every clause (analyse → retrieve → fuse), before any
        reranking or no-basis judgement: the learned ranker's raw material."""
        from knowledge_base.learned.features import query_bigrams

        plan = self._plan(query)
        n = len(self.clauses)
        eligible = self.eligible(filters)
        if not n or not plan.terms:
            zeros = np.zeros(n)
            return Signals(plan, eligible, zeros, {}, zeros, None, zeros)
        lexical, present, fused = self._retrieve_and_fuse(plan, eligible)
        sims = None
        if self.dense is not None and self.encoder is not None:
            sims = self.dense.scores(self._encode_query(plan.text))
        bigram = self.bigram_index.score({b: 1.0 for b in query_bigrams(plan.text)}) if n else np.zeros(n)
        return Signals(plan, eligible, lexical, present, fused, sims, np.asarray(bigram, dtype=np.float64))

    def _plan(self, query: str) -> QueryPlan:
        """`plan_query` of `query` with this searcher's config and synonyms, analysed once per
        question: a judged search plans the same question in `rank`, `signals` and
        `query_concepts` (normalising, segmenting and expanding it each time). The last question's
        plan is kept (one entry, checked against the config and synonyms objects in use); each
        caller gets its own copy, since callers extend `groups` and memoise into `cover`."""
        cfg, synonyms = self.config, self.synonyms
        memo = self._plan_memo  # one read: another thread may replace it meanwhile
        if memo is None or memo[0] != query or memo[1] is not cfg or memo[2] is not synonyms:
            memo = self._plan_memo = (query, cfg, synonyms, plan_query(query, cfg, synonyms))
        plan = memo[3]
        return QueryPlan(text=plan.text, terms=list(plan.terms), weights=dict(plan.weights),
                         groups={t: list(g) for t, g in plan.groups.items()})

    def query_concepts(self, query: str) -> list:
        """The question's concepts (content words with their synonyms, idf-weighted)."""
        plan = self._plan(query)
        return concepts(plan.terms, plan.groups, self._idf)

    def _retrieve_and_fuse(self, plan: QueryPlan, eligible: np.ndarray) -> tuple[np.ndarray, dict, np.ndarray]:
        """Lexical scores (with the loose second pass when nothing eligible matched), the terms'
        presence per clause, and the fused ranking scores (0 for ineligible clauses).

        The last query's result is kept (one entry): a judged search asks for it twice, in
        `rank` and in `signals`, and each pass is several numpy passes over every clause. The
        caller gets its own copy of the fused scores, which `rank` scales in place."""
        key = (plan.text, eligible.tobytes() if not eligible.all() else len(eligible))
        memo = self._fused_memo  # one read: another thread may replace it meanwhile
        if memo is not None and memo[0] == key:
            _, lexical, present, fused, groups = memo
            plan.groups = dict(groups)
            return lexical, dict(present), fused.copy()
        lexical, present, fused = self._fresh_retrieve_and_fuse(plan, eligible)
        self._fused_memo = (key, lexical, dict(present), fused.copy(), dict(plan.groups))
        return lexical, present, fused

    def _fresh_retrieve_and_fuse(self, plan: QueryPlan, eligible: np.ndarray) -> tuple[np.ndarray, dict, np.ndarray]:
        lexical, present = self._lexical(plan.weights, plan.groups)
        if not (lexical[eligible] > 0).any():
            loose = self._loose_terms(plan)
            if loose:
                lexical, present_loose = self._lexical(loose)
                present.update(present_loose)
                plan.groups = {t: g + list(loose) for t, g in plan.groups.items()}
        fused = self._fuse(plan, present, lexical, eligible)
        fused[~eligible] = 0
        return lexical, present, fused

    def _encode_query(self, text: str) -> np.ndarray:
        """One encoding per query text (fusion and the learned features both need it)."""
        memo = self._query_vec  # one read: another thread may replace it meanwhile
        if memo is None or memo[0] != text:
            memo = self._query_vec = (text, self.encoder.encode([text])[0])
        return memo[1]

    def rank(self, query: str, limit: int = 5, filters: SearchFilters | None = None) -> Ranking:
        """The ranked clause indices, their fused scores and the best coverage among them."""
        cfg = self.config
        plan = self._plan(query)
        limit = max(1, min(int(limit), 100))
        if not self.clauses or not plan.terms:
            return Ranking([], [], 0.0)
        eligible = self.eligible(filters)
        lexical, present, fused = self._retrieve_and_fuse(plan, eligible)
        named = self.regions_named_in(plan.text)
        if named and cfg.region_boost > 0:  # "岳池县…起付线": prefer that region's clauses
            fused[self._of_regions(named)] *= 1.0 + cfg.region_boost
        depth = max(limit, cfg.rerank_depth)
        candidates = np.flatnonzero(fused > 0)
        if len(candidates) > depth:  # only the best `depth` are read: select them, sort those
            values = fused[candidates]
            cut = np.partition(values, len(values) - depth)[len(values) - depth]
            candidates = candidates[values >= cut]  # ties with the last one join; lexsort decides
        order = candidates[np.lexsort((-lexical[candidates], -fused[candidates]))]
        head = order[:depth]
        head, cover, supported = self._rerank(plan, present, lexical, fused, head, limit)
        order = head[:limit]
        best = max((cover[int(i)] for i in order), default=0.0)
        best_supported = max((supported[int(i)] for i in order), default=0.0)
        topic = None
        if cfg.foreign_topics:
            cs = concepts(plan.terms, plan.groups, self._idf)
            named = [t for t in load_topics() if t in plan.text]  # cheap pre-filter, then word check
            if named:
                named = named_topics(plan.text, named, token_bounds(plan.text))
                topic = unsupported_topic(named, cs, [self._view(int(i)) for i in order])
        region = year = unsupported = None
        places = named_places(plan.text) if (cfg.region_scope or cfg.year_scope) else []
        elsewhere = about_care_elsewhere(plan.text)
        quantity = asks_amount(plan.text)
        if cfg.region_scope:
            region = out_of_scope_region(plan.text, self.library_regions())
            if region is None and places and not elsewhere and cfg.territory_scope:
                unsupported = self._unsupported_region(plan, places, order, quantity)
        if cfg.year_scope:
            topic_years = [self.clauses[int(i)].year for i in head] or [c.year for c in self.clauses]
            if places and region is None and cfg.territory_scope:
                topic_years = self._region_years(places) or topic_years  # the named region's years
            year = out_of_scope_year(plan.text, topic_years)
        return Ranking(
            [int(i) for i in order], [float(fused[i]) for i in order], best, best_supported, topic,
            out_of_scope_region=region, out_of_scope_year=year, quantity=quantity,
            care_elsewhere=region is not None and elsewhere, unsupported_region=unsupported,
            named_places=tuple(places),
        )

    def _file_regions(self) -> dict[str, set[str]]:
        """Source file -> the clause regions it holds (for `scope.in_territory`)."""
        if self._files_regions is None:
            out: dict[str, set[str]] = {}
            for c in self.clauses:
                if c.region:
                    for src in c.sources:
                        out.setdefault(src.file, set()).add(c.region)
            self._files_regions = out
        return self._files_regions

    def _in_territory(self, i: int, places: Sequence[str]) -> bool:
        c = self.clauses[i]
        return in_territory(c.region, (s.file for s in c.sources), places, self._file_regions())

    def _unsupported_region(self, plan: QueryPlan, places: list[str], order: np.ndarray, quantity: bool) -> str | None:
        """The first named place when no returned hit of its territory supports the question's
        other concepts in context (and, for a quantity question, states an amount there); None
        when one does. Why: 北京职工医保门诊起付线 must not be answered with 重庆's 起付线 because a
        Beijing hospital's report happens to rank first on the place name."""
        mentions = place_mentions(plan.text)
        cs = [c for c in concepts(plan.terms, plan.groups, self._idf)
              if not any(c.term in m or m in c.term for m in mentions)]
        money = money_words()
        if any(c.term in money for c in cs):  # "多少钱" asks for an amount: a stated sum answers it
            cs, quantity = [c for c in cs if c.term not in money], True
        if not cs:
            return None
        for i in (int(i) for i in order):
            if not self._in_territory(i, places):
                continue
            f = clause_features(cs, self._view(i))
            if f.supported >= self.config.supported_floor and (not quantity or f.states_amount):
                return None
        return places[0]

    def _region_years(self, places: list[str]) -> list[int]:
        """Years of the clauses whose region is related to a named place (memoised per place set)."""
        key = tuple(places)
        if key not in self._years_memo:
            related = [(c.year, c.text) for c in self.clauses
                       if c.region and in_territory(c.region, (), places, {})]
            self._years_memo[key] = region_years(related)
        return self._years_memo[key]

    def library_regions(self) -> set[str]:
        """The regions clauses of the library are about (not their enclosing regions: a county's
        leaflet is no basis for another city of its province; `scope.related_place` walks up)."""
        if self._library_regions is None:
            self._library_regions = {c.region for c in self.clauses if c.region}
        return self._library_regions

    def _fuse(self, plan: QueryPlan, present: dict[str, np.ndarray], lexical: np.ndarray, eligible: np.ndarray) -> np.ndarray:
        """One fused score per clause from the lexical scores and, if present, the dense side."""
        cfg = self.config
        dense_w = cfg.dense_weight
        use_dense = dense_w > 0 and self.dense is not None and self.encoder is not None
        if use_dense and cfg.rescue_coverage > 0:
            top = self._lexical_top(lexical, eligible, 5)
            best = max((self.coverage(plan, present, int(i)) for i in top if lexical[i] > 0), default=0.0)
            if best < cfg.rescue_coverage:
                dense_w = max(dense_w, cfg.rescue_dense_weight)
        sims = self.dense.scores(self._encode_query(plan.text)) if use_dense else None
        if cfg.fusion == "score":
            parts = [(max_normalized(lexical, eligible), cfg.bm25_weight)]
            if sims is not None:
                parts.append((dense_normalized(sims, eligible, cfg.dense_top_n), dense_w))
            return weighted_sum(parts)
        rankings = [(ranks(lexical, eligible), cfg.bm25_weight)]
        if sims is not None:  # only the dense top N take part: rank those, not every clause
            rankings.append((top_ranks(sims, eligible, cfg.dense_top_n), dense_w))
        return rrf(rankings, cfg.rrf_k)

    @staticmethod
    def _lexical_top(lexical: np.ndarray, eligible: np.ndarray, n: int) -> np.ndarray:
        """`argsort(-where(eligible, lexical, 0), stable)[:n]` without sorting the library: the
        best eligible matches, then (when fewer than n) the unscored rest in document order."""
        top = top_order(lexical, eligible, n)
        if len(top) < n:
            rest = np.flatnonzero(~(eligible & (lexical > 0)))[: n - len(top)]
            top = np.concatenate([top, rest])
        return top

    def _rerank(
        self,
        plan: QueryPlan,
        present: dict[str, np.ndarray],
        lexical: np.ndarray,
        fused: np.ndarray,
        head: np.ndarray,
        limit: int,
    ) -> tuple[np.ndarray, dict[int, float], dict[int, float]]:
        """Second stage over the best candidates (scales `fused` in place): coordination — a
        clause covering more of the question's distinct concepts moves up, since fusion alone
        rewards one concept matched many times — plus the optional, measured boosts of
        `rerank.clause_features`. Returns the new order, coverage and in-context share per clause."""
        cfg = self.config
        cs = concepts(plan.terms, plan.groups, self._idf)
        quantity = asks_amount(plan.text)
        features = cfg.proximity_boost or cfg.heading_match_boost or (quantity and cfg.amount_boost)
        cover: dict[int, float] = {}
        feats = self.concept_features(cs, [int(i) for i in head]) if features else {}
        for i in (int(i) for i in head):
            clause = self.clauses[i]
            cover[i] = self.concept_coverage(cs, present, i) if cfg.concept_coverage else self.coverage(plan, present, i)
            boost = cfg.coverage_boost * cover[i]
            if features:
                f = feats[i]
                boost += cfg.proximity_boost * f.proximity + cfg.heading_match_boost * f.heading
                boost += cfg.amount_boost if quantity and f.states_amount else 0.0
            if quantity and clause.kind != "report":
                boost += cfg.rule_boost
            fused[i] *= 1.0 + boost
        head = head[np.lexsort((-lexical[head], -fused[head]))]
        # the in-context share feeds only the no-basis decision, so only the returned hits need it
        returned = [int(i) for i in head[:limit]]
        supported = {i: f.supported for i, f in self.concept_features(cs, returned).items()}
        return head, cover, supported

    def concept_features(self, cs: Sequence, indices: Sequence[int]) -> dict[int, ClauseFeatures]:
        """`rerank.clause_features` of the question's concepts for these clauses, kept for the last
        question: a judged search reads them in `_rerank` and again in the learned features."""
        key = tuple(cs)
        memo = self._features_memo  # one read: another thread may replace it meanwhile
        if memo is None or memo[0] != key:
            memo = self._features_memo = (key, {})
        known = memo[1]
        new = [i for i in dict.fromkeys(indices) if i not in known]
        if new:
            known.update(zip(new, clause_features_many(cs, [self._view(i) for i in new]), strict=True))
        return {i: known[i] for i in indices}

    def _view(self, i: int) -> ClauseView:
        view = self._views.get(i)
        if view is None:
            view = self._views[i] = ClauseView.of(self.heading_text(self.clauses[i]), self.clauses[i].text)
        return view

    def is_no_basis(self, ranking: Ranking) -> bool:
        """No hit, or none that covers enough of the question (in context) to count as a basis."""
        return (
            not ranking.indices
            or ranking.best_coverage < self.config.coverage_floor
            or ranking.best_supported < self.config.supported_floor
            or ranking.unsupported_topic is not None
            or self.out_of_scope(ranking)
        )

    def out_of_scope(self, ranking: Ranking) -> bool:
        """The exact scope rules: a named place or year the library does not hold (see scope.py)."""
        return (
            (ranking.out_of_scope_region is not None and not ranking.care_elsewhere)
            or (ranking.out_of_scope_year is not None and ranking.quantity)
            or ranking.unsupported_region is not None
        )

    def search(self, query: str, top_k: int = 5, filters: SearchFilters | None = None) -> SearchResponse:
        """Top-k hits, or no hits and `no_basis=True` when there is no basis.

        With a trained answer judge (`self.judge`, knowledge_base.learned) the learned ranker orders
        the candidates of every retriever and the learned answerability decides answer / related /
        none; the exact scope rules (places and years the library does not hold) still refuse.
        Without one, the hand-set floors of `is_no_basis` decide."""
        ranking = self.rank(query, top_k, filters)
        scope = {
            "out_of_scope_region": ranking.out_of_scope_region or ranking.unsupported_region,
            "out_of_scope_year": ranking.out_of_scope_year,
        }
        if self.judge is not None:
            return self._judged(query, top_k, filters, ranking, scope)
        if self.is_no_basis(ranking):
            return SearchResponse(results=[], no_basis=True, **scope)
        hits = [self._hit(i, s) for i, s in zip(ranking.indices, ranking.scores, strict=True)]
        return SearchResponse(results=hits, no_basis=False, **scope)

    def _judged(self, query: str, top_k: int, filters: SearchFilters | None, ranking: Ranking,
                scope: dict) -> SearchResponse:
        from knowledge_base.learned.features import candidate_features
        from knowledge_base.learned.sentences import SentenceQuestion

        judgement = self.judge.judge(candidate_features(self, query, filters))
        judgement.order, judgement.scores = self._rules_before_publicity(query, judgement.order, judgement.scores)
        judgement.order, judgement.scores = self._base_rule_first(query, judgement.order, judgement.scores)
        if ranking.unsupported_region is not None and self._judge_holds_territory(ranking, judgement):
            ranking = replace(ranking, unsupported_region=None)
            scope = {**scope, "out_of_scope_region": ranking.out_of_scope_region}
        decision = "none" if self.out_of_scope(ranking) else judgement.decision
        dependent = None
        if not self.out_of_scope(ranking) and not (filters and filters.region):
            dependent = self.judge.region_dependent(self.clauses, judgement)
        if decision == "none" and dependent:
            # No region named and the answer is region by region (learned.region_dependence): the
            # regions' rules are offered (the assistant lists them and asks), not refused.
            decision = "related"
        p = round(judgement.p_answer, 4)  # the probability that the first hit answers
        if decision == "none":
            return SearchResponse(results=[], no_basis=True, decision="none", answerability=p, **scope)
        hits = [self._hit(i, s) for i, s in zip(judgement.order[:top_k], judgement.scores[:top_k], strict=True)]
        question = SentenceQuestion.of(query, self.query_concepts(query))
        for i, hit in zip(judgement.order, hits):  # each clause's sentences prepared once per index
            hit.highlights = self.judge.sentences.choose_prepared(question, self.learned_table.sentences(i))
        return SearchResponse(results=hits, no_basis=False, decision=decision, answerability=p,
                              region_dependent=dependent, **scope)

    def _judge_holds_territory(self, ranking: Ranking, judgement) -> bool:
        """The judge is near-sure the library answers and its first clause is of the named
        territory: the lexical gate (`_unsupported_region`) missed a paraphrase, not a region."""
        threshold = self.config.territory_judge_override
        return (0 < threshold <= judgement.p_related and judgement.decision != "none"
                and bool(judgement.order) and self._in_territory(judgement.order[0], ranking.named_places))

    PUBLICITY_WINDOW = 5

    def _rules_before_publicity(self, query: str, order: list[int], scores: list[float]) -> tuple[list[int], list[float]]:
        """A publicity text (a leaflet, a hospital's advertisement: metadata kind "publicity") does
        not come first when a rule among the first few answers the same question: the rule is the
        authority, the advertisement restates or sells it. Kept first when the question names
        the institution the publicity speaks for (重庆新兴医院门槛费多少 → that hospital's text), or
        a scheme the publicity is about and the rule is not (重庆职工 → the 职工 hospital's text)."""
        from knowledge_base.learned.features import institutions, scheme_named

        if not order or self.clauses[order[0]].kind != "publicity":
            return order, scores
        if any(name in normalize_text(query) for name in institutions(normalize_text(self.clauses[order[0]].text))):
            return order, scores
        named = scheme_named(query)
        for k in range(1, min(self.PUBLICITY_WINDOW, len(order))):
            rule = self.clauses[order[k]]
            if rule.kind != "rule":
                continue
            schemes = set(rule.schemes or ([rule.scheme] if rule.scheme else []))
            if named and schemes and not named & schemes:
                continue
            order = [order[k], *order[:k], *order[k + 1:]]
            scores = [scores[k], *scores[:k], *scores[k + 1:]]
            break
        return order, scores

    def _base_rule_first(self, query: str, order: list[int], scores: list[float]) -> tuple[list[int], list[float]]:
        """A rule stating its figures for a special case the question does not name (县外, 未经转诊,
        学生, 贫困…: `resources/conditions.yaml`) does not come first when a rule among the first
        few states figures without such a case: the general rule answers the general question, the
        exception answers the question that names it."""
        from knowledge_base.search.conditions import asked, framed

        if not order:
            return order, scores
        named = asked(normalize_text(query))

        def unasked_case(i: int) -> bool:  # the clause opens with a figure for a case not asked about
            sentences = self._view(i).sentences
            return bool(framed(sentences[0]) - named) if sentences else False

        if self.clauses[order[0]].kind != "rule" or not unasked_case(order[0]):
            return order, scores
        for k in range(1, min(self.PUBLICITY_WINDOW, len(order))):
            i = order[k]
            if self.clauses[i].kind == "rule" and self._view(i).body and not unasked_case(i) \
                    and any(ch.isdigit() for ch in self._view(i).body):
                return [i, *order[:k], *order[k + 1:]], [scores[k], *scores[:k], *scores[k + 1:]]
        return order, scores

    def _hit(self, i: int, score: float) -> SearchHit:
        c = self.clauses[i]
        return SearchHit(
            chunk_id=c.chunk_id,
            doc_title=c.doc_title,
            citation=c.citation,
            text=c.text,
            region=c.region,
            year=c.year,
            scheme=c.scheme,
            kind=c.kind,
            score=round(score, 6),
            sources=list(c.sources),
            schemes=list(c.schemes or ([c.scheme] if c.scheme else [])),
        )
