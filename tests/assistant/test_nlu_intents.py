"""Intent rules and follow-up detection, plus the accuracy floor on the labelled set."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.nlu import parse
from assistant.nlu.evaluate import CaseError, format_report, main, run


@pytest.mark.parametrize(
    "text, intent",
    [
        ("住院花了2万能报多少", "estimate"),
        ("岳池 学生 住院 二级 8000", "estimate"),
        ("自费5000能报吗", "estimate"),
        ("住院能报多少", "policy_question"),  # no cost given: a policy question
        ("起付线是多少", "policy_question"),
        ("一年交多少钱", "contribution"),
        ("个人缴费标准", "contribution"),
        ("工资5000每月扣多少医保", "contribution"),
        ("医保怎么交", "contribution"),  # how to pay the premium
        ("看病要先交钱吗", "policy_question"),  # paying the hospital, not the scheme
        ("住院押金要交多少", "policy_question"),
        ("你们是谁", "greeting"),  # about the assistant itself: the self-introduction
        ("你能干什么", "greeting"),
        ("你能帮我算住院报销吗", "policy_question"),
        ("你好", "greeting"),
        ("在吗", "greeting"),
        ("谢谢", "thanks"),
        ("好的", "thanks"),
        ("人工", "human"),
        ("转人工", "human"),
        ("找客服", "human"),
        ("重新开始", "reset"),
        ("车险怎么买", "out_of_scope"),
        ("明天天气", "out_of_scope"),
        ("公积金能取多少", "out_of_scope"),
        ("养老金多少", "out_of_scope"),
    ],
)
def test_intent(text, intent):
    assert parse(text).intent == intent


def test_when_to_pay_is_read_as_a_policy_or_payment_question():
    """"医保什么时候交" is labelled a policy question by the project's cases and a contribution
    question by the dialogue annotators (round 14 tipped the model to theirs); without an amount
    both reach the same lookup of the 缴费时间 rules (test_when_to_pay_is_answered_from_the_payment_period)."""
    assert parse("医保什么时候交").intent in {"policy_question", "contribution"}


def test_when_to_pay_is_answered_from_the_payment_period(assistant):
    assistant.ask("重庆", session_id="pay-when")
    reply = assistant.ask("医保什么时候交", session_id="pay-when")
    assert any("缴费时间" in c.citation or "缴费时间" in c.text for c in reply.citations), reply.answer


def test_content_wins_over_courtesy():
    assert parse("你好 住院报销比例多少").intent == "policy_question"
    assert parse("谢谢 那三级医院呢").intent == "policy_question"


def test_medical_words_win_over_out_of_scope_words():
    assert parse("人工关节能报销吗").intent == "policy_question"
    assert parse("养老保险和医保住院报销有关系吗").intent == "policy_question"
    assert parse("医保卡丢了咋挂失").intent == "policy_question"


@pytest.mark.parametrize("text", ["养老保险一年交多少钱", "社保卡丢了咋挂失", "工伤认定去哪里办"])
def test_other_insurance_is_out_of_scope_even_with_slot_like_words(text):
    u = parse(text)
    assert u.intent == "out_of_scope"
    assert u.slots.model_dump(exclude_none=True) == {}  # its facts are not this insurance's


def test_unrecognised_message_has_low_confidence():
    assert parse("嗯……那个").confidence < 0.5


@pytest.mark.parametrize("text", ["那二级医院呢？", "如果是学生呢", "换成二档", "那3万呢", "改成城镇职工", "学生", "三级呢",
                                  "谢谢 那一级呢"])
def test_followups(text):
    assert parse(text).is_followup


@pytest.mark.parametrize("text", ["住院花了2万能报多少", "岳池 学生 住院 二级 8000", "你好", "那个 我想问下住院怎么报销",
                                  "如果住院花了两万在二级医院能报多少钱", "特困人员医疗救助"])
def test_not_followups(text):
    assert not parse(text).is_followup


def test_followup_keeps_only_its_own_slots():
    u = parse("那要是二档呢")
    assert u.slots.model_dump(exclude_none=True) == {"tier": 2}


# --- the labelled set ------------------------------------------------------------------------

# Measured with `python -m assistant.nlu.evaluate` (docs/BENCHMARKS.md: 348 cases, all 100.0 % intents /
# 99.8 % slots; held-out blocks 100.0 % / 99.6 %); floors sit a few points below the measured figures
# so a regression fails CI without pinning today's exact number. They guard against regressions; the
# honest estimate for unseen traffic is the held-out first runs (heldout_3: 89 % intents, 81 % slots).
FLOOR_INTENT = 0.96
FLOOR_SLOTS = 0.96
FLOOR_HELDOUT_INTENT = 0.95
FLOOR_HELDOUT_SLOTS = 0.95


def test_accuracy_floor_on_labelled_set():
    report = run()
    assert report.dev.n >= 130 and report.heldout.n >= 120
    assert report.all.intent_accuracy >= FLOOR_INTENT, format_report(report)
    assert report.all.slot_accuracy >= FLOOR_SLOTS, format_report(report)
    assert report.heldout.intent_accuracy >= FLOOR_HELDOUT_INTENT, format_report(report)
    assert report.heldout.slot_accuracy >= FLOOR_HELDOUT_SLOTS, format_report(report)


def test_evaluate_counts_wrong_extra_slots(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(
        "cases:\n"
        "  - {text: 住院花了2万, intent: estimate, slots: {amount: '20000'}}\n"  # service not labelled
        "  - {text: 你好, intent: thanks}\n",
        encoding="utf-8",
    )
    report = run(path)
    assert report.dev.n == 2 and report.dev.intent_correct == 1
    assert report.dev.per_slot["amount"].correct == 1
    assert report.dev.per_slot["service"].correct == 0  # predicted but not expected
    assert report.dev.exact == 0 and len(report.dev.failures) == 2


def test_evaluate_rejects_unknown_slot(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("cases:\n  - {text: x, intent: greeting, slots: {colour: red}}\n", encoding="utf-8")
    with pytest.raises(CaseError, match="colour"):
        run(path)
    assert main([str(path)]) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("住院花了两万五千1234567890.,元块wk万千百十一二三四五六七八九零第次级档岳池县外没转诊自费吗呢那 ")),
               max_size=30))
def test_parse_never_fails_on_noise(text):
    u = parse(text, ["岳池县"])
    assert u.intent in {"policy_question", "estimate", "contribution", "greeting", "thanks", "human",
                        "out_of_scope", "reset", "statement", "correction"}
    for slot in ("amount", "uncovered_amount", "ytd_reimbursed"):
        value = getattr(u.slots, slot)
        assert value is None or value > 0


@pytest.mark.parametrize(
    "text, intent",
    [
        ("工伤怎么报销", "out_of_scope"),  # another scheme's claim, same verbs
        ("工伤住院医保能报吗", "policy_question"),  # names medical insurance itself
        ("商业医疗险怎么买", "out_of_scope"),
        ("生育津贴怎么领", "out_of_scope"),
        ("社保卡丢了怎么补办", "out_of_scope"),
        ("医保卡丢了咋办", "policy_question"),
        ("早", "greeting"),
        ("早点报销行不行", "policy_question"),
        ("我要投诉", "human"),
        ("给个电话", "human"),
    ],
)
def test_probe_intent_classes(text, intent):
    assert parse(text).intent == intent


def test_a_bare_amount_is_a_follow_up_but_shorthand_is_not():
    assert parse("2万").is_followup
    assert not parse("2w 三甲 住院 渝北").is_followup


@pytest.mark.parametrize("text, intent", [("你好 你是真人吗", "greeting"), ("有真人吗", "human"),
                                          ("医保局电话", "human"), ("好 我知道了", "thanks")])
def test_is_it_a_person_vs_asking_for_one(text, intent):
    assert parse(text).intent == intent


# --- round 6: dialect question words, pensions, masking placeholders, self-paid remainder ---
@pytest.mark.parametrize("text, query", [
    ("门槛费到底是好多钱", "门槛费到底是多少钱"), ("二档一年交好多", "二档一年交多少"),
    ("这个咋个整", "这个怎么办"), ("要带啥子材料", "要带什么材料"), ("起付线是好多?", "起付线是多少?"),
])
def test_dialect_question_words_are_standardised(text, query):
    assert parse(text).query.startswith(query.rstrip("?"))


@pytest.mark.parametrize("text", ["好多人都不晓得", "交了好多年了"])
def test_haoduo_meaning_many_is_kept(text):
    assert "好多" in parse(text).query


def test_dialect_paying_question_is_a_contribution():
    u = parse("城乡居民一档个人交好多")
    assert u.intent == "contribution" and u.slots.topic == "缴费标准"


@pytest.mark.parametrize("text", ["今年退休工资涨了好多", "退休金啥时候调", "养老待遇咋算的", "明年涨工资不"])
def test_pensions_and_pay_are_out_of_scope(text):
    assert parse(text).intent == "out_of_scope"


def test_a_pay_figure_next_to_medical_insurance_stays_in_scope():
    assert parse("退休工资3000 医保一年交多少").intent == "contribution"


@pytest.mark.parametrize("text", ["住院起付线是多少，我电话[电话已隐去]", "住院起付线是多少 身份证号【身份证号已隐去】"])
def test_masking_placeholders_do_not_disturb_understanding(text):
    u = parse(text)
    assert u.intent == "policy_question" and u.slots.topic == "起付线"
    assert "隐去" not in u.query and "电话" not in u.query


def test_self_paid_remainder_after_reimbursement():
    u = parse("贫困户住院报完了自己还掏了8000 还能补多少")
    assert u.intent == "estimate" and u.slots.self_paid_remainder == Decimal("8000") and u.slots.amount is None


def test_self_paid_without_reimbursement_is_the_cost():
    u = parse("自付3000能报多少")
    assert u.slots.amount == Decimal("3000") and u.slots.self_paid_remainder is None


@pytest.mark.parametrize("text", ["冒名 住院", "门诊统筹 就诊率 下降", "高校在校生　医疗费"])
def test_terms_typed_apart_are_a_search_not_a_statement(text):
    """An operator's keywords name facts (住院, 学生) but tell nothing: they ask."""
    assert parse(text).intent != "statement"


@pytest.mark.parametrize("text", ["我在重庆参加的城乡居民医保", "湖北，城镇职工医保"])
def test_bare_facts_in_a_sentence_still_tell_context(text):
    assert parse(text).intent == "statement"


@pytest.mark.parametrize("text", ["对账对不上的差异谁去核实", "城市医疗救助试点期多长", "征收率现在多高"])
def test_who_and_how_long_are_question_forms(text):
    assert parse(text).intent not in ("statement", "correction")


def test_keyword_questions_come_from_the_answer_annotations_without_calculations():
    from assistant.nlu.train import keyword_questions

    items = keyword_questions()
    assert len(items) >= 100
    assert all(i.intent == "policy_question" for i in items)
    assert not any("交" in i.text or "万" in i.text for i in items)


@pytest.mark.parametrize("text", ["门诊就诊记录抽查合格率", "医疗救助试点范围", "特殊病种门诊管理办法文号"])
def test_a_confident_question_of_facts_and_a_topic_noun_is_not_a_statement(text):
    """Facts (a service, a scheme) plus a noun the slots do not read: the learned intent is a
    confident question, which the reading of form (no 吗, no 多少) does not overrule."""
    assert parse(text).intent == "policy_question"


@pytest.mark.parametrize("text", ["广东失业保险参保人数珠三角占几成", "自收自支单位 工伤 生育 宣传"])
def test_the_model_may_take_another_insurance_s_statistics_as_a_policy_question(text):
    """The library's reports count other insurances too; the model overrules the lexicon's
    out-of-scope guess only when confident (`parse.OVERRULE_OUT_OF_SCOPE`), and the judge then
    answers or refuses."""
    u = parse(text)
    assert u.intent == "policy_question"
    assert u.confidence >= 0.5
