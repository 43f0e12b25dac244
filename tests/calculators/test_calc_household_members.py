"""A household's premium when its members pay by their group (岳池 城镇居民: 成年居民, 中小学生, 学龄前儿童,
低保): each kind priced with its cited clause, the total their sum (issue 10's household totals)."""

from __future__ import annotations

import pytest

from calculators.contributions import contribution
from calculators.errors import CalcError


def _members(*kinds: tuple[dict, int]) -> list[dict]:
    return [{"person": person, "count": count} for person, count in kinds]


def test_two_adults_and_a_preschool_child_add_up_by_group():
    result = contribution({"policy": "yuechi-urban-resident", "date": "2010-06-01",
                           "members": _members(({"category": "adult"}, 2), ({"category": "child"}, 1))})
    assert result.household_total == "350.00" and result.household_size == 3
    assert [(m.label, m.individual, m.count) for m in result.members] == [
        ("成年居民", "170.00", 2), ("学龄前儿童及未成年居民", "10.00", 1)]
    cited = [s for s in result.steps if s.source is not None]
    assert len(cited) == 2  # each group's premium cites its clause; the sum is arithmetic
    assert result.steps[-1].formula == "170.00 × 2人 + 10.00 × 1人 = 350.00"


def test_a_low_income_member_pays_the_low_income_premium():
    result = contribution({"policy": "yuechi-urban-resident", "date": "2010-06-01", "members": _members(
        ({"category": "adult"}, 1), ({"category": "elderly", "low_income": True}, 1), ({"category": "child"}, 1))})
    assert result.household_total == "270.00"  # 170 + 90 + 10


def test_the_year_chooses_the_premiums():
    result = contribution({"policy": "yuechi-urban-resident", "date": "2009-06-01", "members": _members(
        ({"category": "adult"}, 2), ({"category": "student"}, 1), ({"category": "child"}, 1))})
    assert result.household_total == "185.00"  # 85 × 2 + 10 + 5


def test_a_member_of_unknown_group_is_refused_by_name():
    with pytest.raises(CalcError) as err:
        contribution({"policy": "yuechi-urban-resident", "date": "2010-06-01",
                      "members": _members(({"category": "adult"}, 1), ({}, 1))})
    assert "家庭成员" in str(err.value)


def test_a_one_tier_household_counts_its_members():
    result = contribution({"policy": "cq-resident", "tier": 2, "date": "2013-06-01", "members": _members(({"category": "adult"}, 2),
                                                                                  ({"category": "child"}, 2))})
    assert result.household_size == 4 and result.household_total == "600.00"  # 150 × 4
