"""Issue 10, round 14: the payments of the year the user told count against the cap a later
"最多还能报多少" asks about — the rest of the cap, computed by the calculators from the told figure,
not the cap itself. Phrased apart from the dev conversations."""

from __future__ import annotations

from tests.assistant.dialogue_helpers import talk


def test_what_is_left_of_the_cap_after_the_year_s_payments(assistant):
    *_, reply = talk(assistant, "我是重庆城乡居民医保二档的", "今年已经报销了十万块了", "那今年还剩多少额度能报")
    assert reply.intent == "policy_question", reply.answer
    # 二档 全年累计补偿最高限额 11万: 110000 − 100000 = 10000.
    assert "110000.00" in reply.answer and "10000.00" in reply.answer
    assert reply.citations


def test_without_the_year_s_payments_the_cap_itself_answers(assistant):
    *_, reply = talk(assistant, "我是重庆城乡居民医保二档的", "住院一年最多能报多少")
    assert "剩余额度" not in reply.answer
    assert "11万" in reply.answer or "110000" in reply.answer, reply.answer


def test_a_cap_replaced_for_a_child_s_major_disease_cites_the_tier_read_from_the_premium(assistant):
    *_, reply = talk(assistant, "孙女8岁，重庆城乡居民医保", "查出来是白血病", "一年交的一百五", "一年最多报好多")
    # 二档 (150元/人年) 儿童重大疾病累加封顶线 15万, replacing the general 11万.
    assert "150000.00" in reply.answer, reply.answer
    assert "（二档）" in reply.answer and "档次按您所交的金额推定" in reply.answer
    assert any("150元" in c.text for c in reply.citations), [c.text for c in reply.citations]
