"""Issue 10, round 7: classes of the dev conversations and utterances still missed after round 6.

Each test phrases its class in words of its own (not a dev utterance's), so it checks the class.
"""

from __future__ import annotations

from assistant.nlu import parse
from assistant.nlu.evaluate import BlockReport, _score
from tests.assistant.dialogue_helpers import talk

# ---- fixed subsidies asked without a bill: each part and their sum --------------------------------


def test_fixed_subsidies_are_listed_with_their_sum():
    from calculators.caps import FIXED_SUBSIDIES_POOL, caps

    result = caps({"policy": "cq-resident-2013", "service": "maternity"})
    assert [(c.pool, c.amount) for c in result.caps] == [
        ("maternity_prenatal", "100.00"), ("maternity_delivery", "400.00"), (FIXED_SUBSIDIES_POOL, "500.00")]
    total = result.steps[-1]
    assert total.formula == "100.00 + 400.00 = 500.00"
    assert all(s.source is not None for s in result.steps[:-1])  # each part cites its clause


def test_a_fixed_subsidy_total_is_computed_for_the_region_told(assistant):
    *_, reply = talk(assistant, "老婆怀孕了，我们参加的重庆城乡居民", "检查和生孩子总共医保给多少钱")
    assert reply.grounded
    assert "500.00" in reply.answer and "100.00" in reply.answer and "400.00" in reply.answer
    assert any("400元住院分娩" in c.text for c in reply.citations)


def test_a_fixed_subsidy_total_needs_the_region_named(assistant):
    reply = assistant.ask("检查和生孩子总共医保给多少钱")
    assert "500" not in reply.answer  # no region: no rule set's figure, the clauses answer


def test_one_subsidy_asked_is_the_clauses_answer(assistant):
    *_, reply = talk(assistant, "重庆城乡居民", "生孩子住院医保补多少钱")
    assert reply.estimate is None and "500" not in reply.answer


# ---- NLU: the annotators' conventions, read exactly ---------------------------------------------------


def test_a_disease_named_without_care_is_no_service():
    # Every annotator leaves the service empty when only the disease is told: the care is not said yet.
    u = parse("我爸查出来是肺癌")
    assert u.slots.service is None and u.slots.major_disease is True
    assert parse("查出来有糖尿病").slots.service is None
    # A bare outpatient word about that disease is its outpatient service (unchanged).
    assert parse("糖尿病在门诊开药").slots.service == "chronic_outpatient"


def test_a_pupil_is_not_childbirth():
    # 学生娃 (a pupil) contains 生娃 (to give birth) across the word boundary.
    assert parse("学生娃娃的医保一年交多少").slots.service is None
    assert parse("生娃住院能补多少").slots.service == "maternity"


def test_staying_at_the_hospital_named_is_inpatient_care():
    # Sichuan durative 起 (住起 = 住着) right after the hospital: an inpatient stay.
    assert parse("我妈在乡卫生院住起的").slots.service == "inpatient"
    assert parse("住起不习惯").slots.service is None


# ---- the utterance eval: a follow-up's intent is the previous turn's ------------------------------


def test_a_follow_up_is_scored_on_the_intent_the_dialogue_gives_it():
    # Labelled with the intent of the turn it follows, which one utterance does not carry; the
    # dialogue answers a flagged follow-up that changes a slot under that previous intent.
    u = parse("那老年人呢")
    assert u.is_followup and u.intent != "contribution"
    block = BlockReport(name="t")
    _score(block, "t", {"text": "那老年人呢", "intent": "contribution", "followup": True}, [], in_dialogue=True)
    assert (block.intent_correct, block.intent_in_dialogue_correct) == (0, 1)
    # Not a follow-up by label: no credit.
    block = BlockReport(name="t")
    _score(block, "t", {"text": "那老年人呢", "intent": "contribution", "followup": False}, [], in_dialogue=True)
    assert block.intent_in_dialogue_correct == 0
    # The labelled set's scorer (no dialogue) never gives it.
    block = BlockReport(name="t")
    _score(block, "t", {"text": "那老年人呢", "intent": "contribution", "followup": True}, [])
    assert block.intent_in_dialogue_correct == 0
