"""The NLU's language data: lexicon.yaml validated at load, places read from the shared gazetteer."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

from assistant.nlu.lexicon import lexicon, parse_lexicon
from assistant.nlu.regions import pick_region, same_area
from knowledge_base.lexicon import ResourceError


def _data() -> dict:
    return yaml.safe_load(resources.files("assistant.nlu").joinpath("lexicon.yaml").read_text(encoding="utf-8"))


def test_the_lexicon_is_loaded_once():
    assert lexicon() is lexicon()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["intent"].pop("greeting"), "intent.greeting: Field required"),
        (lambda d: d["amounts"].__setitem__("vague_amount", "(元"), "amounts.vague_amount: Value error, not a valid regular expression"),
        (lambda d: d["regions"]["roles"].__setitem__("right_window", "six"), "regions.roles.right_window"),
        (lambda d: d["scheme"].__setitem__("aliasses", []), "scheme.aliasses: Extra inputs are not permitted"),
        (lambda d: d["regions"].__setitem__("cities", ["长沙"]), "regions.cities: Extra inputs"),  # places live in the gazetteer
    ],
)
def test_a_bad_lexicon_names_the_key_and_problem(change, problem):
    data = copy.deepcopy(_data())
    change(data)
    with pytest.raises(ResourceError, match="lexicon.yaml") as err:
        parse_lexicon(data, "lexicon.yaml")
    assert problem in str(err.value)


@pytest.mark.parametrize("text", ["医保定点医院能报多少", "医保定额是多少"])
def test_no_place_inside_other_words(text):
    best, mentions = pick_region(text, lexicon(), ["岳池县", "重庆"])
    assert best is None and mentions == []


def test_places_come_from_the_gazetteer_with_their_hierarchy():
    best, _ = pick_region("在保定住院怎么报销", lexicon(), ["岳池县"])
    assert best is not None and best.value == "保定市"
    assert same_area("四川省", "岳池县") and same_area("岳池县", "四川")
    assert same_area("重庆市", "渝北区") and same_area("邵东县", "湖南省")  # a former name of 邵东市
    assert not same_area("成都市", "岳池县")


def test_sentence_selection_words_are_validated_data():
    from assistant.select import SelectionWords, selection_words
    from knowledge_base.lexicon import validate_resource

    words = selection_words()
    assert words is selection_words()
    assert "起付标准" in words.synonyms["门槛费"]
    data = words.model_dump()
    data["qualifiers"] = "门诊"  # a list of groups, not a word
    with pytest.raises(ResourceError, match=r"selection.yaml: qualifiers"):
        validate_resource(data, SelectionWords, "selection.yaml")


def test_scheme_compatibility_is_lexicon_data_naming_known_schemes():
    from assistant.conflicts import COMPATIBLE_SCHEMES

    assert COMPATIBLE_SCHEMES["新农合"] == {"新农合", "城乡居民"} and COMPATIBLE_SCHEMES["职工"] == {"职工"}
    data = copy.deepcopy(_data())
    data["scheme"]["compatible"]["新农合"].append("农保")
    with pytest.raises(ResourceError, match=r"compatible\.新农合: \['农保'\] not a canonical scheme"):
        parse_lexicon(data, "lexicon.yaml")
