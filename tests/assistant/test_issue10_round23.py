"""Issue 10, release 22: classes found in the train conversations' failures, each tested here on
phrasings of our own — a case set up by a question about a rule figure and then priced, a premium
told with the insurance named between the verb and the sum, dialect words for a child, a township
as a place inside the county."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def test_a_case_asked_about_by_its_deductible_is_then_priced_with_its_place(assistant):
    *_, reply = talk(assistant, "重庆城乡居民一档", "去市内县外的三级医院没办转诊，门槛费是好多",
                     "住院花了1万，能报好多")
    assert reply.kind == "estimate", reply.answer
    # 800 × 1.05 = 840; 一档三级 40% − 5 个百分点 = 35%; (10000 − 840) × 35% = 3206
    assert "840.00" in reply.answer and "3206.00" in reply.answer, reply.answer


def test_a_new_case_elsewhere_does_not_keep_the_earlier_out_of_area_stay(assistant):
    *_, reply = talk(assistant, "重庆城乡居民二档", "县外三级医院没转诊的话起付线好多",
                     "那要是在镇上卫生院住院，花了2000能报多少")
    assert reply.kind == "estimate", reply.answer
    # 一级 100 元起付, 二档一级 85%: (2000 − 100) × 85% = 1615
    assert "1615.00" in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["交的医保是60块钱那个", "我们买的保险是60那种"])
def test_a_premium_told_with_the_insurance_named_before_the_sum(text):
    assert parse(text).slots.contribution_amount == 60


@pytest.mark.parametrize("text", ["幺儿住院了", "屋头细娃儿发烧住院"])
def test_dialect_words_for_a_child(text):
    assert parse(text).slots.person_category == "child"


@pytest.mark.parametrize("text", ["在本镇卫生院住的院", "就在镇上医院看的"])
def test_a_township_is_inside_the_county(text):
    assert parse(text).slots.out_of_area is False
