import numpy as np
import pytest

from knowledge_base.models import SearchFilters
from knowledge_base.index.dense import DenseIndex
from knowledge_base.search.search import EmptyQueryError, HybridSearcher, RetrievalConfig, plan_query


@pytest.fixture()
def searcher(sample_clauses):
    return HybridSearcher.build(sample_clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0))


def ids(response):
    return [h.chunk_id for h in response.results]


def test_colloquial_question_finds_policy_wording(searcher):
    top = ids(searcher.search("门槛费多少", top_k=3))
    assert set(top) == {"c1", "c6", "c7"}  # exactly the clauses that mention 起付线/起付标准


def test_childbirth_question_finds_maternity_clause(searcher):
    assert ids(searcher.search("生孩子补多少"))[0] == "c2"


def test_region_filter_never_mixes_regions(searcher):
    res = searcher.search("住院起付线", filters=SearchFilters(region="岳池县"))
    assert res.results and all(h.region == "岳池县" for h in res.results)
    assert ids(res)[0] == "c6"


def test_kind_and_scheme_filters(searcher):
    assert searcher.search("宣传", filters=SearchFilters(kind="rule")).no_basis
    res = searcher.search("缴费", filters=SearchFilters(scheme="城镇居民"))
    assert ids(res) and all(h.scheme == "城镇居民" for h in res.results)


def test_heading_match_is_boosted(searcher):
    # "缴费标准" is the heading of c3 only; its body says 缴费 but not 标准
    assert ids(searcher.search("学生缴费标准"))[0] == "c3"


def test_question_outside_the_corpus_has_no_basis(searcher):
    for q in ("牙齿矫正", "车险理赔怎么办", "公积金提取"):
        res = searcher.search(q)
        assert res.no_basis and res.results == [], q


def test_empty_query_raises_chinese_error(searcher):
    for q in ("", "   ", "\n\t"):
        with pytest.raises(EmptyQueryError, match="查询内容为空"):
            searcher.search(q)


def test_only_question_words_is_no_basis_not_error(searcher):
    assert searcher.search("怎么办吗?").no_basis


def test_very_long_query_is_bounded(searcher):
    res = searcher.search("住院起付线" + "啊" * 10_000, top_k=3)
    assert len(res.results) <= 3
    assert ids(res)[0] in {"c1", "c6", "c7"}


def test_hit_carries_citation_and_sources(searcher):
    hit = searcher.search("孕产妇产前检查").results[0]
    assert hit.citation.startswith("测试政策 › 四、医保待遇")
    assert hit.sources[0].file == "test.txt"
    assert hit.region == "重庆" and hit.kind == "rule"


class _KeywordEncoder:
    """A fake dense model: one dimension per keyword, so results are predictable."""

    model_id = "fake"
    KEYS = ("药店", "住院", "学生")

    def encode(self, texts):
        vecs = np.array([[1.0 if k in t else 0.0 for k in self.KEYS] + [0.01] for t in texts], dtype=np.float32)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_dense_side_contributes_when_weighted(sample_clauses):
    clauses = sample_clauses
    cfg = RetrievalConfig(bm25_weight=0.0, dense_weight=1.0, coverage_floor=0.0)
    dense_only = HybridSearcher.build(clauses, _KeywordEncoder(), cfg)
    assert ids(dense_only.search("去药店", top_k=1)) == ["c8"]


def test_config_rejects_nothing_silently():
    cfg = RetrievalConfig().with_(dense_weight=0.0)
    assert cfg.dense_weight == 0.0 and RetrievalConfig().bm25_weight == 1.0


def test_loose_second_pass_finds_index_terms_inside_an_odd_query(searcher):
    # jieba segments this run-on typo differently from the documents; the loose pass still finds
    # the index term 孕产妇 inside it
    from knowledge_base.search.search import plan_query

    plan = plan_query("孕产妇费呀", searcher.config, searcher.synonyms)
    assert "孕产妇" in searcher._loose_terms(plan)


def test_compound_sub_words_are_not_expanded(searcher):
    from knowledge_base.search.search import plan_query

    plan = plan_query("生孩子", searcher.config, searcher.synonyms)
    assert "分娩" in plan.weights and "学生" not in plan.weights


def test_region_named_in_query_is_preferred_without_filtering(searcher):
    # both c1 (重庆) and c6 (岳池县) state 起付 amounts; naming 岳池 puts its clause first
    top = ids(searcher.search("岳池住院起付线多少"))
    assert top[0] == "c6"
    assert "c1" in top  # a preference, not a filter: 重庆's clause is still listed
    assert searcher.regions_named_in("岳池县住院") == {"岳池县"}
    assert searcher.regions_named_in("住院起付线") == set()


def test_province_filter_reaches_clauses_of_its_counties(sample_clauses):
    county = sample_clauses[0].model_copy(
        update={"chunk_id": "gy", "region": "桂阳县", "region_path": ["湖南", "郴州市", "桂阳县"]}
    )
    searcher = HybridSearcher.build([*sample_clauses, county], encoder=None, config=RetrievalConfig(dense_weight=0.0))
    res = searcher.search(county.text[:12], filters=SearchFilters(region="湖南"))
    assert ids(res) == ["gy"]


def test_scheme_filter_matches_any_scheme_a_clause_covers(sample_clauses):
    both = sample_clauses[0].model_copy(update={"chunk_id": "two", "scheme": "职工", "schemes": ["职工", "城乡居民"]})
    searcher = HybridSearcher.build([*sample_clauses, both], encoder=None, config=RetrievalConfig(dense_weight=0.0))
    res = searcher.search(both.text[:12], filters=SearchFilters(scheme="城乡居民"))
    assert "two" in ids(res)


def test_max_normalised_scores_keep_gaps_and_respect_eligibility():
    from knowledge_base.search.fusion import max_normalized

    scores = np.array([4.0, 2.0, 0.0, 8.0])
    eligible = np.array([True, True, True, False])
    assert max_normalized(scores, eligible).tolist() == [1.0, 0.5, 0.0, 0.0]


def test_dense_normalised_scores_run_from_the_nth_best_to_the_best():
    from knowledge_base.search.fusion import dense_normalized

    sims = np.array([0.9, 0.5, 0.7, 0.1])
    out = dense_normalized(sims, np.ones(4, dtype=bool), top_n=3)
    assert out.tolist() == pytest.approx([1.0, 0.0, 0.5, 0.0])


class _FixedEncoder:
    """Dense side that ranks clause 0 first, whatever the query."""

    model_id = "fixed"

    def __init__(self, n: int) -> None:
        self.n = n

    def encode(self, texts):
        out = np.zeros((len(texts), self.n), dtype=np.float32)
        out[:, 0] = 1.0
        return out


def test_dense_rescue_weights_the_dense_side_only_when_keywords_miss(sample_clauses):
    n = len(sample_clauses)
    built = HybridSearcher.build(sample_clauses, None)
    dense = DenseIndex.build(np.eye(n, dtype=np.float32) + 0.01)
    enc = _FixedEncoder(n)

    def fused_for(query, rescue):
        cfg = RetrievalConfig(rescue_coverage=rescue, rescue_dense_weight=5.0)
        s = HybridSearcher(built.clauses, built.body, built.heading, dense, enc, cfg)
        plan = plan_query(query, cfg, s.synonyms)
        lexical, present = s._lexical(plan.weights, plan.groups)
        return s._fuse(plan, present, lexical, np.ones(n, dtype=bool))

    # a question whose words no clause holds: the rescue multiplies the dense side's share
    off, on = fused_for("宇宙飞船", 0.0), fused_for("宇宙飞船", 0.5)
    assert on[0] == pytest.approx(off[0] * 10)  # weight 0.5 → 5.0
    # a question the keywords cover: fusion is unchanged
    assert np.array_equal(fused_for("住院起付线", 0.0), fused_for("住院起付线", 0.5))


def test_place_the_library_does_not_hold_is_no_basis_with_the_place(searcher):
    res = searcher.search("成都住院起付线是多少")
    assert res.no_basis and res.results == []
    assert res.out_of_scope_region == "成都市"
    held = searcher.search("岳池住院起付线是多少")
    assert not held.no_basis and held.out_of_scope_region is None


def test_newer_year_refuses_amounts_but_only_marks_other_questions(searcher):
    amount = searcher.search("2024年住院起付线是多少")
    assert amount.no_basis and amount.out_of_scope_year == 2024
    other = searcher.search("2024年未经同意转外就医怎么办")  # not asking for an amount: marked only
    assert not other.no_basis and other.out_of_scope_year == 2024
    covered = searcher.search("2013年住院起付线是多少")
    assert not covered.no_basis and covered.out_of_scope_year is None


def test_place_named_as_where_care_happened_is_marked_not_refused(searcher):
    # 在上海住院回来: the home region's out-of-area rules answer; 上海 is only marked
    res = searcher.search("在上海住院回来起付线是多少")
    assert not res.no_basis and res.results
    assert res.out_of_scope_region == "上海"


def _territory_searcher():
    from tests.conftest import make_clause
    from knowledge_base.models import SourceLocation

    def at(clause, file):
        return clause.model_copy(update={"sources": [SourceLocation(file=file, line=1)]})

    clauses = [
        at(make_clause("c1", "门诊起付线为200元,住院起付线为300元。", ["门诊待遇"], region="重庆", year=2023, kind="rule"), "cq.txt"),
        # a hospital report whose scope is 北京: it names the place but states no threshold
        at(make_clause("c2", "北京市各医院的医保审核人员核对门诊处方和起付线执行情况。", ["医保审核"], region="北京", kind="report"), "bj.txt"),
        at(make_clause("c3", "住院起付线为当地职工年平均工资的10%左右。", ["支付标准"], region="湖北", year=1999, kind="rule"), "hb.txt"),
    ]
    return HybridSearcher.build(clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0))


def test_held_place_whose_clauses_do_not_answer_is_no_basis_with_the_place():
    s = _territory_searcher()
    res = s.search("北京门诊起付线是多少")  # only 重庆 states the figure: never mixed silently
    assert res.no_basis and res.out_of_scope_region == "北京"
    assert not s.search("重庆门诊起付线是多少").no_basis
    off = HybridSearcher(s.clauses, s.body, s.heading, None, None, s.config.with_(territory_scope=False))
    assert not off.search("北京门诊起付线是多少").no_basis  # the check is what refuses it


def test_asking_how_much_money_is_asking_for_an_amount_not_a_topic():
    # 钱 / 好多钱 stay tokens, yet no clause says 钱 where it states 300元: the held region answers.
    s = _territory_searcher()
    for question in ("重庆起付线多少钱", "重庆起付线好多钱", "重庆门槛费几多钱"):
        assert s.rank(question).unsupported_region is None, question
    # Still asking for an amount: a region whose clauses state none is refused for it.
    assert s.rank("北京门诊起付线要多少钱").unsupported_region == "北京"


def test_named_year_is_compared_with_the_named_regions_years():
    s = _territory_searcher()
    res = s.search("湖北2022年住院起付线是多少")  # 重庆 has 2023, 湖北 only 1999
    assert res.no_basis and res.out_of_scope_year == 2022
    assert not s.search("湖北1999年住院起付线是多少").no_basis


def test_top_ranks_are_the_full_ranking_cut_at_n_ties_included():
    from knowledge_base.search.fusion import ranks, top_ranks

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 400))
        scores = np.round(rng.normal(size=n), 1).astype(np.float32)  # many ties
        eligible = rng.random(n) > 0.2
        k = int(rng.integers(1, 60))
        expected = ranks(scores, eligible)
        expected[expected > k] = 0
        assert (top_ranks(scores, eligible, k) == expected).all()


def test_repeated_retrieval_of_one_query_gives_the_same_ranking(searcher):
    """rank() and signals() share the last query's retrieval; rank scales its fused scores in
    place, so a shared copy would compound the boosts on the second call."""
    first = searcher.rank("岳池县住院起付线是多少", 5)
    sig = searcher.signals("岳池县住院起付线是多少")
    second = searcher.rank("岳池县住院起付线是多少", 5)
    assert first.indices == second.indices and first.scores == second.scores
    assert sig.fused.shape == (len(searcher.clauses),)
    other = searcher.rank("门槛费多少", 5)
    assert searcher.rank("岳池县住院起付线是多少", 5).scores == first.scores
    assert other.indices


def test_partial_rankings_equal_the_full_sort_ties_included():
    """top_order / ranks_at (issue 11: no library-wide sort per query) give exactly what the full
    stable sort gives: the same documents in the same order, the same rank per document."""
    from knowledge_base.search.fusion import ranks, ranks_at, top_order

    rng = np.random.default_rng(11)
    for trial in range(400):
        n = int(rng.integers(1, 300))
        dtype = np.float32 if trial % 2 else np.float64
        scores = np.round(rng.normal(size=n), int(rng.integers(0, 3))).astype(dtype)  # many ties
        eligible = rng.random(n) > 0.2
        docs = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=bool(trial % 3 == 0))
        assert (ranks_at(scores, eligible, docs) == ranks(scores, eligible)[docs]).all()
        k = int(rng.integers(0, 60))
        ranked = np.flatnonzero(eligible & (scores > 0))
        assert top_order(scores, eligible, k).tolist() == ranked[np.argsort(-scores[ranked], kind="stable")][:k].tolist()


def test_rescue_top_keeps_the_full_sorts_order_when_few_clauses_match(searcher):
    """Fewer matches than asked for: the unscored clauses follow in document order, as the stable
    sort of the whole library put them."""
    rng = np.random.default_rng(5)
    for _ in range(200):
        n = int(rng.integers(1, 50))
        lexical = np.where(rng.random(n) < 0.15, np.round(rng.random(n), 1), 0.0)
        eligible = rng.random(n) > 0.3
        expected = np.argsort(-np.where(eligible, lexical, 0.0), kind="stable")[:5]
        assert searcher._lexical_top(lexical, eligible, 5).tolist() == expected.tolist()


def test_the_territory_gate_yields_only_to_a_near_sure_judge_with_a_clause_of_that_territory():
    """The gate reads words: 重庆城乡居民封顶是好多 shares none with 重庆's 最高限额 clause. A
    judge near-sure the library answers, whose first clause is 重庆's, overrules it; a judge less
    sure, one refusing, or one whose first clause is another region's does not."""
    from knowledge_base.learned.model import Judgement

    s = _territory_searcher()
    ranking = s.rank("重庆城乡居民封顶是好多")
    assert ranking.named_places == ("重庆",)
    cq, bj = 0, 1  # clause positions: c1 is 重庆's, c2 北京's

    def judged(first: int, p_related: float, decision: str = "related") -> bool:
        judgement = Judgement(order=[first], scores=[1.0], p_answer=0.5, p_related=p_related, decision=decision)
        return s._judge_holds_territory(ranking, judgement)

    assert judged(cq, 0.995)
    assert not judged(cq, 0.95)  # below the override threshold
    assert not judged(cq, 0.995, decision="none")
    assert not judged(bj, 0.995)  # the judge's clause is not of the named territory
    off = HybridSearcher(s.clauses, s.body, s.heading, None, None, s.config.with_(territory_judge_override=0.0))
    assert not off._judge_holds_territory(ranking, Judgement([cq], [1.0], 0.5, 0.999, "answer"))


def test_eligible_mask_is_the_filter_and_stays_read_only(searcher):
    """The mask is memoised per filter combination (issue 13): a cached mask must still be exactly
    the filter's clauses, for every combination asked in any order, and no caller may change it."""
    by_region = searcher.eligible(SearchFilters(region="岳池县"))
    assert by_region.tolist() == [c.region == "岳池县" for c in searcher.clauses]
    everything = searcher.eligible(None)
    assert everything.all() and len(everything) == len(searcher.clauses)
    assert searcher.eligible(SearchFilters(region="岳池县")).tolist() == by_region.tolist()
    with pytest.raises(ValueError):
        by_region[0] = not by_region[0]
