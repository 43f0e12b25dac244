"""Issue 10's examples, each against the real stack (knowledge base over the bundled corpus, the
calculators' rule sets, the NLU). Figures are hand-computed from 重庆 2013 城乡居民: 起付线 三级 800,
二档 三级 45 %, 一般封顶 二档 11万, 儿童重大疾病封顶 二档 15万."""

from __future__ import annotations

import pytest

from assistant.session_store import InMemorySessionStore


@pytest.fixture(scope="module")
def assistant(kb):
    from assistant.estimate_bridge import CalculatorPort
    from assistant.service import Assistant

    port = CalculatorPort.default()
    return Assistant(kb, port, InMemorySessionStore(), calculators=port)


def talk(assistant, *messages):
    session, replies = None, []
    for m in messages:
        reply = assistant.ask(m, session_id=session)
        session = reply.session_id
        replies.append(reply)
    return replies


def test_a_statement_of_context_is_acknowledged_and_kept_not_searched(assistant):
    (reply,) = talk(assistant, "我在重庆参加的城乡居民医保")
    assert reply.intent == "statement" and not reply.citations
    assert "重庆 · 城乡居民" in reply.answer and "没有找到" not in reply.answer
    assert {(f.slot, f.value, f.origin) for f in reply.remembered} >= {("region", "重庆", "said"), ("scheme", "城乡居民", "said")}


def test_a_stated_premium_is_read_as_its_tier_and_used_by_the_estimate(assistant):
    replies = talk(assistant, "我在重庆参加的城乡居民医保", "每年交150元那个档次", "在三级医院住院花了2万能报多少")
    tier = next(f for f in replies[1].remembered if f.slot == "tier")
    assert tier.value == 2 and tier.origin == "inferred"
    last = replies[-1]
    assert last.intent == "estimate" and last.slots["tier"] == 2
    assert "8640.00" in last.answer  # (20000 - 800) × 45 %


def test_a_child_with_a_major_disease_gets_the_child_major_disease_cap(assistant):
    replies = talk(assistant, "重庆城乡居民，交的二档", "孩子7岁，医生说是重大疾病", "在三级医院住院花了50万")
    assert replies[1].slots["person_category"] == "child" and replies[1].slots["major_disease"] is True
    last = replies[-1]
    assert last.estimate is not None
    assert last.estimate["reimbursed"] == "150000.00"  # capped at 15万, not the general 11万
    assert any("儿童重大疾病" in c.text for c in last.citations)


def test_a_person_category_answered_by_a_statement_is_not_asked_again(assistant):
    replies = talk(assistant, "我爸五十多了，在家没上班", "岳池县城镇居民，在二级医院住院花了1万能报多少")
    assert replies[0].slots["person_category"] == "adult"
    assert replies[-1].clarification is None or replies[-1].clarification.slot != "person_category"


def test_topic_facts_do_not_leak_into_an_unrelated_question_while_identity_facts_carry(assistant):
    replies = talk(assistant, "重庆城乡居民二档", "在县外住院少报多少", "我是学生住院能报多少")
    assert replies[1].slots.get("out_of_area") is True
    last = replies[-1]
    assert "out_of_area" not in last.slots
    assert last.slots["region"] == "重庆" and last.slots["tier"] == 2 and last.slots["person_category"] == "student"
    assert all("县外" not in c.text for c in last.citations)


def test_a_correction_replaces_the_fact_and_reruns_the_question(assistant):
    replies = talk(assistant, "重庆城乡居民一档，在三级医院住院花了2万能报多少", "不对，是二档")
    assert "7680.00" in replies[0].answer  # (20000 - 800) × 40 %
    last = replies[-1]
    assert last.slots["tier"] == 2 and "8640.00" in last.answer


def test_a_stated_average_wage_is_remembered_for_the_employee_cap(assistant):
    replies = talk(assistant, "我们这儿去年社平工资6万左右", "统筹基金一年最多付多少")
    assert replies[0].intent == "statement"
    assert str(replies[-1].slots["local_avg_wage"]) == "60000"
    assert any("4倍" in c.text for c in replies[-1].citations)
    assert "240000" in replies[-1].answer  # 4 × 60000, the 湖北 rule's multiple of the stated wage


def test_the_employee_cap_asks_for_the_average_wage_once_then_computes(assistant):
    replies = talk(assistant, "我是湖北的，单位上买的职工医保", "统筹最高能付多少", "当地职工年平均工资大概48000，那最高付多少")
    assert replies[1].clarification is not None and replies[1].clarification.slot == "local_avg_wage"
    last = replies[-1]
    assert last.clarification is None
    assert "192000" in last.answer  # 4 × 48000
    assert any("4倍" in c.text for c in last.citations)


def test_dialect_and_voice_typos_are_understood():
    from assistant.nlu import parse

    assert parse("婆娘有喜了").slots.service == "maternity"
    assert parse("七付线多少").slots.topic == "起付线"


def test_no_slot_is_asked_twice_across_the_dev_conversations(assistant):
    from assistant.conversation_eval import run_conversation
    from assistant.dialogue_annotations import load_split

    twice = {}
    for conv in load_split("conversations", "dev"):
        result = run_conversation(assistant, conv)
        if result.asked_twice:
            twice[conv.id] = result.asked_twice
    assert twice == {}
