"""One test per extraction class of the drafter, on short texts written for these tests (invented
regions' rules, not the bundled documents' sentences): what each class reads, with its quote, and
what it must leave alone. Expected values are read off the texts by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from calculators.draft_numbers import chinese_int, numbers
from calculators.drafter import Draft, draft, table_cell, to_yaml
from calculators.registry import compile_rule_file


def _draft(tmp_path: Path, text: str, region: str = "宜昌", scheme: str = "城乡居民", year: int = 2024) -> Draft:
    path = tmp_path / "policy.txt"
    path.write_text(text, encoding="utf-8")
    return draft(str(path), region, scheme, year, "test-draft")


def _values(d: Draft) -> dict[tuple[str, tuple], str]:
    return {(v.param, tuple(sorted(v.key.items()))): v.value for v in d.values}


def _missing(d: Draft) -> set[str]:
    return {m.param for m in d.missing}


# ---- numbers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [("三", 3), ("十二", 12), ("一百零五", 105), ("一千五百", 1500),
                                         ("一万五千", 15000), ("十五万", 150000), ("两万", 20000)])
def test_chinese_numerals(text, value):
    assert chinese_int(text) == value


@pytest.mark.parametrize("text", ["三五百", "百百", "级"])
def test_malformed_chinese_numerals_are_not_numbers(text):
    assert chinese_int(text) is None


def test_number_shapes():
    assert [str(n.value) for n in numbers("一档为七万元,二档为1.5万元,另三百元", "amount")] == ["70000", "15000.0", "300"]
    assert [str(n.value) for n in numbers("报销百分之七十,下降五个百分点,上浮5%", "percent")] == ["0.7", "0.05", "0.05"]
    # a share of the wage is a wage share, not a ratio of cost
    assert [str(n.value) for n in numbers("平均工资的8%", "percent")] == []
    assert [str(n.value) for n in numbers("平均工资的8%左右,平均工资的六倍", "wage_share")] == ["0.08", "6"]


# ---- classes -------------------------------------------------------------------------------------
def test_shares_and_multiples_of_the_average_wage(tmp_path):
    d = _draft(tmp_path, "荆州市职工基本医疗保险办法（虚构）\n"
                         "一、待遇\n统筹基金起付标准为本市上年度职工年平均工资的8%。\n"
                         "统筹基金年度最高支付限额为本市职工年平均工资的六倍。\n", "荆州", "职工", 2024)
    got = _values(d)
    assert got[("inpatient.deductible", ())] == "0.08"
    assert got[("annual_cap", ())] == "6"


def test_employee_contribution_rates_base_bounds_and_account_share(tmp_path):
    d = _draft(tmp_path, "荆州市职工基本医疗保险办法（虚构）\n"
                         "一、缴费\n用人单位缴费比例为职工工资总额的7%。职工个人缴费比例为本人工资的2%,退休人员个人不缴费。\n"
                         "本人工资高于上年度职工平均工资250%的,以平均工资的250%作为缴费基数;"
                         "低于上年度职工平均工资50%的,以平均工资的50%作为缴费基数。\n"
                         "二、个人账户\n职工个人缴费全部和单位缴费的25%记入个人账户。\n", "荆州", "职工", 2024)
    got = _values(d)
    assert got[("contribution.employer_rate", ())] == "0.07"
    # the unmarked 2% is the 在职 value: the same sentence gives 退休 its own
    assert got[("contribution.individual_rate", (("retired", False),))] == "0.02"
    assert got[("contribution.individual_rate", (("retired", True),))] == "0"
    assert got[("contribution.base_max", ())] == "2.5"
    assert got[("contribution.base_min", ())] == "0.5"
    assert got[("contribution.account_share_of_employer", ())] == "0.25"
    retired = next(v for v in d.values if v.key == {"retired": True})
    assert retired.interpretation and "不缴费" in retired.quote


def test_employee_kinds_stay_out_of_a_resident_draft(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、缴费\n居民个人缴费每人每年320元。\n")
    assert _values(d) == {("contribution.individual", ()): "320"}
    assert "contribution.employer_rate" not in _missing(d)


def test_contribution_table_by_person_group_and_year(tmp_path):
    d = _draft(tmp_path, "宜昌市城镇居民医保缴费（虚构）\n二、缴费标准\n"
                         "(一)成年居民\n年满18周岁以上非从业居民,2023个人缴费300元,2024个人缴费350元。"
                         "其中属于低保对象的,2023个人缴费100元,2024个人缴费120元。\n"
                         "(二)中小学生\n在校学生2024每人个人缴费150元。属于低保对象的,个人不缴费。\n"
                         "(三)学龄前儿童\n学龄前儿童2023个人缴费80元,2024个人缴费90元。属于重度残疾的,免缴。\n"
                         "(四)三无人员\n“三无人员”2023、2024个人不缴费。\n", "宜昌", "城镇居民", 2024)
    got = _values(d)
    want = {"adult": "350", "adult_low_income": "120", "student": "150", "student_low_income": "0",
            "child": "90", "child_low_income": "0", "no_support": "0"}
    assert {k[1][0][1]: v for k, v in got.items() if k[0] == "contribution.individual"} == want
    # 2023: the student sentence names 2024 only, so the exemption after it is not 2023's either
    d23 = _draft(tmp_path, (tmp_path / "policy.txt").read_text(encoding="utf-8"), "宜昌", "城镇居民", 2023)
    got23 = {k[1][0][1]: v for k, v in _values(d23).items() if k[0] == "contribution.individual"}
    assert got23 == {"adult": "300", "adult_low_income": "100", "child": "80", "child_low_income": "0", "no_support": "0"}


def test_a_cap_written_in_brackets(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n(四)最高支付限额\n"
                         "全年最高支付限额为20万元(含特殊大病门诊最高支付限额8000元)。\n")
    got = _values(d)
    assert got[("annual_cap", ())] == "200000"
    assert got[("special.cap", ())] == "8000"
    assert next(v for v in d.values if v.param == "special.cap").quote == "全年最高支付限额为20万元(含特殊大病门诊最高支付限额8000元)"


def test_ratios_per_hospital_level_in_one_sentence(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、住院\n"
                         "在一级、二级、三级医院住院的,报销比例分别为90%、75%、50%。\n"
                         "起付线:一级医院200元、二级医院400元、三级医院700元。\n")
    got = _values(d)
    assert [got[("inpatient.ratio", (("level", n),))] for n in (1, 2, 3)] == ["0.9", "0.75", "0.5"]
    assert [got[("inpatient.deductible", (("level", n),))] for n in (1, 2, 3)] == ["200", "400", "700"]


def test_values_in_table_lines(tmp_path):
    assert table_cell("二级医院 · 起付线(元) · 600") == "二级医院 · 起付线 · 600元"
    assert table_cell("没有表格的句子(元) 600") == "没有表格的句子(元) 600"
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、住院待遇表\n"
                         "一级医院 · 起付线 · 150元。\n二级医院 · 起付线(元) · 450。\n三级医院 · 起付线 · 一千元。\n"
                         "一级医院 · 报销比例 · 85%。\n二级医院 · 报销比例(%) · 70。\n三级医院 · 报销比例 · 百分之五十五。\n")
    got = _values(d)
    assert [got[("inpatient.deductible", (("level", n),))] for n in (1, 2, 3)] == ["150", "450", "1000"]
    assert [got[("inpatient.ratio", (("level", n),))] for n in (1, 2, 3)] == ["0.85", "0.7", "0.55"]
    quote = next(v.quote for v in d.values if v.key == {"level": 2} and v.param == "inpatient.deductible")
    assert quote == "二级医院 · 起付线(元) · 450"  # the quote stays verbatim


def test_chinese_numerals_in_prose(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、住院\n住院起付线为三百元,报销比例为百分之七十。"
                         "年度最高支付限额为十二万元。\n二、异地\n在宜昌市外异地就医的,报销比例下降五个百分点。\n")
    got = _values(d)
    assert got[("inpatient.deductible", ())] == "300"
    assert got[("inpatient.ratio", ())] == "0.7"
    assert got[("annual_cap", ())] == "120000"
    assert {(e.target, e.op, e.value) for e in d.effects} == {("inpatient.ratio", "add", "-0.05")}


def test_values_stated_in_words(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、门诊\n普通门诊实行定额包干,每人每年150元定额报销,定额内不设报销比例。\n"
                         "慢性病门诊不设起付线,报销比例为65%。\n")
    got = _values(d)
    assert got[("general.quota", ())] == "150"
    assert got[("general.ratio", ())] == "1"
    assert got[("chronic.deductible", ())] == "0"
    assert got[("chronic.ratio", ())] == "0.65"
    assert all(v.interpretation for v in d.values if v.param in ("general.ratio", "chronic.deductible"))
    assert not any(v.interpretation for v in d.values if v.param in ("general.quota", "chronic.ratio"))


def test_a_number_after_another_parameters_cue_or_a_change_is_not_this_ones(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、慢病\n慢性病门诊不设起付线,年报销限额为1500元,"
                         "患两种以上的,每增加一种,年报销限额增加300元。\n")
    got = _values(d)
    assert got[("chronic.deductible", ())] == "0"  # not 1500: that follows 年报销限额
    assert got[("chronic.limit", ())] == "1500"  # not 300: that part states an increase
    assert got[("chronic.limit_per_extra_disease", ())] == "300"


def test_amounts_written_before_what_they_pay_for(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n三、生育\n参保孕产妇给予每人200元产前检查、800元住院分娩定额补助。\n")
    got = _values(d)
    assert got[("maternity.prenatal", ())] == "200"
    assert got[("maternity.delivery", ())] == "800"


def test_second_round_relief_and_its_caps(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保健康扶贫（虚构）\n一、再次补助\n"
                         "建档立卡贫困人口住院费用经基本医保和大病保险报销后的自付部分,按60%的比例再次补助,最高限额2万元;"
                         "特殊病种门诊自付部分按40%比例再次补助,最高限额3000元。\n")
    got = _values(d)
    assert got[("relief.inpatient_ratio", ())] == "0.6"
    assert got[("relief.inpatient_cap", ())] == "20000"
    assert got[("relief.special_ratio", ())] == "0.4"
    assert got[("relief.special_cap", ())] == "3000"
    assert "annual_cap" not in {k[0] for k in got}  # a relief cap is not the fund's yearly cap


def test_poverty_adjustments_of_outpatient_and_major_illness(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保健康扶贫（虚构）\n一、倾斜政策\n"
                         "对建档立卡贫困人口,普通门诊取消起付线,住院和普通门诊报销比例提高5%。"
                         "大病保险起付线降低一半以上的,按大病保险起付线降低50%执行(起付线8000×50%),全年共补偿300人次,补偿金额56.2万元。\n")
    effects = {(e.target, e.op, e.value) for e in d.effects}
    assert effects == {("general.deductible", "set", "0"), ("inpatient.ratio", "add", "0.05"),
                       ("general.ratio", "add", "0.05"), ("major_illness.deductible", "multiply", "0.5")}
    got = _values(d)
    assert got[("major_illness.deductible", ())] == "8000"  # the written-out computation's base
    assert "562000" not in got.values()  # a paid-out total is not a rule


def test_a_cell_stated_twice_differently_is_missing_not_chosen(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、住院\n住院起付线为500元。\n二、补充\n住院起付线为600元。\n")
    assert ("inpatient.deductible", ()) not in _values(d)
    assert any(m.param == "inpatient.deductible" and "500" in m.what and "600" in m.what for m in d.missing)


def test_an_employee_draft_renders_a_contribution_table_that_compiles(tmp_path):
    d = _draft(tmp_path, "荆州市职工基本医疗保险办法（虚构）\n"
                         "一、缴费\n用人单位缴费比例为职工工资总额的7%。职工个人缴费比例为本人工资的2%,退休人员个人不缴费。\n"
                         "本人工资高于上年度职工平均工资250%的,以平均工资的250%作为缴费基数;"
                         "低于上年度职工平均工资50%的,以平均工资的50%作为缴费基数。\n"
                         "二、个人账户\n职工个人缴费全部和单位缴费的25%记入个人账户。\n", "荆州", "职工", 2024)
    path = tmp_path / "test-draft.yaml"
    path.write_text(to_yaml(d), encoding="utf-8")
    policy = compile_rule_file(path)
    assert policy.contributions is not None and policy.contributions.kind == "employee_rates"


def test_a_group_contribution_draft_compiles_with_every_group(tmp_path):
    d = _draft(tmp_path, "宜昌市城镇居民医保缴费（虚构）\n二、缴费标准\n"
                         "(一)成年居民\n年满18周岁以上非从业居民,个人缴费350元。\n(二)三无人员\n“三无人员”个人不缴费。\n",
               "宜昌", "城镇居民", 2024)
    path = tmp_path / "test-draft.yaml"
    path.write_text(to_yaml(d), encoding="utf-8")
    policy = compile_rule_file(path)
    cells = policy.params["contribution.individual"].cells
    assert cells[("adult",)].value == 350 and cells[("no_support",)].value == 0
    assert cells[("student",)].status == "absent"  # not in the text: absent, never guessed


def test_one_value_for_every_level_of_a_list(tmp_path):
    d = _draft(tmp_path, "宜昌市城乡居民医保（虚构）\n一、住院\n一级、二级医院住院报销比例均为85%,三级医院报销比例为60%。\n")
    got = _values(d)
    assert [got[("inpatient.ratio", (("level", n),))] for n in (1, 2, 3)] == ["0.85", "0.85", "0.6"]


def test_only_a_qualifying_sentence_takes_the_years_of_the_one_before(tmp_path):
    text = ("宜昌市城乡居民医保（虚构）\n一、住院\n2024年度住院起付线为500元。\n"
            "二、说明\n2023年起付线为400元。住院报销比例为70%。\n"
            "三、缴费\n居民2023个人缴费300元。属于低保对象的,个人不缴费。\n四、实施\n2024年1月1日起施行,2024年度有效。\n")
    got = _values(_draft(tmp_path, text, year=2024))
    assert got[("inpatient.deductible", ())] == "500"  # 2023's 400 is not 2024's
    assert got[("inpatient.ratio", ())] == "0.7"  # undated, not a qualification: the base year's (2024)
    assert not any(k[0] == "contribution.individual" for k in got)  # 300 and its qualification are 2023's
