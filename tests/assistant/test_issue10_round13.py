"""Issue 10, round 13: a statement after an estimate that makes the case's own figures exact (the
bill, the hospital's level) asks for that estimate again, one naming anything else stays context;
a rule figure every estimate states, asked beside the amount of a told bill, asks for that case's
estimate. Phrased apart from the dev conversations."""

from __future__ import annotations

from tests.assistant.dialogue_helpers import talk


def test_an_exact_bill_told_after_an_estimate_reestimates_the_case(assistant):
    for exact in ("单子上是两万三千八", "算下来一共23800块"):
        *_, first, reply = talk(assistant, "重庆城乡居民医保，交的一档", "我老汉在三级医院住了院，花了两万左右，能报好多",
                                exact)
        assert first.intent == "estimate"
        assert reply.intent == "estimate", (exact, reply.answer)
        # 一档 三级: 起付线 800, 40 %: (23800 − 800) × 40 % = 9200.
        assert "9200.00" in reply.answer, exact


def test_the_hospital_level_told_after_an_estimate_reestimates_the_case(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，交的一档", "在三级医院住院花了24000，报多少", "住的是二级医院")
    assert reply.intent == "estimate", reply.answer
    # 一档 二级: 起付线 300, 60 %: (24000 − 300) × 60 % = 14220.
    assert "14220.00" in reply.answer


def test_a_person_told_after_an_estimate_stays_context(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，交的一档", "在三级医院住院花了24000，报多少", "他今年七十了")
    assert reply.intent == "statement", reply.answer
    assert "测算" not in reply.answer



def test_a_rule_figure_asked_with_the_amount_of_a_told_bill_is_its_estimate(assistant):
    *_, reply = talk(assistant, "岳池县城镇居民医保，尿毒症，办的特殊大病门诊", "这一年门诊透析花了五千",
                     "门槛费多少，报得了多少")
    assert reply.intent == "estimate", reply.answer
    # 特殊大病门诊: 起付 350, 60 %: (5000 − 350) × 60 % = 2790.
    assert "2790.00" in reply.answer and "350" in reply.answer

