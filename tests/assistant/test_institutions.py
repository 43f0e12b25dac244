"""`assistant.institutions`: institutions the library names after their region, read from clauses."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.institutions import InstitutionRegions


def _clause(text: str, region: str | None) -> SimpleNamespace:
    return SimpleNamespace(text=text, region=region)


def test_a_name_written_after_its_region_gets_the_region_back():
    names = InstitutionRegions.from_clauses([_clause("重庆新兴医院是市级城镇职工医保定点医院,起付线低。", "重庆")])
    assert names.expand("新兴医院 职工医保病人") == "重庆新兴医院 职工医保病人"
    assert names.expand("重庆新兴医院住院") == "重庆新兴医院住院"  # already written in full


def test_a_name_another_region_also_uses_is_not_placed():
    names = InstitutionRegions.from_clauses([_clause("重庆新兴医院是定点医院。", "重庆"),
                                             _clause("到新兴医院就诊的参保人员。", "岳池县")])
    assert names.expand("新兴医院住院") == "新兴医院住院"


def test_generic_and_short_names_are_not_places():
    names = InstitutionRegions.from_clauses([_clause("岳池县人民医院和岳池县中医院为定点医院。", "岳池县")],
                                            generic=["人民医院"])
    assert names.expand("在人民医院住院") == "在人民医院住院"
    assert names.expand("在中医院住院") == "在中医院住院"  # 中医院: three characters, never specific
