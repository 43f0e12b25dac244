"""Exact-reading classes found where release 2's rules read a second annotator (N6) wrongly
(issue 10, round 3). Each class is tested on wording written for this test, not the annotators'."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.nlu import parse


def slots(text: str) -> dict:
    return parse(text, ("重庆", "岳池县", "桂阳县")).slots.model_dump(exclude_none=True)


# ---- a premium said in passing, in any numeral ---------------------------------------------------

@pytest.mark.parametrize("text, premium", [
    ("交的是两百五那个档", Decimal("250")),
    ("俺交的90元的", Decimal("90")),
    ("我交的是二档，350块那个", Decimal("350")),
])
def test_premium_in_passing_is_the_yearly_premium_not_a_bill(text, premium):
    got = slots(text)
    assert got.get("contribution_amount") == premium
    assert "amount" not in got


@pytest.mark.parametrize("text", ["交了四千押金", "我交的是一档"])
def test_a_deposit_or_a_tier_is_no_premium(text):
    assert "contribution_amount" not in slots(text)


# ---- ages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, age, category", [
    ("我老妈今年71，桂阳的", 71, "elderly"),
    ("我今年三十六，没工作", 36, "adult"),
    ("我爸四十多了", 40, "adult"),  # 四十多 is 40–49: an adult whatever the exact age
])
def test_an_age_gives_the_category_by_the_stated_convention(text, age, category):
    got = slots(text)
    assert got["age"] == age and got["person_category"] == category


def test_fifty_odd_is_adult_but_ten_odd_is_not_decided():
    assert slots("我十多岁").get("person_category") is None  # 十多 may be 18 or over


def test_an_upper_age_bound_is_not_an_age():
    assert "age" not in slots("十六岁以下的娃儿住院")


def test_a_lower_age_bound_is_the_youngest_members_age():
    # Release 23: the annotators read "60岁以上的老人" as 60 in every dev utterance; the group's
    # category is decided by its lower bound either way (`slots._AGE_FROM`).
    got = slots("70岁以上的老人交多少")
    assert (got["age"], got["person_category"]) == (70, "elderly")


# ---- a child at school is a student --------------------------------------------------------------

@pytest.mark.parametrize("text", ["孙子在桂阳读初三", "两个孩子都还在念书", "女儿读小学三年级"])
def test_a_child_at_school_is_a_student(text):
    assert slots(text)["person_category"] == "student"


def test_a_child_not_at_school_is_no_student():
    assert slots("娃儿没读书，6岁").get("person_category") == "child"


# ---- a denied value is replaced by the one said next -----------------------------------------------

@pytest.mark.parametrize("text, slot, value", [
    ("说错了，不是二级医院，是村里的卫生室", "hospital_level", 1),
    ("不是一档，是二档的", "tier", 2),
    ("不是新农合，我们是职工医保", "scheme", "职工"),
    ("不是第二次，是第三次住院", "admission_index", 3),
])
def test_a_denied_value_gives_way_to_the_one_said_next(text, slot, value):
    assert slots(text)[slot] == value
