"""Issue 10, release 21: classes found in the retired round-20 conversations, each tested here on
phrasings of our own — a household counted in dialect words for home, a premium told after a tier
that says another tier, a subsidised service's parts asked together, and a question naming only
where or who after a question that lacked it."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text, size", [("屋企三个人都想买一档", 3), ("咱家五个人", 5), ("家中两个人都交", 2)])
def test_a_household_is_counted_after_any_word_for_home(text, size):
    assert parse(text).slots.household_size == size


def test_a_household_premium_total_after_a_dialect_word_for_home(assistant):
    *_, reply = talk(assistant, "重庆的城乡居民", "屋企三个人都买一档", "一年总共要交几多钱")
    assert reply.kind == "estimate", reply.answer
    # 一档 60 元/人 × 3
    assert "180.00" in reply.answer, reply.answer


def test_a_premium_told_after_a_tier_that_is_another_tier_corrects_the_tier(assistant):
    *_, correction = talk(assistant, "重庆城乡居民一档", "讲错了，我们交的是150那个")
    assert correction.slots["tier"] == 2, correction.slots


def test_a_premium_no_table_holds_leaves_the_said_tier(assistant):
    *_, reply = talk(assistant, "重庆城乡居民一档", "去年交了370")
    assert reply.slots["tier"] == 1, reply.slots


def test_a_premium_matching_the_said_tier_keeps_it(assistant):
    *_, reply = talk(assistant, "重庆城乡居民二档", "我们交的150")
    assert reply.slots["tier"] == 2, reply.slots


def test_two_parts_of_a_subsidised_service_asked_together_get_the_sum(assistant):
    *_, reply = talk(assistant, "重庆城乡居民二档，老婆怀孕了", "产前检查跟生孩子医保补好多")
    assert reply.kind == "estimate", reply.answer
    assert "100.00" in reply.answer and "400.00" in reply.answer and "500.00" in reply.answer, reply.answer


def test_one_part_of_a_subsidised_service_is_the_clause_answer_not_the_sum(assistant):
    *_, reply = talk(assistant, "重庆城乡居民二档，老婆怀孕了", "产前检查补好多")
    assert "500.00" not in reply.answer, reply.answer


def test_a_region_alone_with_an_amount_asked_repeats_the_previous_question(assistant):
    *_, reply = talk(assistant, "城乡居民二档", "普通门诊一年报得到好多钱", "重庆的，那能报好多")
    assert reply.slots.get("service") == "general_outpatient", reply.slots
    assert "60" in reply.answer, reply.answer


def test_a_question_with_its_own_topic_is_not_a_context_follow_up(assistant):
    *_, reply = talk(assistant, "城乡居民二档", "普通门诊一年报得到好多钱", "重庆的住院起付线是好多")
    assert reply.slots.get("service") != "general_outpatient", reply.slots


@pytest.mark.parametrize("text, age", [
    ("我妈是低保户，六十八了", 68),
    ("我婆娘三十五，在屋头带娃儿", 35),
    ("不是我妈，是我爸，六十五", 65),
    ("那他爸呢，五十多，没工作", 50),
])
def test_a_bare_age_in_the_clause_after_the_person_is_their_age(text, age):
    assert parse(text).slots.age == age


@pytest.mark.parametrize("text, amount", [("我妈住院，花了三千五了", 3500), ("我爸住院，3000", 3000)])
def test_a_bill_after_the_person_is_no_age(text, amount):
    slots = parse(text).slots
    assert slots.age is None and slots.amount == amount


def test_having_no_pension_is_a_fact_about_the_person_not_another_insurance():
    told = parse("我七十了，城镇户口，没退休金，岳池的")
    assert told.intent == "statement" and told.slots.age == 70 and told.slots.region == "岳池县"
    assert parse("今年退休金涨了多少").intent == "out_of_scope"
