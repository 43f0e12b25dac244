"""Issue 10, release 25: classes found in the conversations of retired round 24, each tested here on
phrasings of our own — a question of how long until the cover works, a telling that only gives a day,
and a question asked again for another person."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from assistant.nlu.numbers import mentions_date
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text", ["补交以后要好久才能报", "交齐了等几天才能报销", "多少天以后报得到",
                                  "参了保几时可以报"])
def test_how_long_until_the_cover_works_is_the_waiting_period(text):
    assert parse(text).slots.topic == "待遇期限"


@pytest.mark.parametrize("text", ["住院报销多少天到账", "住了几天院，能报好多"])
def test_days_of_a_stay_or_a_payout_are_no_waiting_period(text):
    assert parse(text).slots.topic != "待遇期限"


@pytest.mark.parametrize(("text", "found"), [("今年3月1号才交齐", True), ("十二月二十日以后交的", True),
                                              ("三月份", False), ("住了12天", False)])
def test_a_day_of_the_calendar_is_read_as_a_date(text, found):
    assert mentions_date(text) is found


def test_a_telling_that_gives_only_a_day_is_remembered_not_searched(assistant):
    *_, reply = talk(assistant, "我是重庆的城乡居民医保，今年没赶上集中缴费", "到4月2号才交齐")
    assert reply.intent == "statement", reply.answer


def test_a_waiting_period_question_is_not_priced_as_a_premium(assistant):
    # Asking how many days after a late payment is no premium question: no tier is asked for.
    *_, reply = talk(assistant, "重庆城乡居民医保补交以后要多少天才能报")
    assert reply.clarification is None or reply.clarification.slot != "tier", reply.answer
    assert "个人缴费" not in reply.answer, reply.answer


def test_facts_of_one_person_do_not_carry_to_the_user_asking_for_themself(assistant):
    # 岳池 2010: a 低保 elder pays 90 元, a non-working adult 170 元.
    *_, first, reply = talk(assistant, "岳池县城镇居民医保", "我老娘七十了，低保户", "2010年她交好多",
                            "那我本人呢，五十二岁，没上班")
    assert "90" in first.answer, first.answer
    assert "170" in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["跑到主城的大医院住的院，转诊没办", "去市里住院了，没开转诊单"])
def test_a_trip_to_the_city_without_a_referral_is_care_out_of_the_county(text):
    slots = parse(text).slots
    assert slots.out_of_area is True
    assert slots.referral is False


def test_a_transfer_to_the_city_leaves_the_place_to_the_policy():
    assert parse("县医院转诊到市里住院").slots.out_of_area is None


def test_a_case_told_as_a_new_subject_drops_the_last_questions_place(assistant):
    # 重庆 二档, 乡镇卫生院 = 一级: (2000 − 100) × 85 % = 1615; the 县外/未转诊 of the question
    # before (起付线 × 1.05, 比例 − 5) is not this stay's.
    *_, told, reply = talk(assistant, "重庆城乡居民二档", "去县外三级医院没办转诊，起付线提高好多",
                           "换个问题，我爸在乡镇卫生院住院花了两千", "能报好多")
    assert told.slots.get("out_of_area") is not True, told.answer
    assert reply.estimate is not None and reply.estimate["reimbursed"] == "1615.00", reply.answer


def test_a_wage_relative_cap_asked_without_the_wage_shows_its_rule(assistant):
    # 湖北's cap is 4 × the local average wage: the clause is shown while the wage is asked.
    reply = talk(assistant, "湖北职工医保的最高支付限额是怎么定的")[-1]
    assert reply.clarification is not None and reply.clarification.slot == "local_avg_wage", reply.answer
    assert any("4倍" in c.text for c in reply.citations), reply.answer


def test_last_years_untouched_quota_is_no_bill():
    slots = parse("去年门诊那80块一分钱都没用").slots
    assert slots.carryover_unused is True
    assert slots.amount is None


@pytest.mark.parametrize("text", ["这几年一直连续在交", "我们是连续在交的"])
def test_paying_on_without_a_break_is_continuous_enrollment(text):
    assert parse(text).slots.continuous_enrollment is True


def test_this_years_outpatient_allowance_adds_last_years_balance(assistant):
    # 重庆: 普通门诊定额 60元/人年, a balance carries over under 连续参保: 60 + 35 = 95.
    *_, reply = talk(assistant, "重庆城乡居民医保", "去年普通门诊还剩35块没用完，一直连续在交",
                     "今年门诊一共能用好多")
    assert "95" in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["基本医保和大病保险都补完了，自己还出了五万", "医保补偿后个人自付两万三"])
def test_what_is_left_after_the_insurances_paid_is_the_remainder(text):
    assert parse(text).slots.self_paid_remainder is not None


def test_the_words_saying_when_a_remainder_was_paid_ask_for_nothing():
    # 补偿 in 补偿后 dates the sum; it is no request for 补偿: the message tells.
    assert parse("住院的，基本医保和大病保险补偿后个人自付八万").intent == "statement"


def test_a_remainder_told_then_the_second_round_asked_is_computed(assistant):
    # 桂阳 健康扶贫 再次补助: 50 % of what is left, at most 3万: 50 % × 24000 = 12000.
    *_, reply = talk(assistant, "桂阳县建档立卡户", "住院的，基本医保和大病保险补偿后个人自付两万四",
                     "再次补助能补好多")
    assert reply.estimate is not None and "12000" in reply.answer, reply.answer


def test_what_was_left_in_the_end_is_the_remainder():
    assert parse("最后自己还要出六千，还能补不").slots.self_paid_remainder is not None
    assert parse("住院最后花了3万").slots.self_paid_remainder is None  # a bill, nothing paid back yet


def test_last_year_in_cantonese_carries_the_untouched_quota():
    assert parse("琴年门诊嘅钱一蚊都冇用过").slots.carryover_unused is True
