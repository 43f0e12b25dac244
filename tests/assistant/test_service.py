import pytest

from assistant.service import Assistant, Draft
from assistant.session_store import InMemorySessionStore, SqliteSessionStore
from assistant_fakes import default_kb, fake_parse, fake_port


def make(store=None, kb=None):
    return Assistant(kb or default_kb(), fake_port(), store or InMemorySessionStore(), nlu=fake_parse)


def test_conflicting_regions_are_listed_and_asked():
    reply = make().ask("住院起付线是多少")
    assert reply.clarification is not None and reply.clarification.options == ["岳池县", "重庆"]
    assert "[1]" in reply.answer and "[2]" in reply.answer
    assert [c.region for c in reply.citations] == ["岳池县", "重庆"]


def test_answering_the_region_question_re_answers():
    assistant = make()
    first = assistant.ask("住院起付线是多少")
    second = assistant.ask("重庆", first.session_id)
    assert second.clarification is None
    assert [c.chunk_id for c in second.citations] == ["cq-1"]
    assert "100元/次" in second.answer


def test_no_basis_points_to_hotline():
    reply = make().ask("牙齿矫正怎么办理")
    assert "没有找到" in reply.answer and "12393" in reply.answer and not reply.citations


def test_estimate_asks_for_missing_level_then_computes():
    assistant = make()
    first = assistant.ask("住院3万能报销多少")
    assert first.clarification.slot == "hospital_level"
    second = assistant.ask("三级医院", first.session_id)
    assert second.estimate["reimbursed"] == "17670.00"  # (30000-550)*0.6 by hand
    assert "17670.00" in second.answer and "12330.00" in second.answer
    assert second.citations[0].chunk_id == "yc-1"


def test_reset_forgets_slots():
    assistant = make()
    first = assistant.ask("岳池县住院起付线")
    assert first.slots["region"] == "岳池县"
    reset = assistant.ask("重新开始", first.session_id)
    assert reset.intent == "reset" and reset.slots == {}


@pytest.mark.parametrize("message,intent,word", [
    ("你好", "greeting", "医保政策助手"), ("谢谢", "thanks", "不客气"), ("转人工", "human", "12393"),
    ("明天天气怎么样", "out_of_scope", "服务范围"),
])
def test_canned_replies(message, intent, word):
    reply = make().ask(message)
    assert reply.intent == intent and word in reply.answer


def test_an_ungrounded_draft_falls_back_to_the_quote():
    assistant = make()
    original = assistant._policy_question

    def corrupt(turn, state, intent="policy_question"):
        draft: Draft = original(turn, state, intent)
        draft.answer = draft.answer.replace("350", "360")
        return draft

    assistant._policy_question = corrupt
    reply = assistant.ask("岳池县二级医院起付线多少")
    assert not reply.grounded and "360" not in reply.answer
    assert reply.answer.startswith("相关条款原文")


def test_sessions_survive_a_restart(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    first = make(SqliteSessionStore(path)).ask("住院3万能报销多少")
    second = make(SqliteSessionStore(path)).ask("二级医院", first.session_id)
    assert second.estimate is not None and second.estimate["reimbursed"] == "17790.00"  # (30000-350)*0.6


@pytest.mark.parametrize("bad", ["", "   ", "长" * 501])
def test_bad_messages_raise_clear_errors(bad):
    with pytest.raises(ValueError, match="消息"):
        make().ask(bad)


def scripted(*understandings):
    it = iter(understandings)
    return lambda text, known_regions=(): next(it)


def test_real_calculators_estimate_with_cited_rules():
    from decimal import Decimal

    from assistant.estimate_bridge import CalculatorPort
    from assistant.nlu.models import Slots, Understanding

    port = CalculatorPort.default()
    nlu = scripted(Understanding(intent="estimate", slots=Slots(region="重庆", tier=1, hospital_level=2, amount=Decimal(20000))))
    assistant = Assistant(default_kb(), port, InMemorySessionStore(), nlu=nlu, calculators=port)
    reply = assistant.ask("重庆一档二级医院住院2万能报多少")
    # (20000 - 300) x 60% = 11820 by hand from the 重庆 clauses; 20000 - 11820 = 8180.
    assert reply.estimate["reimbursed"] == "11820.00" and reply.estimate["out_of_pocket"] == "8180.00"
    assert "医保支付 11820.00 元，个人自付 8180.00 元" in reply.answer
    assert any("300元/次" in c.text for c in reply.citations) and reply.grounded


def test_real_calculators_contribution_takes_unsaid_rare_statuses_as_not_applying():
    from assistant.estimate_bridge import CalculatorPort
    from assistant.nlu.models import Slots, Understanding

    port = CalculatorPort.default()
    nlu = scripted(
        Understanding(intent="contribution", slots=Slots(region="岳池县", person_category="student"), query="岳池县学生交多少钱"),
        Understanding(intent="policy_question", slots=Slots(year=2009)),
        Understanding(intent="out_of_scope"),
        Understanding(intent="out_of_scope"),
    )
    assistant = Assistant(default_kb(), port, InMemorySessionStore(), nlu=nlu, calculators=port)
    first = assistant.ask("岳池县学生交多少钱")
    assert first.clarification.slot == "year"
    reply = assistant.ask("2009年", first.session_id)
    # 三无人员 / 低保 are exceptions the user would mention: computed as not applying, and said.
    assert reply.clarification is None
    assert "个人缴费 10.00 元" in reply.answer and reply.grounded
    assert "三无人员" in reply.answer and "低保对象" in reply.answer


def test_a_single_region_answer_without_a_region_says_whose_rule_it_is():
    reply = make().ask("全年最高限额是多少")
    assert [c.region for c in reply.citations] == ["重庆"]
    assert "以上内容来自重庆" in reply.answer
    named = make().ask("重庆全年最高限额是多少")
    assert "以上内容来自" not in named.answer


# --- round 6: second-round subsidy request, years outside the library, listed regions ---
def test_relief_request_takes_the_remainder_as_its_base():
    from assistant.estimate_bridge import PolicyInfo, build_relief_request, relief_services

    policy = PolicyInfo(id="p", title="甲县再次补助", region="甲县", year=2018, scheme="城乡居民",
                        services=["inpatient", "inpatient_poverty_relief"])
    assert relief_services([policy], "inpatient") == ["inpatient_poverty_relief"]
    assert relief_services([policy], "general_outpatient") == []
    request = build_relief_request(policy, "inpatient_poverty_relief",
                                   {"self_paid_remainder": "8000", "poverty": True, "amount": "20000"})
    assert request["covered_cost"] == "8000" and request["prior_reimbursed"] == "0"
    assert request["person"] == {"poverty": True} and request["service"] == "inpatient_poverty_relief"


def test_another_years_rule_says_so():
    from assistant.estimate_bridge import PolicyInfo
    from assistant.service import _year_checked

    policy = PolicyInfo(id="p", title="t", region="甲县", year=2013, scheme="城乡居民", services=[])
    assert _year_checked("个人缴费 60 元", {"year": 2024}, policy).startswith("注意：政策库中没有您所问年份")
    assert "2024" not in _year_checked("x", {"year": 2024}, policy)  # only cited figures may appear
    assert _year_checked("个人缴费 60 元", {"year": 2013}, policy) == "个人缴费 60 元"
    assert _year_checked("个人缴费 60 元", {}, policy) == "个人缴费 60 元"


def test_listed_regions_leave_out_passing_mentions():
    from types import SimpleNamespace

    from assistant.service import _library_regions

    clauses = [SimpleNamespace(region="甲县")] * 6 + [SimpleNamespace(region="乙市")] + [SimpleNamespace(region=None)]
    kb = SimpleNamespace(clauses=clauses)
    assert _library_regions(kb, []) == ("甲县",)


def test_message_limit_is_a_constructor_setting() -> None:
    long_message = "起付线" * 300  # 900 characters
    strict = Assistant(default_kb(), fake_port(), InMemorySessionStore(), nlu=fake_parse)
    with pytest.raises(ValueError, match="超过500字"):
        strict.ask(long_message)
    roomy = Assistant(default_kb(), fake_port(), InMemorySessionStore(), nlu=fake_parse, max_message_chars=1000)
    assert roomy.ask(long_message).answer
