"""Issue 10, round 10: a major-illness layer's deductible under a told status, and the clause of a tier
read from the premium the user told. Each test phrases its class in words of its own."""

from __future__ import annotations

from tests.assistant.dialogue_helpers import talk

# ---- a named 大病保险's deductible where a told status brings in its modifier (桂阳 2018) --------------


def test_the_major_illness_deductible_of_a_low_income_household_is_computed(assistant):
    *_, reply = talk(assistant, "我们是桂阳县的低保户，参加的城乡居民医保", "那大病保险起付线要多少钱")
    assert reply.grounded
    assert "5000.00" in reply.answer
    assert any("大病保险补偿起付线降低50%" in c.text for c in reply.citations)


def test_without_a_status_that_changes_it_the_clause_answers(assistant):
    *_, reply = talk(assistant, "桂阳县城乡居民医保", "大病保险起付线要多少钱")
    assert "5000.00" not in reply.answer


# ---- the tier read from the premium told: its clause is cited with the estimate ------------------


def test_an_estimate_on_the_tier_of_the_premium_told_cites_the_premium_clause(assistant):
    *_, reply = talk(assistant, "重庆的城乡居民医保，每年交150块那种", "在二级医院住院花了一万，能报好多")
    assert reply.intent == "estimate" and reply.grounded
    assert any("二档:个人筹资150元/人年" in c.text for c in reply.citations)
    assert "档次按您所交的金额推定" in reply.answer


def test_a_tier_said_by_name_cites_no_premium(assistant):
    *_, reply = talk(assistant, "重庆的城乡居民医保，二档", "在二级医院住院花了一万，能报好多")
    assert reply.intent == "estimate"
    assert not any("个人筹资150元" in c.text for c in reply.citations)
    assert "档次按您所交的金额推定" not in reply.answer
