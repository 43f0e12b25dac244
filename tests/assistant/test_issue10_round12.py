"""Issue 10, round 12: classes of the dev conversations still missed after round 11 — negated
places and kinds of care, a question restating the case told, the kind of care told as context,
the personal-account credit from a told wage, a service paid as a fixed yearly quota, and the short
name of a special outpatient already told. Each test phrases its class in words of its own."""

from __future__ import annotations

from assistant.estimate_bridge import default_note
from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


# ---- negation --------------------------------------------------------------------------------------


def test_a_negated_away_word_is_care_inside_the_area():
    for text in ("在二级医院住的院，没出县", "我们没有去外地看病", "不是异地就医，花了五千"):
        assert parse(text).slots.out_of_area is False, text
    assert parse("在省外住院花了三万").slots.out_of_area is True
    # An A不A question negates nothing.
    assert parse("是不是异地就医要备案").slots.out_of_area is not False


def test_a_negated_kind_of_care_is_not_read_as_that_care():
    assert parse("不是住院，就是门诊开点药").slots.service == "general_outpatient"
    assert parse("他没住院").slots.service is None
    assert parse("在县医院住院花了一万").slots.service == "inpatient"


# ---- the case told -----------------------------------------------------------------------------------


def test_a_question_restating_the_told_case_is_its_estimate(assistant):
    # The out-of-area stay and its bill are told; "县外的咋算" names the same place again, no new topic.
    *_, told, reply = talk(assistant, "岳池县城镇居民医保，三十五岁", "在外省二级医院住院，用了一万",
                           "县外的咋算，报好多")
    assert reply.intent == "estimate", reply.answer
    # 二级 起付 350 + 300 out of area; 60 % − 5 points = 55 %: (10000 − 650) × 55 % = 5142.50.
    assert "5142.50" in reply.answer


def test_the_kind_of_care_told_as_context_is_what_the_question_asks_about(assistant):
    *_, reply = talk(assistant, "重庆的城乡居民", "我一般就是头疼脑热去门诊开点药", "一年最多报几个钱")
    assert reply.grounded and reply.citations, reply.answer
    assert "60.00" in reply.answer  # 普通门诊定额 60元/人年
    assert any("60元/人年" in c.text for c in reply.citations)


# ---- figures the calculators compute from told facts ----------------------------------------------


def test_the_personal_account_credit_is_computed_from_the_told_wage(assistant):
    *_, reply = talk(assistant, "湖北职工医保，在职", "每个月工资五千", "每月能划多少到个人帐户里")
    # 5000 × 2 % = 100 all credited; 5000 × 6 % = 300, 30 % of it = 90: 190 a month.
    assert "190.00" in reply.answer, reply.answer
    quoted = " ".join(c.text for c in reply.citations)
    assert "30%" in quoted and "2%" in quoted


def test_a_fixed_yearly_quota_answers_a_bill_less_amount_question(assistant):
    reply = assistant.ask("重庆普通门诊一年能报多少钱")
    assert "60.00" in reply.answer and reply.citations
    # Its ratio is another topic: the quota is not offered as the answer to it.
    assert "普通门诊定额 60.00" not in assistant.ask("重庆普通门诊报销比例多少").answer


def test_the_short_name_of_a_told_special_outpatient_means_that_one(assistant):
    *_, reply = talk(assistant, "岳池城镇居民医保，我有特殊大病门诊资格", "这次去特门看病用了两千，报好多")
    assert reply.intent == "estimate", reply.answer
    assert "990.00" in reply.answer  # (2000 − 350) × 60 %, the 特殊大病门诊 rule


def test_a_default_is_said_in_words_not_field_names():
    for field in ("deductible_paid_ytd", "ytd_by_pool.special_outpatient", "carryover"):
        note = default_note(field, "0")
        assert not any("a" <= ch.lower() <= "z" for ch in note), note


# ---- facts told, not asked --------------------------------------------------------------------------


def test_a_year_to_date_amount_told_without_asking_is_kept_for_the_next_bill(assistant):
    # "好几回" is a count, not a question: the message tells context.
    assert parse("今年前后住了好几回院，已经报了六万八了").intent == "statement"
    *_, told, reply = talk(assistant, "重庆城乡居民一档", "今年前后住了好几回院，已经报了六万八了",
                           "这次在二级医院又住了，花了一万，还能报多少")
    assert told.intent == "statement"
    # (10000 − 300) × 60 % = 5820, but only 70000 − 68000 = 2000 is left under the 一档 cap.
    assert reply.intent == "estimate" and "2000.00" in reply.answer, reply.answer


def test_an_outpatient_bill_after_a_told_special_outpatient_is_that_care(assistant):
    *_, reply = talk(assistant, "重庆城乡居民 慢性病门诊 一级医院", "今年门诊花了八百", "能报多少")
    # 慢性疾病门诊: no deductible, 一级 80 %: 800 × 80 % = 640 (under the 1000 limit).
    assert "640.00" in reply.answer, reply.answer


# ---- NLU classes -----------------------------------------------------------------------------------


def test_several_tiers_side_by_side_name_none():
    for text in ("一档和二档分别交好多", "到底选一档还是二档"):
        assert parse(text).slots.tier is None, text
    assert parse("不是一档，是二档").slots.tier == 2
    assert parse("我们交的二档").slots.tier == 2


def test_a_rule_word_before_a_clause_break_does_not_take_the_bill_after_it():
    assert parse("起付线怎么算，住院花了一万二").slots.amount == 12000
    assert parse("起付线800是几级医院").slots.amount is None


def test_a_count_word_is_no_question_and_a_told_total_is_context():
    assert parse("前后住了好几回院，报了五万了").intent == "statement"
    assert parse("住了几回院能报几次").intent != "statement"


def test_the_name_of_the_major_disease_outpatient_is_no_diagnosis():
    assert parse("重大疾病门诊一年最多报好多").slots.major_disease is None
    assert parse("娃儿得了白血病").slots.major_disease is True


def test_a_chronic_name_inside_a_major_disease_name_counts_no_chronic_disease():
    slots = parse("医生说娃儿是先天性心脏病").slots
    assert slots.major_disease is True and slots.chronic_disease_count is None
    assert parse("我有高血压和心脏病").slots.chronic_disease_count == 2


def test_several_levels_or_an_unranked_hospital_name_no_level():
    assert parse("一二级医院报销比例一样不").slots.hospital_level is None
    assert parse("在市人民医院住的院").slots.hospital_level is None


def test_a_rule_figure_the_told_facts_fix_is_stated_when_no_clause_is_found(assistant):
    # The premium names the tier (150 → 二档), the township hospital the level (一级): the rule set
    # states the ratio for them, cited, whatever the search makes of the message's words.
    *_, reply = talk(assistant, "重庆的城乡居民医保", "在乡镇卫生院住院报几成", "我屋头交的150那个档，报几成嘛")
    assert "85%" in reply.answer, reply.answer
    assert reply.citations
