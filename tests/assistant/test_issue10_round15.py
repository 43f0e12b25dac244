"""Issue 10, round 15: facts a conversation states about last year's 普通门诊 quota and the
enrolment (the carry-over rule's condition), the hospital a told stay was in when several are
named, and an institution the library names after its region. Phrased apart from the dev
conversations."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text, carryover, unused, continuous", [
    ("我们年年都交的，上年门诊那点钱还剩了35块", "35", None, True),
    ("去年门诊一次也没去过，一直在交", None, True, True),
    ("中间断了一年，去年定额余额还有十块", "10", None, False),
])
def test_last_year_s_balance_and_enrolment_are_read(text, carryover, unused, continuous):
    slots = parse(text).slots
    assert (str(slots.carryover) if slots.carryover is not None else None) == carryover
    assert slots.carryover_unused is unused and slots.continuous_enrollment is continuous
    assert slots.amount is None  # a balance is no bill


def test_a_balance_of_nothing_said_last_year_is_not_read_as_carried_over():
    assert parse("医保卡余额还有三百").slots.carryover is None
    assert parse("报完了还剩五千自己出").slots.carryover is None


def test_the_quota_to_use_this_year_adds_last_year_s_told_balance(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，年年都交的", "上年门诊定额还剩了35块", "那今年门诊定额总共有多少可以用")
    # 60元/人年 + 35 carried over (连续参保) = 95.
    assert "95.00" in reply.answer, reply.answer
    assert any("可跨结转使用" in c.text for c in reply.citations), [c.text for c in reply.citations]


def test_a_stay_s_hospital_is_the_one_the_patient_stayed_in():
    assert parse("先在村卫生室拿了药，后来在县医院住了一个礼拜").slots.hospital_level == 2
    assert parse("在二级医院看过门诊，又转到三级医院").slots.hospital_level == 3
    assert parse("在三级医院住院，出院后在社区医院复查").slots.hospital_level == 3
    assert parse("在县医院住的院").slots.hospital_level == 2


def test_an_institution_named_after_its_region_names_the_region(assistant):
    reply = assistant.ask("我在新兴医院住院，职工医保在职的，报多少")
    state = assistant.store.get(reply.session_id)
    assert state is not None and str(state.slots.get("region", "")).startswith("重庆"), state.slots if state else None


def test_an_employer_s_staff_average_wage_is_the_wage_not_the_local_average():
    slots = parse("单位职工平均工资一万五，统筹地区上年平均工资4万").slots
    assert str(slots.wage) == "15000" and str(slots.local_avg_wage) == "40000"


def test_a_premium_from_a_told_wage_and_average_is_computed_for_someone_in_work(assistant):
    *_, reply = talk(assistant, "湖北的职工医保", "我一个月工资一万，当地社平工资每月2500", "个人每个月要交好多")
    # Wage and average in the same (monthly) unit: base min(max(10000, 0.6 × 2500), 3 × 2500) = 7500;
    # 个人 2 % = 150 — computed as 在职 (a wage is earned in work), said in the reply, not asked.
    assert "150.00" in reply.answer, reply.answer
    assert "按在职职工计" in reply.answer
