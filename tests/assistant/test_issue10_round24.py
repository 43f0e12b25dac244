"""Issue 10, release 24: classes found in the dev utterances' and conversations' errors, each tested
here on phrasings of our own — a major disease or its treatment named without the care it got, a
stay told as happening again, a tier that names the fund, 低保 as a household's status."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.nlu import parse
from tests.assistant.dialogue_helpers import talk


@pytest.mark.parametrize("text", ["娃儿得了重大疾病，最多报好多", "医生讲是重大疾病，报得到好多"])
def test_a_major_disease_without_a_care_word_names_no_service(text):
    slots = parse(text).slots
    assert slots.service is None
    assert slots.major_disease is True


@pytest.mark.parametrize("text", ["在做透析，医保管不管", "化疗一回要几千"])
def test_a_major_disease_treatment_names_its_outpatient_care_and_the_disease(text):
    slots = parse(text).slots
    assert slots.service == "major_disease_outpatient"
    assert slots.major_disease is True


@pytest.mark.parametrize(("text", "service"), [
    ("透析是在门诊做的，能报多少", "major_disease_outpatient"),
    ("化疗住了半个月院", "inpatient"),
    ("重大疾病门诊咋个报", "major_disease_outpatient"),
])
def test_the_care_word_decides_the_service_beside_a_major_disease(text, service):
    assert parse(text).slots.service == service


@pytest.mark.parametrize("text", ["这次又到县医院住了一个礼拜", "后来又去乡卫生院住起了", "不是头一回住院了，第二次",
                                  "要是再住一回院呢"])
def test_a_stay_told_as_happening_again_is_the_second(text):
    assert parse(text).slots.admission_index == 2


@pytest.mark.parametrize("text", ["我又在想住院报销的事", "他又在问住院要带啥"])
def test_again_with_a_thought_is_no_stay(text):
    assert parse(text).slots.admission_index is None


def test_a_tier_told_by_its_premium_names_the_residents_fund(assistant):
    # 重庆 holds both funds' rules; the premium 60 元 is the residents' 一档, whose cap is 7万.
    *_, reply = talk(assistant, "重庆的", "我们交的是60块钱那一档，一年封顶是好多")
    assert reply.clarification is None or reply.clarification.slot != "scheme", reply.answer
    assert "7万" in reply.answer, reply.answer


def test_a_household_told_it_is_low_income_pays_the_low_income_premium_for_everyone(assistant):
    # 岳池 2010: 低保对象 pay 90 元 a head, so two of them 180 元.
    *_, reply = talk(assistant, "岳池县城镇居民医保", "我们老两口都是低保户，七十多了", "2010年我们两个总共交好多")
    assert "180" in reply.answer, reply.answer


def test_members_described_one_by_one_keep_their_own_low_income_status():
    from assistant.service import _household_members

    members = [{"category": "adult", "low_income": True, "count": 1},
               {"category": "child", "low_income": False, "count": 1}]
    priced = _household_members({"household_members": members, "low_income": True})
    assert [m["person"]["low_income"] for m in priced] == [True, False]
    undescribed = [{"category": "adult", "low_income": False, "count": 2}]
    priced = _household_members({"household_members": undescribed, "low_income": True})
    assert priced[0]["person"]["low_income"] is True
    priced = _household_members({"household_members": undescribed})
    assert priced[0]["person"]["low_income"] is False


def test_rule_set_notes_shown_to_users_name_no_code_identifiers():
    """A note is shown under an estimate: it must read as Chinese, not as field names."""
    import re

    root = Path(__file__).resolve().parents[2] / "calculators" / "policies"
    leaks: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and re.search(r"[a-z]+_[a-z]+|=(?:true|false)", node["text"]):
                leaks.append(f"{where}:{node['text']}")
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    for path in sorted(root.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text("utf-8")), path.name)
    assert not leaks, leaks



@pytest.mark.parametrize(("text", "members"), [
    ("屋头两个娃儿，一个读小学，一个才四岁没上学", {("student", 1), ("child", 1)}),
    ("我们家三个娃娃，一个读高中，一个读初中，另一个两岁", {("student", 2), ("child", 1)}),
])
def test_counted_children_described_one_by_one_are_each_their_own_member(text, members):
    read = parse(text).slots.household_members
    assert read is not None and {(m.category, m.count) for m in read} == members


def test_two_children_described_one_by_one_are_priced_each_by_their_group(assistant):
    # 岳池 2009: 中小学生 10 元, 学龄前儿童 5 元 → 15 元.
    *_, reply = talk(assistant, "岳池县的，2009年参加城镇居民医保", "屋头两个娃儿，一个读初中，一个才三岁没上学",
                     "两个娃儿一共要交好多")
    assert "15.00" in reply.answer, reply.answer
