"""The yearly premium a user says they pay is read in any numeral and in Cantonese ("每年交咗一百五",
"交咗六十蚊嗰个"), so the dialogue can turn it into a tier with the rule set's own table; a bill or a
deposit after the same verb stays what it is. Phrased apart from the annotated utterances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.nlu import parse


@pytest.mark.parametrize("text, premium", [
    ("每年交了二百八", Decimal("280")),
    ("我们一年缴一百五十块", Decimal("150")),
    ("屋头每年交咗一百五", Decimal("150")),
    ("交咗六十蚊嗰个", Decimal("60")),
    ("我哋交嘅系六十蚊嗰个档", Decimal("60")),
])
def test_a_yearly_premium_in_words_or_cantonese_is_the_contribution(text, premium):
    slots = parse(text).slots
    assert slots.contribution_amount == premium, text
    assert slots.amount is None


@pytest.mark.parametrize("text", ["一年交了三千押金", "每年交了两万多医药费"])
def test_a_deposit_or_a_bill_after_the_same_verb_is_no_premium(text):
    assert parse(text).slots.contribution_amount is None


def test_cantonese_particles_read_as_mandarin_for_the_other_slots():
    slots = parse("佢喺重庆三级医院住咗院，使咗两万蚊").slots
    assert (slots.region, slots.hospital_level, slots.amount) == ("重庆市", 3, Decimal("20000"))
