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
