"""Scope checks: a named place or year the library does not hold is no basis (knowledge_base/search/scope.py)."""

from knowledge_base.search.scope import named_places, named_years, out_of_scope_region, out_of_scope_year, related_place

LIBRARY = ["桂阳县", "岳池县", "湖北", "广州市"]


def test_city_the_library_does_not_hold_is_out_of_scope():
    assert out_of_scope_region("成都门诊慢特病怎么申请认定", LIBRARY) == "成都市"


def test_sibling_city_of_a_held_county_is_still_out_of_scope():
    # 岳池县 is in 四川 like 成都, but a county leaflet is no basis for another city
    assert not related_place("成都市", "岳池县")
    assert out_of_scope_region("成都住院起付线", ["岳池县"]) == "成都市"


def test_enclosing_enclosed_and_same_region_are_in_scope():
    assert out_of_scope_region("四川医保怎么报销", LIBRARY) is None  # encloses 岳池县
    assert out_of_scope_region("武汉住院报销比例", LIBRARY) is None  # inside 湖北
    assert out_of_scope_region("广州门诊", LIBRARY) is None
    assert out_of_scope_region("岳池二级医院起付线", LIBRARY) is None


def test_one_held_place_among_several_is_enough():
    assert out_of_scope_region("从成都转回岳池怎么报销", LIBRARY) is None


def test_no_place_named_and_policy_words_are_not_places():
    assert out_of_scope_region("医保定点医院怎么选", LIBRARY) is None  # 保定 inside 医保定点
    assert named_places("住院起付线是多少") == []


def test_years_named_and_amounts_that_are_not_years():
    assert named_years("2024年城乡居民医保个人缴费标准") == [2024]
    assert named_years("岳池 2010 低保老人 个人缴费") == [2010]
    assert named_years("住院花了2500元能报多少") == []
    assert named_years("花了2019块") == []


def test_year_newer_than_every_topic_clause_is_out_of_scope():
    assert out_of_scope_year("2024年缴费多少", [2009, 2013, None]) == 2024
    assert out_of_scope_year("2013年缴费多少", [2009, 2013]) is None
    assert out_of_scope_year("2005年缴费多少", [2009, 2013]) is None  # older: not this check
    assert out_of_scope_year("2024年缴费多少", [None]) is None  # no year known: no claim


def test_care_away_from_home_is_recognised():
    from knowledge_base.search.scope import about_care_elsewhere

    assert about_care_elsewhere("在上海住院回来怎么报销")
    assert about_care_elsewhere("去广州转诊要备案吗")
    assert not about_care_elsewhere("成都门诊慢特病怎么申请认定")


def test_territory_is_the_related_regions_and_the_regionless_clauses_of_their_files():
    from knowledge_base.search.scope import in_territory

    files = {"a.txt": {"江门市"}, "b.txt": {"重庆"}}
    assert in_territory("江门市", [], ["江门市"], files)
    assert in_territory("广东", [], ["江门市"], files)  # a province's rule applies to its cities
    assert in_territory(None, ["a.txt"], ["江门市"], files)  # "我市" paragraphs of the 江门 report
    assert not in_territory(None, ["b.txt"], ["江门市"], files)
    assert not in_territory("重庆", ["a.txt"], ["江门市"], files)


def test_region_years_read_metadata_and_years_named_in_the_text():
    from knowledge_base.search.scope import region_years

    assert sorted(region_years([(2009, "2010年个人缴费60元"), (None, "无年份")])) == [2009, 2010]


def test_place_mentions_are_the_words_as_written():
    from knowledge_base.search.scope import place_mentions

    assert place_mentions("岳池二级医院起付线") == ["岳池"]
