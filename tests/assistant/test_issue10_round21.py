"""Issue 10, release 20: classes found in the retired round-19 conversations, each tested here on
phrasings of our own — a figure denied beside the one meant, a premium said after a bare paying
verb, a year alone as the follow-up, a tier told before a family member was named, a question that
points back at the case told, and a premium question from a payer whose wage or status is known."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def test_a_denied_figure_corrects_the_fact_it_was(assistant):
    *_, estimate = talk(assistant, "重庆城乡居民一档，我爸在县医院住院花了3万", "搞错了，不是3万，是3千")
    assert estimate.kind == "estimate", estimate.answer
    assert estimate.slots["amount"] == "3000", estimate.slots
    # 二级 300 deductible, 60 %: (3000 − 300) × 60 % = 1620
    assert "1620.00" in estimate.answer, estimate.answer


def test_a_denied_age_corrects_the_age_not_a_cost(assistant):
    *_, reply = talk(assistant, "岳池县的，我妈65了", "我妈是56岁不是65")
    assert reply.slots["age"] == 56 and "amount" not in reply.slots, reply.slots


def test_denying_a_figure_nobody_told_changes_nothing_it_did_not_name(assistant):
    *_, reply = talk(assistant, "重庆城乡居民一档", "不是500是800")
    assert "age" not in reply.slots and "ytd_reimbursed" not in reply.slots


@pytest.mark.parametrize("text, premium", [
    ("城乡居民医保，我交60的", 60),
    ("我交的是150那个二档", 150),
    ("去年又交了一百五", 150),
])
def test_a_paying_verb_before_a_tabled_premium_tells_the_premium(text, premium):
    slots = parse(text).slots
    assert slots.contribution_amount == premium and slots.amount is None


def test_a_paying_verb_before_a_figure_no_table_holds_is_no_premium():
    assert parse("交了370").slots.contribution_amount is None


@pytest.mark.parametrize("text, year", [("2011呢", 2011), ("那2010年度的呢", 2010)])
def test_a_year_alone_is_the_year_asked_not_money(text, year):
    slots = parse(text).slots
    assert slots.year == year and slots.amount is None


def test_a_year_follow_up_asks_the_same_premium_for_that_year(assistant):
    *_, first, second = talk(assistant, "岳池县的，孩子3岁，还没上学", "2009年小孩交多少", "2010呢")
    assert first.kind == "estimate" and second.kind == "estimate", second.answer
    assert second.slots["year"] == 2010 and "2010" in second.answer, second.answer


def test_a_tier_told_before_a_family_member_cites_the_household_rule(assistant):
    *_, estimate = talk(assistant, "重庆城乡居民，我们交的二档", "我妈在县医院住院花了五千，能报多少")
    assert estimate.kind == "estimate", estimate.answer
    assert any("以家庭为单位选择同一档次" in c.text for c in estimate.citations), estimate.citations
    assert "档次按家庭计" in estimate.answer, estimate.answer


def test_a_tier_told_with_the_patient_needs_no_household_rule(assistant):
    (estimate,) = talk(assistant, "重庆城乡居民二档，我妈在县医院住院花了五千，能报多少")
    assert estimate.kind == "estimate", estimate.answer
    assert "档次按家庭计" not in estimate.answer


def test_a_question_pointing_back_at_the_case_keeps_its_bill(assistant):
    *_, estimate = talk(assistant, "重庆城乡居民一档，在二级医院住院花了九千", "就是本县的医院，照这个给我算下")
    assert estimate.kind == "estimate", estimate.answer
    assert estimate.slots.get("amount") == "9000", estimate.slots


def test_paying_every_year_on_time_is_continuous_enrollment():
    assert parse("每年都按时交了的").slots.continuous_enrollment is True


def test_a_premium_question_from_a_laid_off_worker_is_computed(assistant):
    *_, reply = talk(assistant, "湖北的，下岗了", "当地社平工资四万", "医保费按啥子基数交")
    assert reply.kind == "estimate", reply.answer
    # the laid-off base is 60 % of the average wage: 0.6 × 40000 = 24000
    assert "24000.00" in reply.answer, reply.answer
    assert reply.slots.get("scheme") == "职工"


def test_a_retired_worker_asking_whether_premiums_are_deducted_gets_the_rule_figure(assistant):
    *_, reply = talk(assistant, "湖北职工医保，已经退休了", "退了休还扣不扣医保")
    assert reply.kind == "estimate", reply.answer
    assert "0.00 元" in reply.answer and "退休" in reply.answer, reply.answer


def test_the_quota_named_before_last_years_balance_is_no_bill():
    slots = parse("去年门诊那六十块还剩了二十块没用").slots
    assert slots.carryover == 20 and slots.amount is None


def test_this_years_quota_adds_the_balance_carried_over(assistant):
    *_, reply = talk(assistant, "重庆城乡居民，每年都按时交了的", "去年普通门诊那60块还剩15块没用完", "今年门诊总共可以用多少")
    assert reply.kind == "estimate", reply.answer
    # 60 quota + 15 carried over (continuous enrolment) = 75
    assert "75.00" in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["医保按啥基数缴", "我交的基数是好多"])
def test_the_base_a_premium_is_paid_on_is_a_premium_topic(text):
    assert parse(text).slots.topic == "缴费标准"


@pytest.mark.parametrize("text, period", [("我月工资6000", "month"), ("工资8000一个月", "month"), ("我年薪12万", "year"),
                                          ("一年工资7万2", "year")])
def test_a_wage_is_monthly_unless_said_yearly(text, period):
    assert parse(text).slots.wage_period == period


def test_a_monthly_wage_above_the_floor_is_not_compared_with_the_yearly_average(assistant):
    """月工资6000 against 社平 6万 a year: the base is 72000 a year (within 36000–180000), 2 % = 120 a
    month — not the floor 36000 the monthly figure would fall under if compared as it is."""
    *_, reply = talk(assistant, "湖北的职工医保，社平工资一年6万", "我月工资6000，个人每个月交好多")
    assert reply.kind == "estimate", reply.answer
    assert "个人每月缴费 120.00 元" in reply.answer, reply.answer


def test_a_monthly_average_wage_is_made_yearly():
    slots = parse("当地上年度职工月平均工资2500").slots
    assert slots.local_avg_wage == 30000


def test_a_monthly_wage_asked_per_year_gives_the_yearly_figure(assistant):
    *_, reply = talk(assistant, "湖北职工医保，社平工资一年6万", "我月工资6000，个人一年交好多")
    assert reply.kind == "estimate", reply.answer
    assert "个人缴费 1440.00 元" in reply.answer, reply.answer  # 6000 × 12 × 2 %


def test_a_laid_off_workers_premium_asked_per_month(assistant):
    *_, reply = talk(assistant, "湖北国企下岗的", "当地上年度职工月平均工资2500", "医保费一个月一共交多少")
    assert reply.kind == "estimate", reply.answer
    # base 60 % × 30000 = 18000 a year = 1500 a month; 6 % + 2 % of 1500 = 120
    assert "合计 120.00 元" in reply.answer and "缴费基数每月 1500.00 元" in reply.answer, reply.answer


def test_a_follow_up_naming_another_topic_asks_that_topic(assistant):
    *_, first, second = talk(assistant, "岳池县二级医院住院起付线是多少", "那报销比例呢")
    assert "报销比例" in second.answer or "%" in second.answer, second.answer
    assert second.answer != first.answer


def test_the_yearly_cap_asked_after_a_deductible_question_is_the_tiers_cap(assistant):
    *_, reply = talk(assistant, "重庆城乡居民，交的150那档", "住院起付线多少", "那一年最多报好多")
    assert "110000.00" in reply.answer or "11万" in reply.answer, reply.answer


def test_childbirth_asked_as_a_whole_gives_the_subsidies_sum(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保", "生孩子医保能补多少钱")
    assert reply.kind == "estimate", reply.answer
    assert "500.00" in reply.answer, reply.answer  # 100 产前检查 + 400 住院分娩


def test_one_part_of_childbirth_is_the_clauses_answer(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保", "产检能补多少钱")
    assert "500.00" not in reply.answer, reply.answer



def test_a_refused_question_is_judged_again_with_the_message_before_it():
    """Unit level (keyword knowledge base): "那个要多少钱" finds nothing alone; with the message
    before it ("说的是重庆住院的门槛") in front, the clause on 门槛 answers — and alone, still nothing."""
    from assistant.service import Assistant
    from assistant.session_store import InMemorySessionStore
    from tests.assistant.assistant_fakes import default_kb, fake_parse, fake_port

    assistant = Assistant(default_kb(), fake_port(), InMemorySessionStore(), nlu=fake_parse)
    alone = assistant.ask("那个要多少钱")
    assert not alone.citations
    first = assistant.ask("说的是重庆住院的门槛")
    second = assistant.ask("那个要多少钱", first.session_id)
    assert [c.chunk_id for c in second.citations] == ["cq-1"], second.answer
