"""Issues 10 and 9, release 15: work negated ("在家没上班") is not a working person; one tier's
figures quoted while no tier is known bring the other tiers'. Phrased apart from the dev data."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from assistant.nlu.lexicon import lexicon


@pytest.mark.parametrize("text", ["我妈六十了，一直在屋头没上班", "老公现在不上班了", "她没有在工作，在家带娃"])
def test_negated_work_states_neither_in_work_nor_retired(text):
    assert parse(text).slots.retired is None


@pytest.mark.parametrize("text", ["我还在厂里上班", "他在岗，没退休"])
def test_work_said_plainly_is_still_in_work(text):
    assert parse(text).slots.retired is False


def test_a_blocker_of_a_yes_no_fact_holds_the_cue_it_blocks():
    """Each blocker must contain one of its fact's cues, or it blocks nothing (a data check)."""
    lex = lexicon()
    for slot in ("retired", "laid_off", "continuous_enrollment"):
        section = lex.data[slot]
        cues = [c for k in ("true", "false") for c in section[k]]
        for blocker in section.get("blockers", []):
            assert any(c in blocker for c in cues), (slot, blocker)


_TIERED = ("一档:一、二、三级医院补偿比例分别为80%、60%和40%;二档:一、二、三级医院补偿比例分别为85%、65%和45%。"
           "一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次。")


def test_one_tier_s_figures_bring_the_other_tiers_when_no_tier_is_known():
    from assistant.retrieve import with_asked_details
    from assistant.select import query_terms

    chosen = ["一档:一、二、三级医院补偿比例分别为80%、60%和40%;"]
    quoted = with_asked_details(_TIERED, chosen, query_terms("在卫生院住院报几成", {"region": "重庆"}))
    assert [q[:2] for q in quoted] == ["一档", "二档"]


def test_a_named_tier_keeps_its_own_figures_only():
    from assistant.retrieve import with_asked_details
    from assistant.select import query_terms

    chosen = ["二档:一、二、三级医院补偿比例分别为85%、65%和45%。"]
    quoted = with_asked_details(_TIERED, chosen, query_terms("报几成", {"region": "重庆", "tier": 2}))
    assert quoted == chosen
