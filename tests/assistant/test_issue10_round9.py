"""Issue 10, round 9: contribution special cases the rule sets state and the calculators did not compute.

Each test phrases its class in words of its own (not a dev utterance's), so it checks the class.
"""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk

# ---- a laid-off worker's base: the share of the average wage the clause states -------------------


def test_a_laid_off_worker_pays_on_the_clause_share_of_the_average_wage():
    from calculators.contributions import contribution

    result = contribution({"policy": "hubei-employee-1999", "person": {"laid_off": True}, "local_avg_wage": "50000"})
    base = result.steps[0]
    assert base.amount == "30000.00"  # 60 % of 50000, no wage asked
    assert "再就业服务中心" in base.source.quote
    assert (result.employer, result.individual, result.total) == ("1800.00", "600.00", "2400.00")
    assert not any("wage" in a.text for a in result.assumptions)  # the wage assumptions are not said


def test_a_laid_off_worker_still_needs_the_average_wage():
    from calculators.contributions import contribution
    from calculators.errors import CalcError

    with pytest.raises(CalcError) as exc:
        contribution({"policy": "hubei-employee-1999", "person": {"laid_off": True}})
    assert exc.value.field == "local_avg_wage"


def test_an_employee_in_work_keeps_the_wage_base():
    from calculators.contributions import contribution

    result = contribution({"policy": "hubei-employee-1999", "person": {"retired": False, "laid_off": False},
                           "wage": "40000", "local_avg_wage": "50000"})
    assert result.total == "3200.00"  # 40000 × 8 %, not the laid-off base


def test_laid_off_is_read_from_the_words_and_a_denial():
    assert parse("我们厂垮了，我下岗了").slots.laid_off is True
    assert parse("人在再就业服务中心").slots.laid_off is True
    assert parse("我没下岗，还在厂里").slots.laid_off is False


def test_a_laid_off_worker_told_then_asked_gets_the_clause_base(assistant):
    *_, reply = talk(assistant, "湖北的，原来国企的下岗工人", "我们那里上年度职工平均工资五万",
                     "医保费按什么基数缴，一年多少")
    assert reply.grounded
    assert "30000.00" in reply.answer and "2400.00" in reply.answer
    assert any("再就业服务中心" in c.text for c in reply.citations)


# ---- a household insured at one tier: the premium × its size, where the clause says one tier -----


def test_a_household_total_is_the_premium_times_its_size_under_a_one_tier_clause():
    from calculators.contributions import contribution

    result = contribution({"policy": "cq-resident-2013", "tier": 1, "household_size": 3})
    assert (result.individual, result.household_total) == ("60.00", "180.00")
    assert "以家庭为单位选择同一档次" in result.steps[-1].source.quote


def test_no_household_total_where_no_clause_makes_the_household_one_tier():
    from calculators.contributions import contribution

    result = contribution({"policy": "yuechi-urban-resident-2010", "household_size": 3,
                           "person": {"category": "adult", "low_income": False, "no_support": False}})
    assert result.household_total is None  # members may pay different amounts there


def test_the_household_size_is_read_from_the_words():
    assert parse("家里一共五口人，都在农村").slots.household_size == 5
    assert parse("我们一家三口想参保").slots.household_size == 3
    assert parse("一个人一年交多少").slots.household_size is None


def test_a_household_total_is_given_only_when_the_total_is_asked(assistant):
    *_, total = talk(assistant, "重庆的城乡居民医保，我们一家三口", "都选一档", "全家总共要交多少")
    assert total.grounded and "180.00" in total.answer
    *_, one = talk(assistant, "重庆的城乡居民医保，我们一家三口", "都选一档", "每个人交多少")
    assert "180" not in one.answer and "60.00" in one.answer


# ---- a deductible written as a share of the average wage, with the wage told ----------------------


def test_a_wage_relative_deductible_is_that_share_of_the_wage_without_the_local_ratio():
    from calculators.caps import DEDUCTIBLE_POOL, deductible
    from calculators.errors import CalcError

    result = deductible({"policy": "hubei-employee-1999", "service": "inpatient", "local_avg_wage": "70000"})
    assert [(c.pool, c.amount, c.relative_to) for c in result.caps] == [(DEDUCTIBLE_POOL, "7000.00", "local_avg_wage")]
    assert "10%左右" in result.steps[0].source.quote and result.assumptions  # "左右" taken as 10 %, said
    with pytest.raises(CalcError) as exc:
        deductible({"policy": "hubei-employee-1999", "service": "inpatient"})
    assert exc.value.field == "local_avg_wage"


def test_the_deductible_of_the_average_wage_told_is_computed(assistant):
    *_, reply = talk(assistant, "湖北那边的职工医保", "我们市里上年度职工年平均工资七万", "住院的起付标准是好多")
    assert reply.grounded and "7000.00" in reply.answer
    assert any("10%左右" in c.text for c in reply.citations)


def test_without_the_wage_the_clause_states_the_share(assistant):
    *_, reply = talk(assistant, "湖北那边的职工医保", "住院的起付标准是好多")
    assert reply.estimate is None and "10%" in reply.answer
