"""Issue 10, release 16: classes found in the retired round-15 conversations, each tested here on
phrasings of our own — a district under a municipality's rule set, a place of care with an
out-of-area word before it, what is left of the year's cap, a corrected figure that is not the
bill, another family member's stay, a correction whose lead looks like a question, and the
premium that fixed the tier cited beside a clause answer."""

from __future__ import annotations

import pytest

from assistant.dialogue import premium_as_tier
from assistant.nlu import parse
from assistant.nlu.regions import rule_region_applies
from tests.assistant.dialogue_helpers import talk


def test_a_rule_set_applies_to_places_inside_its_region_only():
    assert rule_region_applies("重庆", "万州区")
    assert rule_region_applies("重庆", "重庆市")
    assert not rule_region_applies("岳池县", "四川")  # a province's enrollee is not under a county's rules
    assert not rule_region_applies("重庆", "岳池县")


def test_a_district_s_enrollee_is_estimated_under_the_municipality_s_rules(assistant):
    *_, reply = talk(assistant, "万州的，城乡居民医保，交的60块那档", "在二级医院住院花了八千，能报好多")
    # 重庆 2013, 一档 (60元), 二级: (8000 − 300) × 60% = 4620.
    assert reply.kind == "estimate", reply.answer
    assert "4620.00" in reply.answer, reply.answer


def test_a_place_of_care_after_an_out_of_area_word_is_not_the_insured_region(assistant):
    *_, reply = talk(assistant, "我是岳池县城镇居民，成年人", "去省外西安的三甲医院住的院", "花了三万，统筹能报好多")
    # 岳池县 2009, 三级 outside the county: deductible 550 + 300, ratio 55% − 5 points:
    # (30000 − 850) × 50% = 14575.
    assert "14575.00" in reply.answer, reply.answer
    state = assistant.store.get(reply.session_id)
    assert state is not None and state.slots.get("region") == "岳池县", state.slots if state else None


@pytest.mark.parametrize("text", ["剩下的额度还有好多", "今年还剩余多少可报", "余下的限额是多少"])
def test_what_is_left_of_the_cap_is_a_cap_question(text):
    assert parse(text).slots.topic == "封顶线"


def test_what_is_left_of_the_cap_subtracts_what_was_told_as_reimbursed(assistant):
    *_, reply = talk(assistant, "重庆城乡居民，一档", "今年报销了6万了", "剩下的额度还有好多")
    # 一档 cap 7万 − 6万 already reimbursed.
    assert "10000.00" in reply.answer, reply.answer


def test_a_bare_corrected_figure_replaces_the_money_fact_told_last(assistant):
    *_, corrected, reply = talk(assistant, "湖北职工医保", "当地社平工资四万", "说错了，是四万八", "统筹基金一年最多付多少")
    assert "48000" in corrected.answer, corrected.answer
    # 4 × 48000.
    assert "192000.00" in reply.answer, reply.answer


def test_another_family_member_s_stay_is_a_new_case(assistant):
    *_, first, second = talk(assistant, "重庆城乡居民二档",
                             "我老汉在市外三级医院住院花了两万，没办外诊登记，报好多",
                             "还有我婆娘在镇卫生院住了院，花了两千，报好多")
    # 二档 三级 outside the city unregistered: (20000 − 840) × (45% − 5 points) = 7664.
    assert "7664.00" in first.answer, first.answer
    # The wife's stay in the township: no out-of-area terms: (2000 − 100) × 85% = 1615.
    assert second.kind == "estimate", second.answer
    assert "1615.00" in second.answer, second.answer


@pytest.mark.parametrize("text", ["不对不对，是一档", "错了错了，我们是三级医院", "说错了，交的是150那档"])
def test_a_message_that_takes_back_and_retells_is_a_correction(text):
    assert parse(text).intent == "correction"


def test_a_correction_lead_before_a_real_question_leaves_it_a_question():
    assert parse("不是说住院能报八成吗").intent != "correction"


def test_the_part_telling_the_premium_reads_as_its_tier():
    evidence = {"contribution_amount": "150", "topic": "几成"}
    assert premium_as_tier("交的150那档，住院报几成", evidence, 2) == "二档，住院报几成"
    assert premium_as_tier("交的150那档，住院报几成", evidence, None) == "交的150那档，住院报几成"


def test_a_clause_answer_read_for_the_tier_a_premium_implies_cites_the_premium(assistant):
    *_, reply = talk(assistant, "我们是重庆城乡居民", "我交的60那个，三级医院报几成")
    assert "40%" in reply.answer, reply.answer
    assert any("个人筹资60元" in c.text for c in reply.citations), [c.text for c in reply.citations]
