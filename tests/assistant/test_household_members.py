"""Issue 10: a household described together ("我和我婆娘都三十几，娃儿4岁还没上幼儿园") — its members read
by kind, without mixing them into one person, and the family's premium added up by each member's group."""

from __future__ import annotations

import pytest

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


def _kinds(text: str) -> list[tuple[str, bool, int]] | None:
    members = parse(text).slots.household_members
    return None if members is None else [(m.category, m.low_income, m.count) for m in members]


@pytest.mark.parametrize("text, kinds", [
    ("我和老婆都四十几，儿子读初中", [("adult", False, 2), ("student", False, 1)]),
    ("我36岁，没上班，我妈70了是低保户，还有个5岁的娃儿没上学", [("adult", False, 1), ("adult", True, 1), ("child", False, 1)]),
    ("两个大人一个两岁的娃儿", [("adult", False, 2), ("child", False, 1)]),
    ("两口子都没得工作，两个娃儿都在读小学", [("adult", False, 2), ("student", False, 2)]),
])
def test_the_members_of_a_household_are_read_by_kind(text, kinds):
    assert _kinds(text) == kinds


@pytest.mark.parametrize("text", ["我妈住院花了3万，我是她儿子", "我问一下我爸住院的事", "我是学生", "我们一家三口"])
def test_one_person_or_an_undescribed_family_is_no_member_list(text):
    assert _kinds(text) is None


@pytest.mark.parametrize("text, kinds", [
    # listed people, described after the list or not at all: each listed one is a member (an adult)
    ("我、我老婆、一个读初中的娃儿，一年要交好多", [("adult", False, 2), ("student", False, 1)]),
    ("一家人：我，老公，还有个上幼儿园的女儿", [("adult", False, 2), ("child", False, 1)]),
    # a counted or 的-phrase before a member word describes that member, not the one before it
    ("我和我老婆，还有一个读初中的娃儿一年交多少", [("adult", False, 2), ("student", False, 1)]),
    ("我们两口子加两个读小学的娃儿一年交多少", [("adult", False, 2), ("student", False, 2)]),
    ("屋头两个大人一个读高中的孩子", [("adult", False, 2), ("student", False, 1)]),
])
def test_members_listed_or_described_before_their_word(text, kinds):
    assert _kinds(text) == kinds


def test_a_family_premium_adds_each_members_group(assistant):
    *_, reply = talk(assistant, "我们是岳池县城镇居民", "我和老婆都四十几，娃儿3岁还没上幼儿园", "2010年一家人一共要交好多")
    assert reply.kind == "estimate", reply.answer
    # 成年居民 170 × 2 + 学龄前儿童 10 × 1
    assert "350.00" in reply.answer and "170.00" in reply.answer and "10.00" in reply.answer, reply.answer


def test_one_persons_premium_is_not_a_family_total(assistant):
    *_, reply = talk(assistant, "我们是岳池县城镇居民", "我和老婆都四十几，娃儿3岁还没上幼儿园", "2010年娃儿交好多")
    assert "350.00" not in reply.answer, reply.answer


def test_a_family_size_that_disagrees_with_the_members_is_not_added_up(assistant):
    *_, reply = talk(assistant, "我们是岳池县城镇居民，一家四口", "我和老婆都四十几，娃儿3岁还没上幼儿园",
                     "2010年一共要交好多")
    assert "350.00" not in reply.answer, reply.answer
