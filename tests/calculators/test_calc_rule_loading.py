"""Load-time checks reject broken rule files; modifier conflicts are errors, not guesses."""

from __future__ import annotations

import textwrap

import pytest

from calculators.context import Context
from calculators.errors import CalcError, RuleFileError
from calculators.models import EstimateRequest
from calculators.modifiers import applicable_modifiers
from calculators.registry import compile_rule_file

BASE = """
id: t
title: 测试政策
region: 岳池县
scheme: 城乡居民
document: 004_02e12ab9ff262432.txt
periods:
  - {id: t-2020, title: 测试政策（2020）, year: 2020, start: 2020-01-01, end: 2020-12-31}
dimensions:
  level: [1, 2]
parameters:
  d:
    label: 起付线
    unit: CNY
    by: [level]
    values:
      - {level: 1, value: "100", source: {quote: "起付线100元"}}
      - {level: 2, value: "300", source: {quote: "起付线300元"}}
  r:
    label: 比例
    unit: ratio
    values:
      - {value: "%(ratio)s", source: {quote: "比例80%%"}}
  cap:
    label: 封顶
    unit: CNY
    values:
      - {value: "%(cap)s", source: {quote: "封顶1万元"}}
services:
  inpatient:
    kind: deductible_ratio_cap
    label: 住院
    deductible: d
    ratio: r
    caps: [{param: cap, pool: annual}]
modifiers: %(modifiers)s
"""


def _write(tmp_path, ratio="0.8", cap="10000", modifiers="[]", extra=""):
    path = tmp_path / "t.yaml"
    path.write_text(BASE % {"ratio": ratio, "cap": cap, "modifiers": modifiers} + extra, encoding="utf-8")
    return path


def test_valid_file_compiles(tmp_path):
    policy = compile_rule_file(_write(tmp_path))
    assert policy.params["d"].cells[(2,)].value == 300


def test_missing_cell_is_rejected(tmp_path):
    path = _write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('      - {level: 2, value: "300", source: {quote: "起付线300元"}}\n', ""), encoding="utf-8")
    with pytest.raises(RuleFileError, match="cells not defined"):
        compile_rule_file(path)


def test_ratio_above_one_is_rejected(tmp_path):
    with pytest.raises(RuleFileError, match="outside"):
        compile_rule_file(_write(tmp_path, ratio="1.2"))


def test_zero_cap_is_rejected(tmp_path):
    with pytest.raises(RuleFileError, match="positive or absent"):
        compile_rule_file(_write(tmp_path, cap="0"))


def test_bonus_pushing_ratio_above_one_is_rejected(tmp_path):
    mods = textwrap.dedent("""
      - id: bonus
        name: 加成
        order: 1
        services: [inpatient]
        when: {category: [student]}
        effects: [{target: r, op: add, value: "0.3"}]
        source: {quote: "上浮30%"}
    """)
    with pytest.raises(RuleFileError, match="leaves"):
        compile_rule_file(_write(tmp_path, ratio="0.8", modifiers=mods))


def test_unknown_target_and_duplicate_order_are_rejected(tmp_path):
    mods = textwrap.dedent("""
      - id: a
        name: A
        order: 1
        services: [inpatient]
        when: {}
        effects: [{target: nope, op: add, value: "1"}]
        source: {quote: "x1"}
    """)
    with pytest.raises(RuleFileError, match="not a parameter"):
        compile_rule_file(_write(tmp_path, modifiers=mods))
    mods = textwrap.dedent("""
      - {id: a, name: A, order: 1, services: [inpatient], when: {}, effects: [{target: d, op: add, value: "1"}], source: {quote: "x1"}}
      - {id: b, name: B, order: 1, services: [inpatient], when: {}, effects: [{target: d, op: add, value: "2"}], source: {quote: "x2"}}
    """)
    with pytest.raises(RuleFileError, match="orders must be distinct"):
        compile_rule_file(_write(tmp_path, modifiers=mods))


def test_two_setters_of_one_parameter_conflict(tmp_path):
    mods = textwrap.dedent("""
      - {id: a, name: 甲规则, order: 1, services: [inpatient], when: {poverty: true}, effects: [{target: d, op: set, value: "0"}], source: {quote: "免起付线"}}
      - {id: b, name: 乙规则, order: 2, services: [inpatient], when: {out_of_area: true}, effects: [{target: d, op: set, value: "500"}], source: {quote: "起付线500元"}}
    """)
    policy = compile_rule_file(_write(tmp_path, modifiers=mods))
    req = EstimateRequest(policy="t", service="inpatient", hospital_level=1, covered_cost="1000",
                          out_of_area=True, person={"poverty": True})
    with pytest.raises(CalcError) as info:
        applicable_modifiers(Context(req, policy, "inpatient"))
    assert info.value.field == "modifiers" and "规则冲突" in info.value.message
    # Only one applies: no conflict.
    req = EstimateRequest(policy="t", service="inpatient", hospital_level=1, covered_cost="1000",
                          out_of_area=False, person={"poverty": True})
    assert [m.id for m in applicable_modifiers(Context(req, policy, "inpatient"))] == ["a"]


def test_declared_conflict_is_an_error(tmp_path):
    mods = textwrap.dedent("""
      - {id: a, name: 甲规则, order: 1, services: [inpatient], when: {poverty: true}, effects: [{target: d, op: add, value: "-50"}], source: {quote: "甲规则"}, conflicts_with: [b]}
      - {id: b, name: 乙规则, order: 2, services: [inpatient], when: {out_of_area: true}, effects: [{target: d, op: add, value: "300"}], source: {quote: "乙规则"}}
    """)
    policy = compile_rule_file(_write(tmp_path, modifiers=mods))
    req = EstimateRequest(policy="t", service="inpatient", hospital_level=1, covered_cost="1000",
                          out_of_area=True, person={"poverty": True})
    with pytest.raises(CalcError, match="不能同时适用"):
        applicable_modifiers(Context(req, policy, "inpatient"))


def test_guiyang_poverty_modifiers_resolve_on_their_own_parameters():
    """桂阳's poverty rules: the major-illness deductible halves (10000 → 5000) and the
    outpatient deductible is set to 0, even though the basic ratios they sit next to are absent."""
    from calculators.modifiers import resolve
    from calculators.registry import get_policy

    policy = get_policy("guiyang-resident-poverty-2018")
    req = EstimateRequest(policy=policy.id, service="inpatient", covered_cost="1000", person={"poverty": True})
    ctx = Context(req, policy, "inpatient")
    assert resolve(ctx, "major_illness.deductible", applicable_modifiers(ctx)) == 5000
    req = EstimateRequest(policy=policy.id, service="inpatient", covered_cost="1000", person={"poverty": False, "low_income": True})
    ctx = Context(req, policy, "inpatient")
    assert resolve(ctx, "major_illness.deductible", applicable_modifiers(ctx)) == 5000
    req = EstimateRequest(policy=policy.id, service="inpatient", covered_cost="1000", person={"poverty": False, "low_income": False})
    ctx = Context(req, policy, "inpatient")
    assert resolve(ctx, "major_illness.deductible", applicable_modifiers(ctx)) == 10000
    req = EstimateRequest(policy=policy.id, service="general_outpatient", covered_cost="100", person={"poverty": True})
    ctx = Context(req, policy, "general_outpatient")
    assert resolve(ctx, "general.deductible", applicable_modifiers(ctx)) == 0
    with pytest.raises(CalcError, match="原文未规定"):
        resolve(ctx, "general.ratio", applicable_modifiers(ctx))


CHAIN = """
id: chain
title: 链式支付测试政策
region: 岳池县
scheme: 城乡居民
document: 004_02e12ab9ff262432.txt
periods:
  - {id: chain-2020, title: 链式支付测试政策（2020）, year: 2020, start: 2020-01-01, end: 2020-12-31}
parameters:
  d: {label: 起付线, unit: CNY, values: [{value: "100", source: {quote: "起付线100元"}}]}
  r: {label: 比例, unit: ratio, values: [{value: "0.5", source: {quote: "报销50%"}}]}
  mi_d: {label: 大病起付线, unit: CNY, values: [{value: "1000", source: {quote: "大病起付线1000元"}}]}
  mi_r: {label: 大病比例, unit: ratio, values: [{value: "0.6", source: {quote: "大病报销60%"}}]}
  a_r: {label: 救助比例, unit: ratio, values: [{value: "0.7", source: {quote: "救助70%"}}]}
  a_cap: {label: 救助限额, unit: CNY, values: [{value: "500", source: {quote: "救助限额500元"}}]}
services:
  inpatient:
    kind: deductible_ratio_cap
    label: 住院
    deductible: d
    ratio: r
    major_illness: {deductible: mi_d, ratio: mi_r}
    relief:
      - {payer: assistance, label: 医疗救助, ratio: a_r, cap: a_cap, pool: assistance, when: {poverty: true}}
"""


def test_payer_chain_each_stage_on_the_previous_remainder(tmp_path):
    """Hand-worked: covered 10000. Basic (10000-100)*50% = 4950, remainder 5050; major illness
    (5050-1000)*60% = 2430, remainder 2620; assistance 2620*70% = 1834 capped at 500.
    Reimbursed 4950+2430+500 = 7880, out of pocket 2120."""
    from calculators.engine import estimate_under

    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN, encoding="utf-8")
    policy = compile_rule_file(path)
    result = estimate_under(policy, {"policy": "chain", "service": "inpatient", "covered_cost": "10000",
                                     "person": {"poverty": True}})
    assert [(p.payer, p.amount) for p in result.breakdown.payers] == [
        ("basic_fund", "4950.00"), ("major_illness", "2430.00"), ("assistance", "500.00")]
    assert (result.reimbursed, result.out_of_pocket) == ("7880.00", "2120.00")
    assert result.caps_used["assistance"] == "500.00"
    # Not poor: no assistance stage.
    result = estimate_under(policy, {"policy": "chain", "service": "inpatient", "covered_cost": "10000",
                                     "person": {"poverty": False}})
    assert [p.payer for p in result.breakdown.payers] == ["basic_fund", "major_illness"]
    assert result.reimbursed == "7380.00"
    # Assistance already used this year: 300 of the 500 paid, 200 left.
    result = estimate_under(policy, {"policy": "chain", "service": "inpatient", "covered_cost": "10000",
                                     "person": {"poverty": True}, "ytd_by_pool": {"assistance": "300"}})
    assert result.breakdown.payers[-1].amount == "200.00"


_REQUIREMENT = """
requirements:
  - id: papers
    when: {%(flag)s: true}
    services: [%(service)s]
    text: 外伤需提供证明
    source: {quote: "外伤病人提供证明"}
"""


def test_a_requirement_shows_only_when_its_circumstance_is_told(tmp_path):
    from calculators.engine import estimate_under

    policy = compile_rule_file(_write(tmp_path, extra=_REQUIREMENT % {"flag": "injury", "service": "inpatient"}))
    case = {"policy": "t-2020", "service": "inpatient", "covered_cost": "5000", "hospital_level": 1}
    told = estimate_under(policy, {**case, "injury": True})
    assert [n.id for n in told.requirements] == ["papers"]
    assert told.requirements[0].source.quote == "外伤病人提供证明"
    # Not told, or told otherwise: nobody is asked for papers — and the figure is the same.
    for other in (case, {**case, "injury": False}):
        result = estimate_under(policy, other)
        assert result.requirements == []
        assert result.reimbursed == told.reimbursed


@pytest.mark.parametrize(("flag", "service"), [("poverty", "inpatient"), ("injury", "dental")])
def test_a_requirement_on_an_unknown_fact_or_service_is_rejected(tmp_path, flag, service):
    with pytest.raises(RuleFileError):
        compile_rule_file(_write(tmp_path, extra=_REQUIREMENT % {"flag": flag, "service": service}))
