"""A stay verb with the facility stayed in is a hospital stay, in either order and in one clause
("住的是县医院", "在镇卫生院住的"), while living near a hospital or where one lives is not. The dev
utterances' service errors showed the class (phrased apart from them)."""

from __future__ import annotations

import pytest

from assistant.nlu.parse import read_slots


def _service(text: str):
    return read_slots(text, ())[1].get("service")


@pytest.mark.parametrize("text", ["我爸住的是县中医院", "老汉儿住进了区人民医院", "在镇卫生院住的那回", "住二级医院花了三千"])
def test_a_stay_verb_with_its_facility_is_inpatient_care(text):
    assert _service(text) == "inpatient", text


@pytest.mark.parametrize("text", ["我家就住在县医院旁边", "在居住地医院看门诊", "住址离卫生院远，在诊所拿药"])
def test_living_near_a_hospital_is_no_stay(text):
    assert _service(text) != "inpatient", text
