"""Issue 10, round 6: classes of the dev conversations still missed after round 5.

Each test phrases its class in words of its own (not a dev conversation's), so it checks the class.
"""

from __future__ import annotations

from assistant.dialogue import asks_for_told_case, interpret
from assistant.facts import Fact
from assistant.nlu import parse
from assistant.state import DialogueState
from tests.assistant.dialogue_helpers import talk


# ---- a bill told as context, then asked about -----------------------------------------------------


def test_a_bill_told_without_asking_is_estimated_when_asked_next(assistant):
    # The bill is told in a statement; the next message asks only "how much" — that case's estimate.
    *_, told, reply = talk(assistant, "重庆城乡居民，一档", "我妈在乡镇卫生院住院，用了四千块", "这个能报多少")
    assert told.intent == "statement"
    assert reply.intent == "estimate"
    assert "3120.00" in reply.answer  # (4000 − 100) × 80 %, 一档一级


def test_a_bill_of_an_answered_question_does_not_carry_into_a_new_one():
    # The bill was told with the last question (and answered then): "能报多少" alone is no new case.
    state = DialogueState(session_id="s", turns=3, question_turn=2, last_intent="policy_question",
                          facts={"amount": Fact(value="8000", turn=2)})
    understanding = parse("学生能报多少")
    assert not asks_for_told_case(state, understanding, {"person_category": "student"})
    state.facts["amount"] = Fact(value="8000", turn=1)
    turn = interpret(state, parse("那个政策是哪年的"), "那个政策是哪年的")
    assert turn.intent == "policy_question"


def test_nothing_new_after_an_estimate_re_asks_it(assistant):
    *_, first, again = talk(assistant, "我是桂阳县的贫困户",
                            "住院报完以后个人还得付一万，还能补多少", "那能再补多少钱")
    assert first.intent == "estimate" and "5000.00" in first.answer  # 50 % of the remainder
    assert again.intent == "estimate" and "5000.00" in again.answer


# ---- NLU classes -----------------------------------------------------------------------------------


def test_a_remainder_said_by_its_parts_is_the_second_round_base():
    # who (自己/个人) + 还/要/得 + a paying verb: the remainder, whatever the order of its parts.
    for text in ("大病保险报完以后个人还得付九千", "报销后自己要掏五千", "报了之后自个儿还要出两千"):
        slots = parse(text).slots
        assert slots.self_paid_remainder is not None, text
        assert slots.amount is None and slots.ytd_reimbursed is None, text
    # With no reimbursement before it, 自己出 is the cost itself.
    assert parse("自己要出三千").slots.self_paid_remainder is None


def test_an_erhua_kin_word_leads_an_age():
    assert parse("我老伴儿七十三了").slots.age == 73
    assert parse("屋头老汉儿今年六十一").slots.person_category == "elderly"


def test_staying_in_again_is_a_second_admission():
    assert parse("上个礼拜又住进去了").slots.admission_index == 2
    assert parse("前天又住院了").slots.admission_index == 2


def test_the_rules_own_approval_word_negated_is_no_referral():
    assert parse("在市内县外住院，未经同意").slots.referral is False


# ---- figures the rule set's modifiers change ------------------------------------------------------


def test_a_figure_asked_under_a_told_modifier_is_the_rule_sets(assistant):
    # 二档 三级, 市内县外 without approval: 800 × 1.05 = 840 and 45 % − 5 points = 40 %, both rules cited.
    *_, reply = talk(assistant, "重庆城乡居民二档", "去了市内县外的三级医院，没办转诊", "起付线现在是多少")
    assert "840.00" in reply.answer and "40%" in reply.answer
    quotes = " ".join(c.text for c in reply.citations)
    assert "800元/次" in quotes and "起付线提高5%" in quotes


def test_a_figure_with_no_modifier_is_the_clauses(assistant):
    *_, reply = talk(assistant, "重庆城乡居民二档", "三级医院住院起付线多少")
    assert reply.estimate is None  # the clause states it: answered from the clause


def test_a_second_stay_lowers_the_deductible_asked_about(assistant):
    *_, reply = talk(assistant, "岳池县城镇居民", "这是今年第二次住院了，在二级医院，起付标准是多少")
    assert "250.00" in reply.answer  # 350 − 100


def test_a_chronic_limit_grows_with_the_diseases_told(assistant):
    *_, reply = talk(assistant, "重庆城乡居民", "我有高血压、糖尿病和冠心病", "慢性病门诊一年最多能报多少")
    assert "1400.00" in reply.answer  # 1000 + 200 × (3 − 1)


def test_caps_grow_with_diseases_like_the_estimate():
    from calculators.caps import caps

    two = caps({"policy": "cq-resident-2013", "service": "chronic_outpatient", "chronic_disease_count": 2})
    assert [c.amount for c in two.caps] == ["1200.00"]
    one = caps({"policy": "cq-resident-2013", "service": "chronic_outpatient", "chronic_disease_count": 1})
    assert [c.amount for c in one.caps] == ["1000.00"]


def test_terms_say_whether_a_modifier_applied():
    from calculators.caps import terms

    base = {"policy": "cq-resident-2013", "service": "inpatient", "hospital_level": 3, "tier": 2}
    plain = terms(base)
    assert (plain.deductible, plain.ratio, plain.modified) == ("800.00", "45%", False)
    penalised = terms({**base, "out_of_area": True, "out_of_city": False, "referral": False})
    assert (penalised.deductible, penalised.ratio, penalised.modified) == ("840.00", "40%", True)


def test_a_rule_sets_figure_needs_the_region_named(assistant):
    # Without a region, the one rule set holding chronic outpatient care is no answer for the asker.
    reply = assistant.ask("高血压和糖尿病两种病，慢性病门诊一年最多报多少")
    assert "1200.00" not in reply.answer
    *_, reply = talk(assistant, "岳池特殊大病门诊最高支付多少")
    assert reply.estimate is None  # the told 大病 does not change 岳池's caps: the clause answers
