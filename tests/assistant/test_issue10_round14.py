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


def test_a_what_if_that_avoids_a_rule_names_and_cites_the_rule(assistant):
    *_, before, reply = talk(assistant, "重庆城乡居民医保一档", "在市内县外三级医院住的院，没经过同意，花了两万，报多少",
                             "那如果办了转诊手续呢")
    # 一档 三级, 未经同意: (20000 − 840) × 35 % = 6706; 同意后: (20000 − 800) × 40 % = 7680.
    assert "6706.00" in before.answer
    assert "7680.00" in reply.answer, reply.answer
    assert "因已转诊，不适用：" in reply.answer
    assert any("同意" in c.text for c in reply.citations), [c.text for c in reply.citations]


def test_a_first_estimate_names_no_rule_it_avoids(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保一档", "在市内县外三级医院住的院，办了转诊，花了两万")
    assert "7680.00" in reply.answer, reply.answer
    assert "不适用" not in reply.answer


def test_the_approval_said_with_jingguo_is_the_referral_fact():
    from assistant.nlu import parse

    assert parse("没经过同意就去了市里住院").slots.referral is False
    assert parse("经过批准了的").slots.referral is True


def test_a_workplace_told_after_the_insured_region_makes_care_out_of_area(assistant):
    *_, told, reply = talk(assistant, "我是岳池县城镇居民医保", "现在在东莞打工", "在那边二级医院住院花了一万，报多少")
    assert told.intent == "statement" and "县外就医" in told.answer, told.answer
    # 岳池 境外异地: 二级 起付 350 + 300 = 650, 60 % − 5 = 55 %: (10000 − 650) × 55 % = 5142.50.
    assert "5142.50" in reply.answer, reply.answer


def test_cantonese_now_is_no_home_region():
    from assistant.nlu import parse

    # 而家 is 现在, not 家 (home): migrant labour there is no insured region. (返工 is 上班, and
    # employment is: "而家喺深圳返工" reads 深圳 as "现在在深圳上班" does — release 19.)
    slots = parse("而家喺深圳打工").slots
    assert slots.region is None


def test_a_deductible_asked_without_the_tier_is_the_rule_set_s_figure(assistant):
    *_, reply = talk(assistant, "我孙子是重庆城乡居民医保", "他要是在一级医院住院，门槛费多少")
    # 重庆: 一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次 (no tier needed): the 一级
    # figure itself, from the clause (a direct answer) or from the rule set (when the judge finds only
    # related clauses) — not a list of related rules to read it from.
    assert reply.kind in {"answer", "estimate"}, reply.answer
    assert "100" in reply.answer.splitlines()[0], reply.answer
    assert any("100元/次" in c.text for c in reply.citations)


def test_a_household_counted_after_its_home_word_multiplies_the_one_tier_premium(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保", "家里有四个人，都准备交二档", "全家一年一共交多少")
    # 二档 个人筹资150元/人年, 以家庭为单位选择同一档次: 150 × 4 = 600.
    assert "600.00" in reply.answer, reply.answer


def test_how_much_premium_asked_with_haoduo_before_yibao_is_the_contribution(assistant):
    *_, reply = talk(assistant, "湖北职工医保，在职", "每个月工资六千", "我每个月自己交好多医保")
    # 个人缴费为本人工资收入的2%: 6000 × 2 % = 120.
    assert reply.intent == "contribution" and "120.00" in reply.answer, reply.answer
