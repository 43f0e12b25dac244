"""`calculators.caps`: a service's yearly caps without a bill. Figures from the rule texts: 湖北 1999
统筹基金最高支付限额 = 4 × 当地职工年平均工资; 重庆 2013 全年累计补偿最高限额 一档 7万 / 二档 11万,
儿童重大疾病累加封顶线 一档 10万 / 二档 15万."""

from __future__ import annotations

import pytest

from calculators import CalcError
from calculators.caps import caps, deductible


def test_a_cap_relative_to_the_average_wage_is_that_multiple_of_the_stated_wage():
    result = caps({"policy": "hubei-employee-1999", "service": "inpatient", "local_avg_wage": "60000"})
    assert [(c.amount, c.relative_to) for c in result.caps] == [("240000.00", "local_avg_wage")]
    assert any("4倍" in s.quote for s in result.steps if s.quote)


def test_without_the_average_wage_the_cap_names_the_missing_field():
    with pytest.raises(CalcError) as err:
        caps({"policy": "hubei-employee-1999", "service": "inpatient"})
    assert err.value.field == "local_avg_wage"


@pytest.mark.parametrize("tier, amount", [(1, "70000.00"), (2, "110000.00")])
def test_a_table_cap_follows_the_tier(tier, amount):
    result = caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": tier})
    assert [(c.amount, c.relative_to) for c in result.caps] == [(amount, None)]


@pytest.mark.parametrize("ytd, left", [("65000", "5000.00"), ("80000", "0.00"), ("0", "70000.00")])
def test_the_year_s_payments_told_leave_the_rest_of_the_cap(ytd, left):
    result = caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": 1, "ytd_reimbursed": ytd})
    assert [(c.amount, c.remaining) for c in result.caps] == [("70000.00", left)]
    assert any(s.label.endswith("剩余额度") and s.amount == left for s in result.steps)


def test_without_the_year_s_payments_no_remainder_is_assumed():
    result = caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": 1})
    assert [c.remaining for c in result.caps] == [None]
    assert not any(s.label.endswith("剩余额度") for s in result.steps)


def test_the_modifiers_apply_as_in_an_estimate():
    result = caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": 2,
                   "person": {"category": "child", "major_disease": True}})
    assert [c.amount for c in result.caps] == ["150000.00"]


def test_a_yearly_quota_is_the_service_s_cap_paid_in_full_within_it():
    # 重庆 2013: 普通门诊实行定额报销,标准为60元/人年; 定额报销额度内不设报销比例.
    result = caps({"policy": "cq-resident-2013", "service": "general_outpatient"})
    assert [(c.amount, c.quota) for c in result.caps] == [("60.00", True)]
    assert any("60元/人年" in s.quote for s in result.steps if s.quote)
    assert any(a.id == "quota_no_ratio" for a in result.assumptions)
    # A cap that is no quota says so.
    assert not any(c.quota for c in caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": 1}).caps)


# ---- a major-illness layer's deductible without a bill (桂阳 2018: 大病保险起付线10000元, 建档立卡贫困人员、
# 低保户降低50%) -------------------------------------------------------------------------------------

@pytest.mark.parametrize("person, amount, modified", [
    ({"poverty": True}, "5000.00", True),
    ({"low_income": True}, "5000.00", True),  # either status told is enough for "贫困人员、低保户"
    ({"poverty": False, "low_income": False}, "10000.00", False),
])
def test_the_major_illness_deductible_follows_the_modifiers_of_that_figure(person, amount, modified):
    from calculators.caps import major_illness_deductible

    result = major_illness_deductible({"policy": "guiyang-resident-poverty-2018", "service": "inpatient", "person": person})
    assert [c.amount for c in result.caps] == [amount]
    assert result.modified is modified
    assert all("大病保险补偿起付线降低50%" in s.quote for s in result.steps if s.quote)


def test_the_major_illness_deductible_needs_the_status_it_depends_on():
    from calculators.caps import major_illness_deductible

    with pytest.raises(CalcError) as err:
        major_illness_deductible({"policy": "guiyang-resident-poverty-2018", "service": "inpatient"})
    assert err.value.field == "person.poverty"


def test_a_service_without_a_major_illness_layer_is_refused():
    from calculators.caps import major_illness_deductible

    with pytest.raises(CalcError) as err:
        major_illness_deductible({"policy": "hubei-employee-1999", "service": "inpatient", "local_avg_wage": "50000"})
    assert err.value.field == "service"


@pytest.mark.parametrize("case, amount, modified", [
    ({}, "800.00", False),
    ({"out_of_area": True, "referral": False}, "840.00", True),  # 起付线提高5%: 800 × 1.05
])
def test_the_deductible_alone_needs_no_tier_and_says_when_a_modifier_changed_it(case, amount, modified):
    result = deductible({"policy": "cq-resident-2013", "service": "inpatient", "hospital_level": 3, **case})
    assert [c.amount for c in result.caps] == [amount]
    assert result.modified is modified


# ---- last year's unused 普通门诊 quota (重庆 2013: 当年未使用或有余额,可跨结转使用; 对未连续参保缴费的 …
# 余额归零) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("told, carried, available", [
    ({"carryover": "20", "continuous_enrollment": True}, "20.00", "80.00"),
    ({"carryover_unused": True, "continuous_enrollment": True}, "60.00", "120.00"),
])
def test_last_year_s_balance_adds_to_this_year_s_quota(told, carried, available):
    result = caps({"policy": "cq-resident-2013", "service": "general_outpatient", **told})
    assert [(c.amount, c.carried, c.available) for c in result.caps] == [("60.00", carried, available)]
    assert any(s.label == "今年可用定额" and s.amount == available for s in result.steps)


def test_a_broken_enrolment_carries_nothing_over_and_cites_the_reset_rule():
    result = caps({"policy": "cq-resident-2013", "service": "general_outpatient", "carryover": "20",
                   "continuous_enrollment": False})
    assert [(c.amount, c.carried) for c in result.caps] == [("60.00", None)]
    assert any("余额归零" in (s.quote or "") for s in result.steps)


def test_a_balance_without_the_enrolment_condition_names_that_field():
    with pytest.raises(CalcError) as err:
        caps({"policy": "cq-resident-2013", "service": "general_outpatient", "carryover": "20"})
    assert err.value.field == "continuous_enrollment"
