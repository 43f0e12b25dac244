"""Issue 10, round 8: classes of the dev conversations still missed after round 7, and which phrase
rules the learned NLU carries.

Each test phrases its class in words of its own (not a dev utterance's), so it checks the class.
"""

from __future__ import annotations

from assistant.conflicts import answers_scheme
from assistant.nlu import parse
from assistant.nlu.parse import asks
from tests.assistant.dialogue_helpers import talk

# ---- the employee scheme insures people where they are employed --------------------------------------


def test_a_place_of_employment_is_the_insured_region():
    from assistant.nlu.evaluate import annotated_known_regions

    known = annotated_known_regions()  # the regions the assistant passes (湖北 is a library region)
    assert parse("我在湖北一家公司上班", known).slots.region == "湖北"
    assert parse("我在湖北上班，单位给交的医保", known).slots.region == "湖北"
    assert parse("我在孝感上班").slots.region == "孝感市"
    # Migrant labour and school keep the old reading: a workplace alone is not the insured region.
    assert parse("我在广州打工").slots.region is None
    assert parse("娃儿在重庆读书").slots.region is None
    # ...nor is a place of employment when the message speaks of a home elsewhere.
    assert parse("我在武汉上班，户口在老家").slots.region is None
    assert parse("我在成都上班，老家岳池的").slots.region == "岳池县"


# ---- care where one works: "在那边住了院" ------------------------------------------------------------


def test_care_over_there_is_at_the_workplace():
    u = parse("一直在深圳打工，在那边住了院")
    assert u.slots.care_place == "深圳市" and u.slots.region is None


def test_care_at_the_workplace_is_out_of_area_of_the_remembered_region(assistant):
    *_, reply = talk(assistant, "我们是重庆的，城乡居民一档", "一直在深圳打工，在那边二级医院住了院")
    assert reply.slots.get("region") == "重庆"
    assert reply.slots.get("out_of_area") is True and reply.slots.get("out_of_city") is True


def test_outside_the_city_of_the_insured_region_by_the_gazetteer():
    from assistant.dialogue import outside_city

    assert outside_city("深圳市", "重庆") is True
    assert outside_city("成都市", "岳池县") is True  # 岳池县 lies in 广安市
    assert outside_city("渝北区", "重庆") is False


# ---- a turn to someone else, then facts about them -----------------------------------------------------


def test_a_turn_to_someone_else_with_facts_is_a_follow_up():
    u = parse("那我爸呢，七十了，身体不好")
    assert u.is_followup and u.slots.age == 70 and u.slots.person_category == "elderly"
    # 那个/那边 start no follow-up, whatever follows.
    assert not parse("那边医院住院报销比例多少呢，县外的").is_followup


# ---- one reading of scheme.compatible -------------------------------------------------------------------


def test_scheme_compatibility_has_one_reading():
    from assistant.conflicts import for_scheme  # noqa: F401 (the same function serves both)

    assert answers_scheme("新农合", ["城乡居民"]) and answers_scheme("城乡居民", ["城镇居民"])
    assert not answers_scheme("新农合", ["城镇居民"]) and not answers_scheme("职工", ["城乡居民"])
    assert answers_scheme("职工", ["大病保险"]) and answers_scheme("新农合", [])
    assert answers_scheme(None, ["职工"])


# ---- a named children's hospital of known grade ---------------------------------------------------------


def test_a_named_childrens_hospital_is_level_three():
    assert parse("孩子在重庆医科大学附属儿童医院住院").slots.hospital_level == 3


def test_questions_by_a_measure_word_or_a_sichuan_tag_are_not_statements():
    """几 with any measure word (几分, 几点, 几回) and the Sichuan tags 有没得 / …了没得 ask something:
    a message naming a 卫生院 (a grade, a slot) that asks is searched, not acknowledged."""
    for text in ("洒河桥中心卫生院考了几分", "我们村那个卫生室被查了没得", "镇卫生院几点开门", "有没得卫生院的报销规定"):
        assert asks(text), text
        assert parse(text).intent != "statement", text
    assert parse("我在乡卫生院住的院").intent == "statement"
