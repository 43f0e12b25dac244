"""Issue 10, round 11: the second-round subsidy (再次补助) told in the words people use for it — a
reimbursement said in parts ("报了…以后"), the special outpatient by its short names (特门, 特殊门诊).
Each test phrases its class in words of its own (not a dev conversation's)."""

from __future__ import annotations

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def test_a_reimbursement_said_in_parts_makes_the_next_amount_a_remainder():
    # "报了 <what> 以后 … 自己还出了 X": X is what is left after reimbursement, not the bill.
    slots = parse("住院报了城乡居民医保以后，自己还出了六千").slots
    assert slots.self_paid_remainder is not None and int(slots.self_paid_remainder) == 6000
    assert slots.amount is None


def test_short_names_of_the_special_outpatient_are_that_service():
    for text in ("特门拿药报完了自己还掏了三千", "我这个特殊门诊一年能报多少"):
        assert parse(text).slots.service in ("chronic_outpatient", "major_disease_outpatient"), text


def test_a_special_outpatient_remainder_gets_its_own_capped_subsidy(assistant):
    *_, reply = talk(assistant, "桂阳的建档立卡户", "特门报完了自己还出了五千，还能补多少")
    assert reply.intent == "estimate" and reply.grounded
    assert "1500.00" in reply.answer  # 50 % of 5000 is 2500, capped at the special-outpatient 1500


def test_an_inpatient_remainder_told_in_parts_is_subsidised_by_half(assistant):
    *_, reply = talk(assistant, "我是桂阳县贫困户", "住院报了医保和大病保险以后自己还出了六千，能再补多少")
    assert reply.intent == "estimate" and reply.grounded
    assert "3000.00" in reply.answer
