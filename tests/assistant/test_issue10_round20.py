"""Issue 10, release 19: classes found in the retired round-18 conversations, each tested here on
phrasings of our own — a tier read off a premium that a later premium changes, what was already
reimbursed this year carried to the next stay, a workplace whose employer insures, a clause that is
nothing but a premium, a bare outpatient visit of a chronic patient, and Cantonese words."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def test_a_tier_answered_through_the_premium_follows_a_later_premium(assistant):
    *_, first, second = talk(assistant, "重庆城乡居民医保，在一级医院住院花了五千，报好多", "一年交60的那个",
                             "要是交150那档呢")
    assert first.kind == "estimate" and "一档" in first.answer, first.answer
    assert second.kind == "estimate", second.answer
    assert "二档、一级医院" in second.answer, second.answer


def test_what_was_reimbursed_this_year_counts_for_the_next_stay(assistant):
    *_, estimate = talk(assistant, "重庆居民医保一档，今年已经报了六万八", "又在二级医院住院了，花了两万")
    assert estimate.kind == "estimate", estimate.answer
    # the one-tier annual cap is 7万: only 2,000 is left of it
    assert "2000.00" in estimate.answer, estimate.answer


def test_another_patient_does_not_inherit_what_was_reimbursed(assistant):
    *_, estimate = talk(assistant, "重庆居民医保一档，我爸今年已经报了六万八", "我妈在二级医院住院花了两万，报好多")
    assert estimate.kind == "estimate", estimate.answer
    assert "超限额" not in estimate.answer, estimate.answer


@pytest.mark.parametrize("text, region", [
    ("我在湖北打工，单位给我买的职工医保", "湖北省"),
    ("喺湖北返工，公司帮我买咗医保", "湖北省"),
])
def test_a_workplace_whose_employer_insures_is_the_insured_region(text, region):
    assert parse(text).slots.region == region


def test_migrant_work_with_a_home_elsewhere_is_not_the_region():
    slots = parse("在广州打工，公司没买，老家交的居民医保").slots
    assert slots.region is None


@pytest.mark.parametrize("text, premium", [("城乡居民医保，交60块钱的", 60), ("我们交了150元", 150)])
def test_a_clause_that_only_pays_a_small_sum_tells_the_premium(text, premium):
    slots = parse(text).slots
    assert slots.contribution_amount == premium and slots.amount is None


def test_paying_at_the_hospital_is_no_premium():
    assert parse("看病交了200块，能报吗").slots.contribution_amount is None


def test_a_bare_outpatient_visit_of_a_chronic_patient_is_chronic_outpatient(assistant):
    *_, estimate = talk(assistant, "重庆城乡居民，我有高血压，办了慢病卡的", "在二级医院看门诊一年花了两千")
    assert estimate.kind == "estimate", estimate.answer
    assert "慢性病门诊" in estimate.answer, estimate.answer


@pytest.mark.parametrize("text, expected", [
    ("我哋呢度上年社平工资大概6万", "statement"),
    ("统筹基金一年最多可以俾几多", "policy_question"),
])
def test_cantonese_words_read_in_their_mandarin_form(text, expected):
    assert parse(text).intent == expected


def test_the_yearly_limit_of_a_named_kind_of_care_is_shown_with_its_rule(assistant):
    *_, reply = talk(assistant, "重庆城乡居民", "慢病门诊一年最多能报多少钱")
    assert "1000" in reply.answer and reply.citations, reply.answer


@pytest.mark.parametrize("text", ["他去成都华西住院了，前后花了4万", "在川大华西做的手术"])
def test_the_short_name_of_a_hospital_of_public_grade_fixes_its_level(text):
    assert parse(text).slots.hospital_level == 3


@pytest.mark.parametrize("text, wage", [("工资8000一个月", 8000), ("人工一個月5000蚊", 5000)])
def test_a_monthly_wage_said_in_any_order_is_the_wage(text, wage):
    assert parse(text).slots.wage == wage


def test_arabic_digits_do_not_run_on_into_the_next_quantity():
    from assistant.nlu.numbers import find_numbers

    assert [n.value for n in find_numbers("花了3000两次")] == [3000]
    assert [n.value for n in find_numbers("1万2")] == [12000]
