"""Issue 10, release 26: classes found in the conversations of retired round 25, each tested here on
phrasings of our own — "at most how much" asked of a bill already told, and the papers an injury needs."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def test_at_most_how_much_of_a_told_bill_is_its_capped_estimate(assistant):
    # 重庆 2013, 一档, 二级: (300000 − 300) × 60 % = 179820, over the 7万 cap: the estimate shows 70000.
    *_, reply = talk(assistant, "重庆城乡居民医保，交的一档", "我爸在二级医院住了院，前后花了三十万",
                     "那最多能报好多嘛")
    assert reply.intent == "estimate", reply.answer
    assert "70000" in reply.answer, reply.answer
    assert "300" in reply.answer and "60%" in reply.answer, reply.answer


def test_the_yearly_cap_asked_with_a_period_stays_a_rule_question(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，交的一档", "我爸在二级医院住了院，前后花了三十万",
                     "统筹基金一年最多给付好多")
    assert reply.intent == "policy_question", reply.answer


@pytest.mark.parametrize(("text", "injury"), [("我爸骑车摔了一跤，住进了县医院", True), ("出车祸住院花了两万", True),
                                               ("干活时受了伤，在镇卫生院住了几天", True), ("不是外伤，是胃出血住院", False),
                                               ("买了意外险还能报医保吗", None), ("工伤能走医保吗", None)])
def test_care_for_an_injury_is_read(text, injury):
    assert parse(text).slots.injury is injury


def test_an_injury_told_before_the_estimate_brings_the_papers_the_text_asks_for(assistant):
    # 重庆 2013 asks an injured patient for a 外伤证明 from the village committee: told beside the figure, cited.
    *_, reply = talk(assistant, "我老汉儿在田坎上跌了一跤，在县医院住了一个礼拜，花了八千，能报好多", "重庆的城乡居民，交的一档")
    assert reply.intent == "estimate", reply.answer
    assert "外伤证明" in reply.answer, reply.answer
    assert any("外伤证明" in c.text for c in reply.citations)


def test_no_papers_for_an_illness(assistant):
    *_, reply = talk(assistant, "我老汉儿胃出血在县医院住了一个礼拜，花了八千，能报好多", "重庆的城乡居民，交的一档")
    assert reply.intent == "estimate", reply.answer
    assert "外伤" not in reply.answer, reply.answer


@pytest.mark.parametrize("text", ["拿我爸的卡帮我拿药要得不", "我用我哥的卡买药要得不", "帮我审单子的是不是外包的"])
def test_questions_about_rules_no_dialogue_annotator_asked_are_policy_questions(text):
    # The intent model learns how people ask about any rule from the answer annotators' questions.
    assert parse(text).intent == "policy_question"


@pytest.mark.parametrize("text", ["帮我查下明天天气", "车险怎么买"])
def test_other_topics_stay_out_of_scope(text):
    assert parse(text).intent == "out_of_scope"


def test_a_question_that_tells_nothing_asks_on_about_the_last_subject(assistant):
    # 重庆 2013: 100 元 产前检查 + 400 元 住院分娩 = 500 元; the second question names no care of its own.
    *_, reply = talk(assistant, "重庆城乡居民医保，媳妇怀上了", "生娃儿和产检医保补不补", "那两样合起来总共补好多")
    assert "500" in reply.answer, reply.answer


def test_a_question_with_its_own_subject_starts_afresh(assistant):
    *_, reply = talk(assistant, "重庆城乡居民医保，媳妇怀上了", "生娃儿和产检医保补不补", "慢性病门诊一年报好多")
    assert "500" not in reply.answer, reply.answer


def test_the_stay_of_a_birth_is_the_maternity_service(assistant):
    # 重庆 2013: 100 元 产前检查 + 400 元 住院分娩 = 500 元, asked as "生的时候住院".
    *_, reply = talk(assistant, "重庆城乡居民医保，老婆怀上了", "产检补好多", "那生的时候住院呢，两样一共补好多")
    assert "500" in reply.answer, reply.answer


@pytest.mark.parametrize(("text", "topic"), [("单位按百分之六交，个人账户每月能划进来多少", "个人账户"),
                                             ("按2%扣的，起付线是多少", "起付线"),
                                             ("二级医院是60%吧", "报销比例"), ("能报百分之几", "报销比例")])
def test_a_stated_percentage_yields_the_topic_to_what_is_asked(text, topic):
    assert parse(text).slots.topic == topic


def test_an_employees_monthly_account_credit_from_told_rates_is_computed(assistant):
    # 湖北: 个人 2 % of 4000 = 80 all credited, plus 30 % of the employer's 6 % (240) = 72 → 152 a month.
    *_, reply = talk(assistant, "湖北职工医保，在职的", "月工资4000", "单位按6%交、30%划进个人账户，每个月个人账户进好多")
    assert "152" in reply.answer, reply.answer


def test_a_question_repeating_only_what_is_known_asks_the_last_figure_again(assistant):
    # 桂阳 2018: 大病保险起付线 10000, halved (降低50%) for 低保户 and 建档立卡 → 5000.
    *_, reply = talk(assistant, "桂阳县城乡居民医保，家里是低保户", "大病保险起付线是好多", "那低保户减了以后是好多")
    assert "5000" in reply.answer, reply.answer
