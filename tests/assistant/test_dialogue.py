from assistant.clarify import question_for
from assistant.dialogue import ask_pending, interpret, rewrite_query
from assistant.nlu.models import Slots, Understanding
from assistant.state import DialogueState


def u(intent, query="", evidence=None, followup=False, **slots):
    return Understanding(intent=intent, slots=Slots(**slots), query=query, evidence=evidence or {}, is_followup=followup)


def test_follow_up_replaces_the_changed_words_in_the_last_question():
    state = DialogueState(session_id="s")
    interpret(state, u("policy_question", "岳池县一级医院起付线多少", {"hospital_level": "一级医院"},
                       hospital_level=1, region="岳池县"), "岳池县一级医院起付线多少")
    turn = interpret(state, u("policy_question", "那二级医院呢", {"hospital_level": "二级医院"}, followup=True, hospital_level=2),
                     "那二级医院呢？")
    assert turn.follow_up and turn.intent == "policy_question"
    assert turn.query == "岳池县二级医院起付线多少"
    assert turn.slots["hospital_level"] == 2 and turn.slots["region"] == "岳池县"


def test_follow_up_appends_a_new_slot_word():
    assert rewrite_query("住院报销比例", {}, {"person_category": "student"}, {}) == "住院报销比例 学生"


def test_follow_up_keeps_estimate_intent_and_merges_tier():
    state = DialogueState(session_id="s")
    interpret(state, u("estimate", "住院2万报多少", amount=20000, tier=1), "住院2万报多少")
    turn = interpret(state, u("policy_question", "换成二档", followup=True, tier=2), "换成二档")
    assert turn.intent == "estimate" and turn.slots["tier"] == 2 and turn.slots["amount"] == "20000"


def test_pending_question_is_answered_by_option_label():
    state = DialogueState(session_id="s")
    interpret(state, u("estimate", "住院2万报多少", amount=20000), "住院2万报多少")
    ask_pending(state, question_for("out_of_area"))
    turn = interpret(state, u("out_of_scope"), "县外")
    assert turn.answered_pending and turn.intent == "estimate" and turn.slots["out_of_area"] is True
    assert state.pending_slot is None


def test_pending_amount_question_takes_a_bare_amount():
    state = DialogueState(session_id="s")
    interpret(state, u("estimate", "二级医院住院能报多少", hospital_level=2), "二级医院住院能报多少")
    ask_pending(state, question_for("amount"))
    turn = interpret(state, u("estimate", amount=8000), "八千")
    assert turn.slots["amount"] == "8000" and turn.slots["hospital_level"] == 2


def test_new_question_drops_old_topic_but_keeps_profile():
    state = DialogueState(session_id="s")
    interpret(state, u("policy_question", "重庆起付线", region="重庆", topic="起付线"), "重庆起付线")
    turn = interpret(state, u("policy_question", "慢性病门诊限额是多少一年", topic="限额"), "慢性病门诊限额是多少一年")
    assert not turn.follow_up and turn.slots["region"] == "重庆" and turn.slots["topic"] == "限额"


def test_greeting_does_not_touch_slots():
    state = DialogueState(session_id="s", slots={"region": "重庆"})
    turn = interpret(state, u("greeting"), "你好")
    assert turn.intent == "greeting" and state.slots == {"region": "重庆"}
