"""Issue 10, release 27: classes found in the conversations of retired round 26 and the train split's
failures, each tested here on phrasings of our own — an amount followed by its period in Chinese
numerals, and a sick child as the clinic calls it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize(("text", "slot", "value"), [
    ("当地社平工资4.2万一年", "local_avg_wage", "42000"),
    ("上年度职工平均工资四万二一年", "local_avg_wage", "42000"),
    ("他月工资八千一个月", "wage", "8000"),
])
def test_an_amount_told_with_its_period_is_read(text, slot, value):
    assert getattr(parse(text).slots, slot) == Decimal(value)


def test_the_average_wage_told_per_year_caps_the_base(assistant):
    # 湖北 1999: base ≤ 300 % of the average wage; 42000 / 12 × 3 = 10500 a month; 2 % of it = 210.
    *_, reply = talk(assistant, "湖北职工医保，月工资两万五", "当地上年度社平工资4.2万一年", "他个人每月缴费按多少基数，扣多少")
    assert reply.intent == "contribution", reply.answer
    assert "10500" in reply.answer and "210" in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["患儿白血病，重庆城乡居民二档", "患儿在县医院住院"])
def test_a_sick_child_as_the_clinic_calls_it_is_a_child(text):
    assert parse(text).slots.person_category == "child"


@pytest.mark.parametrize(("text", "away"), [
    ("我在外地打工，在那边的医院住了几天", True),
    ("娃儿他爸在外省上班，上个月在那边住院了", True),
    ("我在外地打工，回老家县医院住的院", None),
    ("外地户口，在本县住院", False),
    ("我没在外地打工，一直在屋头", None),
])
def test_working_away_is_care_away_unless_care_came_back_home(text, away):
    # Annotators read living and working away as care out of area; care taken back home is not.
    assert parse(text).slots.out_of_area is away


def test_a_level_that_cannot_change_the_capped_figure_is_not_asked(assistant):
    # 重庆 2013, 二档: 30万 reaches the 11万 cap at every level (三级: 45 % of 299,200 = 134,640); 20万 would not.
    *_, reply = talk(assistant, "重庆城乡居民医保，二档", "我老汉儿做手术住院，一共花了30万", "最多能报好多")
    assert reply.intent == "estimate" and reply.kind == "estimate", reply.answer
    assert "110000" in reply.answer and "结果相同" in reply.answer, reply.answer


def test_a_level_that_changes_the_figure_is_still_asked(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，二档", "住院花了8000，能报好多")
    assert reply.kind == "clarification", reply.answer
    assert reply.clarification is not None and reply.clarification.slot == "hospital_level"
