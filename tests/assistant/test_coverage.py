"""What the calculators compute, read from the rule sets (assistant/coverage.py)."""

from dataclasses import dataclass

import pytest

from assistant import coverage
from assistant.coverage import outside_rule_sets, payers_computed
from assistant.estimate_bridge import CalculatorPort


@dataclass
class _Policy:
    contribution_kind: str | None


HELD = [_Policy("resident_flat"), _Policy("employee_rates"), _Policy(None)]


def test_bundled_rule_sets_declare_their_contribution_kinds():
    kinds = {p.contribution_kind for p in CalculatorPort.default().policies if p.contributions}
    assert kinds and kinds <= set(coverage.PAYERS_BY_KIND)
    assert payers_computed(CalculatorPort.default().policies) == {"resident", "employee"}


@pytest.mark.parametrize("text, reason", [
    ("惠民保一年交多少钱,跟医保报完还能再报吗", "other_insurance"),
    ("职工医保要交满多少年退休后才不用交", "duration"),
    ("医保要交几年才能退休不交", "duration"),
    ("打零工的灵活就业,医保一个月交多少钱", "payer"),
    ("我是个体户,自己交职工医保一个月多少", "payer"),
])
def test_premium_questions_the_rule_sets_do_not_compute(text, reason):
    found = outside_rule_sets(text, "contribution", HELD)
    assert found is not None and found.reason == reason


@pytest.mark.parametrize("text", [
    "重庆城乡居民医保一年交多少钱",
    "我是职工,月工资5000,医保一个月交多少",
    "交了十几年医保,退休了还要交吗",
    "这几年居民医保交多少",
    "2013年度二档交多少",
])
def test_premium_questions_the_rule_sets_compute(text):
    assert outside_rule_sets(text, "contribution", HELD) is None


def test_a_bill_is_outside_only_for_another_product():
    assert outside_rule_sets("重庆慢性病门诊花了3000能报多少", "estimate", HELD) is None
    assert outside_rule_sets("住院花了三年的积蓄,几年能报完", "estimate", HELD) is None
    assert outside_rule_sets("百万医疗险住院花了5万能报多少", "estimate", HELD).reason == "other_insurance"


def test_a_payer_is_inside_once_a_rule_set_computes_it(monkeypatch):
    monkeypatch.setitem(coverage.PAYERS_BY_KIND, "self_employed_rates", frozenset({"self_employed"}))
    text = "灵活就业人员医保一个月交多少"
    assert outside_rule_sets(text, "contribution", HELD).reason == "payer"
    assert outside_rule_sets(text, "contribution", [*HELD, _Policy("self_employed_rates")]) is None
