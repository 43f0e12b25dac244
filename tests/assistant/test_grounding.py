from decimal import Decimal

import pytest

from assistant.grounding import check_grounding
from assistant.numbers import extract_numbers

CLAUSE = "起付标准为:一级及以下医疗机构150元,二级医疗机构350元,三级医疗机构550元。全年最高限额:一档为7万元。报销比例下降5个百分点。"


@pytest.mark.parametrize("text,value", [
    ("一万二", 12000), ("两万五", 25000), ("三百五", 350), ("十二", 12), ("一千零五", 1005), ("八千", 8000),
    ("十万", 100000), ("二十五", 25),
])
def test_chinese_numerals(text, value):
    assert [n.value for n in extract_numbers(text)] == [Decimal(value)]


@pytest.mark.parametrize("text,value", [
    ("1.5万元", "15000"), ("12,000元", "12000"), ("八千块", "8000"), ("百分之八十", "80"), ("5197.50元", "5197.5"),
])
def test_extracts_every_written_form(text, value):
    assert Decimal(value) in {n.value for n in extract_numbers(text)}


def test_words_containing_numerals_are_not_numbers():
    assert extract_numbers("统一管理，一是加强宣传") == []


def test_classified_numerals_and_percent_forms():
    found = {(n.value, n.percent) for n in extract_numbers("三级医院，报销比例下降5个百分点，百分之八点五，上浮10%")}
    assert found == {(Decimal(3), False), (Decimal(5), True), (Decimal("8.5"), True), (Decimal(10), True)}


def test_faithful_answer_passes():
    assert check_grounding("二级医疗机构350元[1]，一档最高7万元。", [CLAUSE]).ok


def test_reformatted_figures_pass():
    # 7万元 written as 70000, 350 as 三百五十 — same values.
    assert check_grounding("一档最高70000元，二级医院三百五十元", [CLAUSE]).ok


def test_a_wrong_number_fails_and_is_named():
    result = check_grounding("二级医疗机构360元[1]", [CLAUSE])
    assert not result.ok
    assert result.unsupported == ["360元"]


def test_a_wrong_wan_amount_fails():
    assert not check_grounding("一档最高8万元", [CLAUSE]).ok


def test_a_wrong_percentage_fails():
    assert not check_grounding("报销比例为90%", [CLAUSE]).ok


def test_percent_matches_calculator_fraction():
    assert check_grounding("按80%报销", ['{"ratio": "0.80"}']).ok
    assert check_grounding("按0.6计算", ["报销比例60%"]).ok


def test_citation_markers_are_not_claims():
    assert check_grounding("见条款[12]", ["无数字的条款"]).ok


def test_hotlines_are_allowed_but_other_phone_numbers_are_not():
    assert check_grounding("请拨打12393或12333", []).ok
    assert not check_grounding("请拨打12345", []).ok


def test_enumerated_grades_are_numbers():
    assert sorted(n.value for n in extract_numbers("一、二、三级医院")) == [Decimal(1), Decimal(2), Decimal(3)]
    assert check_grounding("一级医院起付线100元", ["一、二、三级医院起付线分别为100元、300元、800元"]).ok
