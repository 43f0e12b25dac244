"""The one gazetteer (resources/gazetteer.yaml) and the validated language-data files."""

from __future__ import annotations

import pytest

from knowledge_base.ingest.regions import gazetteer, region_path
from knowledge_base.lexicon import (
    ConditionsFile,
    GazetteerFile,
    ResourceError,
    SynonymsFile,
    gazetteer_file,
    load_resource,
    metadata_gazetteer,
    place_gazetteer,
    validate_resource,
)
from knowledge_base.search.scope import named_places, place_mentions, related_place


@pytest.mark.parametrize("text", ["医保定点医院有哪些", "医保定额是多少", "去医保定点药店买药"])
def test_a_place_name_inside_other_words_is_no_place(text):
    # 保定 straddles 医保|定点 / 医保|定额: no place is named
    assert named_places(text) == []
    assert place_mentions(text) == []


def test_a_place_name_on_word_boundaries_is_found():
    assert named_places("在保定住院怎么报销") == ["保定市"]
    assert named_places("岳池县住院起付线多少") == ["岳池县"]


def test_a_county_with_and_without_its_province_is_one_place_inside_the_province():
    gz = place_gazetteer()
    assert named_places("四川省岳池县住院起付线") == ["四川", "岳池县"]
    assert gz.canonical("四川省") == gz.canonical("四川") == "四川"
    assert gz.ancestors("岳池县") == ["广安市", "四川"]
    assert related_place("四川省", "岳池县") and related_place("岳池", "四川")
    assert not related_place("成都", "岳池县")  # siblings in one province are not one place
    assert region_path("岳池县") == ["四川", "广安市", "岳池县"]


def test_metadata_regions_are_the_marked_subset_with_their_parents():
    meta, every = metadata_gazetteer(), place_gazetteer()
    assert set(meta.aliases) < set(every.aliases)
    assert "保定市" in every.places and "保定市" not in meta.places  # a question's place, not metadata
    assert gazetteer() is metadata_gazetteer()
    for name in meta.places:
        assert all(up in meta.places for up in meta.ancestors(name))


def test_the_file_is_loaded_once():
    assert gazetteer_file() is gazetteer_file()
    assert place_gazetteer() is place_gazetteer()


def _places(*entries):
    return {"places": list(entries)}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_places({"name": "四川", "full": "四川省"}), "places.0.level"),
        (_places({"name": "四川", "level": "province"}, {"name": "四川县", "aliases": ["四川"], "level": "county"}),
         "'四川' already names '四川'"),
        (_places({"name": "岳池县", "parent": "广安市", "level": "county"}), "parent '广安市' is not a place"),
        (_places({"name": "四川", "level": "province"}, {"name": "广安市", "parent": "四川", "level": "province"}),
         "not of a higher level"),
        (_places({"name": "四川", "level": "province"},
                 {"name": "岳池县", "parent": "四川", "level": "county", "metadata": True}), "must be one too"),
        (_places({"name": "四川", "level": "province", "parents": "中国"}), "places.0.parents"),
    ],
)
def test_a_bad_gazetteer_names_the_file_entry_and_problem(data, problem):
    with pytest.raises(ResourceError, match="gazetteer.yaml") as err:
        validate_resource(data, GazetteerFile, "gazetteer.yaml")
    assert problem in str(err.value)


def test_a_bad_yaml_file_names_the_file(tmp_path):
    path = tmp_path / "conditions.yaml"
    path.write_text("out_of_area:\n  policy: [县外]\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"conditions\.yaml: cases\.out_of_area\.asked: Field required"):
        load_resource(path, ConditionsFile)
    path.write_text("out_of_area: [县外\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="not valid YAML"):
        load_resource(path, ConditionsFile)


def test_synonym_groups_need_two_terms():
    with pytest.raises(ResourceError, match=r"equivalent\.0"):
        validate_resource({"equivalent": [["孤词"]]}, SynonymsFile, "synonyms.yaml")


def test_word_lists_are_validated_data():
    from knowledge_base.lexicon import ForeignTopicsFile, QuestionWordsFile, foreign_topics, question_words

    assert {"怎么", "多少"} <= set(question_words()) and "公积金" in foreign_topics()
    with pytest.raises(ResourceError, match=r"question_words.yaml: words.1"):
        validate_resource({"words": ["怎么", " 多少"]}, QuestionWordsFile, "question_words.yaml")
    with pytest.raises(ResourceError, match=r"foreign_topics.yaml: topics: Field required"):
        validate_resource({"topic": ["公积金"]}, ForeignTopicsFile, "foreign_topics.yaml")


@pytest.mark.parametrize(
    ("text", "places", "regions"),
    [
        ("洞庭湖北岸的医院", [], []),  # 湖北 straddles 洞庭湖|北岸
        ("重庆市民参保", ["重庆"], ["重庆"]),  # 重庆市 straddles 重庆|市民: the shorter name is the word
        ("到上海南站转车", ["上海"], ["上海"]),
        ("四川省岳池县城乡居民", ["四川", "岳池县"], ["岳池县"]),  # the province only qualifies its county
    ],
)
def test_policy_text_matches_places_on_token_boundaries_too(text, places, regions):
    from knowledge_base.ingest.regions import find_regions

    assert [name for _, _, name in metadata_gazetteer().find(text)] == places
    assert find_regions(text) == regions


# Prefecture-level divisions (地级市, 自治州, 地区, 盟) per province, from the official count (333 in all).
PREFECTURES = {
    "河北": 11, "山西": 11, "内蒙古": 12, "辽宁": 14, "吉林": 9, "黑龙江": 13, "江苏": 13, "浙江": 11,
    "安徽": 16, "福建": 9, "江西": 11, "山东": 16, "河南": 17, "湖北": 13, "湖南": 14, "广东": 21, "广西": 14,
    "海南": 4, "四川": 21, "贵州": 9, "云南": 16, "西藏": 7, "陕西": 10, "甘肃": 14, "青海": 8, "宁夏": 5,
    "新疆": 14,
}


@pytest.mark.parametrize("province, count", sorted(PREFECTURES.items()))
def test_every_prefecture_level_division_is_a_place(province, count):
    cities = [p for p in place_gazetteer().places.values() if p.level == "city" and p.parent == province]
    assert len(cities) >= count


@pytest.mark.parametrize("text, place", [("娃儿在鹰潭读书", "鹰潭市"), ("黔东南那边住院", "黔东南州"),
                                         ("老家在阿克苏", "阿克苏地区")])
def test_a_prefecture_is_found_by_its_short_name(text, place):
    assert named_places(text) == [place]


@pytest.mark.parametrize("text", ["普洱茶能报销吗", "买了哈密瓜", "和田玉手镯", "来宾登记"])
def test_a_prefecture_short_name_that_is_an_everyday_word_is_no_place(text):
    assert named_places(text) == []
