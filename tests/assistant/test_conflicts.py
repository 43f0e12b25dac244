from assistant.select import query_terms, select_sentences
from assistant.conflicts import find_conflict
from assistant_fakes import CHONGQING, YUECHI, hit

TERMS = query_terms("住院起付线多少")


def sel(h):
    return select_sentences(h, TERMS)


def test_different_regions_with_different_figures_conflict():
    conflict = find_conflict([sel(hit("a", YUECHI, "岳池县", 2009, 2)), sel(hit("b", CHONGQING, "重庆", 2013, 1))])
    assert conflict is not None and conflict.regions == ["岳池县", "重庆"]


def test_same_region_different_years_conflict():
    conflict = find_conflict([sel(hit("a", "起付线为300元。", "重庆", 2013, 2)), sel(hit("b", "起付线为200元。", "重庆", 2015, 1))])
    assert conflict is not None and conflict.years == [2013, 2015]


def test_agreeing_regions_do_not_conflict():
    assert find_conflict([sel(hit("a", "起付线为300元。", "甲县", 2013, 2)), sel(hit("b", "起付线为300元。", "乙县", 2013, 1))]) is None


def test_untagged_clauses_do_not_compete():
    assert find_conflict([sel(hit("a", YUECHI, "岳池县", 2009, 2)), sel(hit("b", "起付线为900元。", None, None, 1))]) is None


def _with_scheme(h, scheme):
    return h.model_copy(update={"scheme": scheme})


def test_a_named_scheme_drops_clauses_of_another_base_scheme():
    from assistant.conflicts import for_scheme

    urban = sel(_with_scheme(hit("a", YUECHI, "岳池县", 2009, 2), "城镇居民"))
    merged = sel(_with_scheme(hit("b", CHONGQING, "重庆", 2013, 1), "城乡居民"))
    untagged = sel(hit("c", "起付线为900元。", None, None, 1))
    # 新农合 was merged into 城乡居民: its rules answer, 城镇居民's do not; untagged clauses stay.
    assert [s.hit.chunk_id for s in for_scheme([urban, merged, untagged], "新农合")] == ["b", "c"]
    # so the two regions no longer "conflict" for a 新农合 question
    assert find_conflict(for_scheme([urban, merged], "新农合")) is None
    # 城乡居民 covers both predecessors; no named scheme changes nothing
    assert len(for_scheme([urban, merged], "城乡居民")) == 2
    assert len(for_scheme([urban, merged], None)) == 2


def test_a_named_scheme_never_empties_the_answer():
    from assistant.conflicts import for_scheme

    urban = sel(_with_scheme(hit("a", YUECHI, "岳池县", 2009, 2), "城镇居民"))
    assert [s.hit.chunk_id for s in for_scheme([urban], "职工")] == ["a"]


def _fund(h, scheme, kind="rule", schemes=None):
    return h.model_copy(update={"scheme": scheme, "kind": kind, "schemes": schemes or [scheme]})


def test_one_regions_funds_with_different_figures_are_a_scheme_conflict():
    from assistant.conflicts import find_scheme_conflict

    residents = sel(_fund(hit("a", "一、二、三级医院住院起付线分别为100元、300元、800元。", "重庆", 2013, 2), "城乡居民"))
    # an advertisement to employees and residents speaks for the employee fund only in its employee sentence
    advert = sel(_fund(hit("b", "某医院是职工医保定点医院,门槛费只要200元。某医院在城乡居民医保最高报销90%的基础上还可申请救助。",
                           "重庆", 2013, 1), "职工", kind="publicity", schemes=["职工", "城乡居民"]))
    conflict = find_scheme_conflict([residents, advert])
    assert conflict is not None and conflict.schemes == ["城乡居民", "职工"]
    assert all("城乡居民" not in s for s in conflict.selections[1].sentences)


def test_one_fund_or_another_region_or_a_report_is_no_scheme_conflict():
    from assistant.conflicts import find_scheme_conflict

    residents = sel(_fund(hit("a", "住院起付线为100元。", "重庆", 2013, 2), "城乡居民"))
    assert find_scheme_conflict([residents, sel(_fund(hit("b", "住院起付线为300元。", "重庆", 2013, 1), "新农合"))]) is None
    assert find_scheme_conflict([residents, sel(_fund(hit("c", "住院起付线为200元。", "湖北", 1999, 1), "职工"))]) is None
    assert find_scheme_conflict([residents, sel(_fund(hit("d", "住院起付线为200元。", "重庆", 2013, 1), "职工",
                                                      kind="report"))]) is None
    assert find_scheme_conflict([residents, sel(_fund(hit("e", "住院起付线为100元。", "重庆", 2013, 1), "职工"))]) is None


def test_another_funds_figures_of_another_kind_are_no_rival_answer():
    """A waiting time in days and an advertised deductible in 元 answer different questions: the
    user is not asked which fund is theirs over them."""
    from assistant.conflicts import find_scheme_conflict

    terms = query_terms("逾期缴费的医保多少天后享受待遇")
    residents = select_sentences(_fund(hit("a", "逾期缴费的,从缴清费用之日起满90日后享受待遇。", "重庆", 2013, 2),
                                       "城乡居民"), terms)
    # the advertisement's sentence as retrieval quotes it (its 起付线 words)
    advert = sel(_fund(hit("b", "某医院是职工医保定点医院,住院起付线只要200元,报销比例90%。", "重庆", 2013, 1),
                       "职工", kind="publicity"))
    assert residents.sentences and advert.sentences
    assert find_scheme_conflict([residents, advert]) is None
    same_kind = select_sentences(_fund(hit("c", "职工逾期缴费的,从缴清费用之日起满30天后享受待遇。", "重庆", 2013, 1),
                                       "职工"), terms)
    assert find_scheme_conflict([residents, same_kind]) is not None
