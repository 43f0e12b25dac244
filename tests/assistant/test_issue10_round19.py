"""Issue 10, release 18: classes found in the retired round-17 conversations, each tested here on
phrasings of our own — a person word the message denies or sets aside, facts typed as keywords, and
a bare place of care after a question answered for every hospital level."""

from __future__ import annotations


import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text, category", [
    ("不说娃儿了，我自己是成年人，住院花了八千", "adult"),
    ("不算儿童，按大人算", "adult"),
    ("不是学生，是老年人", "elderly"),
])
def test_a_person_word_set_aside_is_not_the_person(text, category):
    assert parse(text).slots.person_category == category


def test_a_denied_person_word_is_not_read_back_by_the_learned_heads():
    assert parse("我已经不是学生了").slots.person_category is None


@pytest.mark.parametrize("text", ["是不是学生报销比例要高点", "算不算儿童"])
def test_an_a_not_a_question_denies_nothing(text):
    assert parse(text).slots.person_category in ("student", "child")


@pytest.mark.parametrize("text", ["县外二级 转诊办了", "市外三甲 没备案"])
def test_keywords_that_are_all_facts_tell_them(text):
    understanding = parse(text)
    assert understanding.intent == "statement"
    assert understanding.slots.out_of_area is True
    assert understanding.slots.referral is not None


def test_keywords_with_a_topic_of_their_own_are_still_a_search():
    assert parse("冒名 住院").intent == "policy_question"


@pytest.mark.parametrize("text", ["在二级医院", "在一级的"])
def test_a_bare_place_of_care_changes_the_last_question(text):
    understanding = parse(text)
    assert understanding.is_followup
    assert understanding.slots.hospital_level in (1, 2)


def test_an_estimate_after_facts_typed_as_keywords_applies_them(assistant):
    *_, estimate = talk(assistant, "重庆 居民医保 一档", "县外三级 没转诊", "住院花了两万 报好多")
    assert estimate.kind == "estimate", estimate.answer
    # 800 × 1.05 = 840 and 40 % − 5 points = 35 % (未经同意的县外三级住院): both rules applied
    assert "840" in estimate.answer and "35%" in estimate.answer


def test_setting_a_person_aside_estimates_for_the_person_then_named(assistant):
    *_, estimate = talk(assistant, "岳池县城镇居民", "儿童报销比例多少", "不问娃儿了，我自己是大人，二级医院住院花了六千")
    assert estimate.kind == "estimate", estimate.answer
    # adult, 二级: (6000 − 350) × 60 % = 3390; the children's 10-point rise is not applied
    assert "3390" in estimate.answer.replace(",", "")


def test_a_level_given_after_a_threshold_question_answers_it_for_that_level(assistant):
    *_, answer = talk(assistant, "重庆城乡居民医保", "住院门槛费好多", "在二级医院")
    # the clause's figure or the rule set's (both cite the clause), not an acknowledgement
    assert answer.kind in ("answer", "estimate"), answer.answer
    assert "300" in answer.answer and answer.citations
    assert "800" not in answer.answer.split("依据")[0]  # the level told, not every level


def test_a_premium_question_after_an_estimate_is_a_premium_question(assistant):
    *_, estimate, premium = talk(assistant, "岳池县城镇居民，成年人", "二级医院住院花了五千，报好多",
                                 "那2010年我自己交好多")  # a 那… follow-up by form
    assert estimate.kind == "estimate", estimate.answer
    assert premium.intent == "contribution", premium.answer
    assert "170" in premium.answer and premium.citations  # 2010个人缴费170元, not the stay again
