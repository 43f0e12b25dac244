"""One unit test per failure class of the second held-out round (docs/first-runs/heldout-round2.md),
on dev wording. Expected values are written by hand from the clauses quoted in the comments."""

from decimal import Decimal

import pytest

import calculators
from assistant.estimate_bridge import (
    PolicyInfo,
    conditional_contribution_request,
    doubtful_default,
    relief_services,
)
from assistant.nlu import parse
from assistant.nlu.numbers import find_numbers
from assistant.select import query_terms

REGIONS = ("重庆", "岳池县", "桂阳县")


# ---- 1. care outside the city ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("重庆一档 常年在外省住 在那边住院两万 没办登记", True),
    ("重庆一档 跨省住院两万", True),
    ("重庆一档 市内县外的医院住院两万", False),
    ("重庆一档 县外住院两万", None),  # 县外 says nothing about the city: left for the assistant to ask
    ("重庆一档 本县住院两万", None),  # not out of area at all: never read
])
def test_out_of_city_only_from_words_that_say_it(text, expected):
    assert parse(text, known_regions=REGIONS).slots.out_of_city is expected


def test_a_default_the_message_leaves_open_is_doubtful_only_for_care_out_of_area():
    result = {"defaults": {"out_of_city": "false", "uncovered_cost": "0"}}
    assert doubtful_default(result, {"out_of_area": True}) == ("out_of_city", True)
    assert doubtful_default(result, {"out_of_area": False}) is None
    assert doubtful_default(result, {"out_of_area": True, "out_of_city": False}) is None
    assert doubtful_default({"defaults": {"uncovered_cost": "0"}}, {"out_of_area": True}) is None


# ---- 2. special-outpatient 再次补助 under either outpatient service -------------------------------

def _policy(services):
    return PolicyInfo(id="p", title="t", region="r", year=2018, scheme="城乡居民", services=services)


def test_relief_services_of_a_special_outpatient_include_its_sibling():
    policies = [_policy(["inpatient_poverty_relief", "major_disease_outpatient_poverty_relief"])]
    assert relief_services(policies, "chronic_outpatient") == ["major_disease_outpatient_poverty_relief"]
    assert relief_services(policies, "major_disease_outpatient") == ["major_disease_outpatient_poverty_relief"]
    assert relief_services(policies, "inpatient") == ["inpatient_poverty_relief"]
    assert relief_services(policies, "general_outpatient") == []


# ---- 3. employee contribution without the local average wage -------------------------------------

def test_conditional_contribution_takes_the_wage_as_base_and_says_so():
    request, notes = conditional_contribution_request({"policy": "hubei-employee-1999", "wage": "6000"})
    assert request["wage_within_bounds"] is True and request["person"] == {"retired": False}
    assert notes == ["按在职职工计（退休人员个人不缴费）"]
    result = calculators.contribution(request)
    assert result.individual == "120.00"  # 6000 × 2 %
    assert result.employer == "360.00"  # 6000 × 6 %
    texts = " ".join(a.text for a in result.assumptions)
    assert "60%" in texts and "300%" in texts


def test_with_the_average_wage_the_clamp_still_applies():
    result = calculators.contribution({"policy": "hubei-employee-1999", "wage": "6000", "local_avg_wage": "60000",
                                       "wage_within_bounds": True, "person": {"retired": False}})
    assert result.individual == "720.00"  # floor 60 % × 60000 = 36000; × 2 %


# ---- 4. everyday wording of a rule -----------------------------------------------------------------

def test_everyday_words_bring_the_policy_words_for_carry_over():
    terms = query_terms("门诊那点钱没花完 明年能继续用不")
    words = {w for alts, _ in terms.topic for w in alts}
    assert {"结转", "余额"} <= words
    assert not any("那点" in alts for alts, _ in terms.topic)


# ---- 5. dialect, inserted words, channels, compact amounts ------------------------------------------

@pytest.mark.parametrize("text, intent, topic", [
    ("交了医保几时可以报", "policy_question", "待遇期限"),
    ("职工医保每个月扣几多", "contribution", "缴费标准"),
    ("城乡居民医保哪个月份开始交", "policy_question", "缴费时间"),
    ("医保能用手机银行交吗", "contribution", "缴费方式"),
])
def test_dialect_inserted_words_and_channels(text, intent, topic):
    u = parse(text, known_regions=REGIONS)
    assert (u.intent, u.slots.topic) == (intent, topic)


def test_cantonese_thanks():
    assert parse("唔该晒 好清楚", known_regions=REGIONS).intent == "thanks"


@pytest.mark.parametrize("text, value", [("1w5,二级", "15000"), ("2k5。", "2500"), ("1w5,000", "10000")])
def test_compact_amount_with_a_trailing_digit_before_a_clause_break(text, value):
    assert find_numbers(text)[0].value == Decimal(value)
