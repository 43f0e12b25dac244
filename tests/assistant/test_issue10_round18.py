"""Issue 10, release 17: classes found in the retired round-16 conversations, each tested here on
phrasings of our own — a premium named with its tier but no paying verb, a request to have the
figure worked out, a message that says it changes the subject, and the cap of the tier told when
the clauses offer only related rules."""

from __future__ import annotations

import pytest

from assistant.dialogue import opens_new_question
from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text, premium", [("150块钱那个档次", 150), ("我们是60元的那档", 60), ("就是150元那一档", 150)])
def test_a_premium_naming_its_tier_is_a_premium_not_a_bill(text, premium):
    understanding = parse(text)
    assert understanding.slots.contribution_amount == premium
    assert understanding.slots.amount is None


@pytest.mark.parametrize("text", ["帮我算一哈嘛", "你给我算下", "麻烦核一下", "那帮我计算一下"])
def test_asking_to_have_the_figure_worked_out_is_an_estimate(text):
    assert parse(text).intent == "estimate"


@pytest.mark.parametrize("text", ["另外想问下，门诊能报吗", "嗯，还有个问题：住院起付线多少", "顺便问一句，学生怎么交"])
def test_a_message_opening_with_a_change_of_subject_opens_a_new_question(text):
    assert opens_new_question(text)
    assert not opens_new_question("门诊能报吗")


@pytest.mark.parametrize("text", ["这个怎么算", "住院和门诊算不算在一起", "帮我算下养老金"])
def test_asking_how_a_rule_counts_or_about_another_insurance_is_no_computation_request(text):
    assert parse(text).intent != "estimate"


def test_a_request_to_compute_after_an_estimate_gives_the_estimate_again(assistant):
    *_, estimate, again = talk(assistant, "岳池县城镇居民，成年人", "在县医院住院花了八千，二级医院", "你帮我算一哈嘛")
    assert estimate.kind == "estimate", estimate.answer
    # 岳池县 2009, 二级: (8000 − 350) × 60% = 4590.
    assert again.kind == "estimate", again.answer
    assert "4590.00" in again.answer, again.answer


def test_a_message_that_changes_the_subject_drops_the_last_question_s_place(assistant):
    *_, reply = talk(assistant, "重庆城乡居民，一档", "要是去县外三级医院住院，要办什么手续",
                     "好的。另外想问下，家里老人在镇上卫生院住院花了三千，报多少")
    # 重庆 2013 一档, 一级 (乡镇卫生院) in the county: (3000 − 100) × 80% = 2320 — no out-of-area question.
    assert reply.clarification is None, reply.answer
    assert "2320.00" in reply.answer, reply.answer


def test_the_cap_of_the_tier_told_is_given_when_the_clauses_only_relate(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保", "我们交的是150元那档", "封顶好多")
    # 重庆 2013: 二档 (150元) caps the year at 11万.
    assert "110000" in reply.answer or "11万" in reply.answer, reply.answer
    assert any("最高限额" in c.text for c in reply.citations), [c.text for c in reply.citations]
