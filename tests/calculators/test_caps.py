"""`calculators.caps`: a service's yearly caps without a bill. Figures from the rule texts: 湖北 1999
统筹基金最高支付限额 = 4 × 当地职工年平均工资; 重庆 2013 全年累计补偿最高限额 一档 7万 / 二档 11万,
儿童重大疾病累加封顶线 一档 10万 / 二档 15万."""

from __future__ import annotations

import pytest

from calculators import CalcError
from calculators.caps import caps


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


def test_the_modifiers_apply_as_in_an_estimate():
    result = caps({"policy": "cq-resident-2013", "service": "inpatient", "tier": 2,
                   "person": {"category": "child", "major_disease": True}})
    assert [c.amount for c in result.caps] == ["150000.00"]
