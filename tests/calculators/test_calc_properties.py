"""Property-based checks over every computable (policy, service): money is conserved, never
negative, never above the covered cost or the remaining cap, and monotone in the cost."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import calculators
from calculators.errors import CalcError

# One complete base request per computable (policy, service); the properties vary the amounts.
BASES = [
    {"policy": "cq-resident-2013", "service": "inpatient", "tier": 1, "hospital_level": 3, "person": {"category": "child", "major_disease": True}, "out_of_area": True, "referral": False},
    {"policy": "cq-resident-2013", "service": "inpatient", "tier": 2, "hospital_level": 1},
    {"policy": "cq-resident-2013", "service": "major_disease_outpatient", "tier": 2, "hospital_level": 2},
    {"policy": "cq-resident-2013", "service": "chronic_outpatient", "hospital_level": 1, "chronic_disease_count": 2},
    {"policy": "cq-resident-2013", "service": "general_outpatient", "carryover": "25", "continuous_enrollment": True},
    {"policy": "cq-resident-2013", "service": "maternity", "maternity_stage": "delivery"},
    {"policy": "yuechi-urban-resident-2009", "service": "inpatient", "hospital_level": 2, "admission_index": 2, "person": {"category": "student"}},
    {"policy": "yuechi-urban-resident-2009", "service": "inpatient", "hospital_level": 3, "out_of_area": True, "person": {"category": "adult"}},
    {"policy": "yuechi-urban-resident-2009", "service": "major_disease_outpatient"},
    {"policy": "cq-xinxing-hospital-employee-2013", "service": "inpatient", "person": {"retired": True}},
    {"policy": "hubei-employee-1999", "service": "inpatient", "local_avg_wage": "36000", "local_ratio": "0.85", "person": {"retired": False}},
]

amounts = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)
base_index = st.integers(min_value=0, max_value=len(BASES) - 1)


def _run(i: int, covered: Decimal, uncovered: Decimal = Decimal(0), ytd: Decimal = Decimal(0)):
    req = dict(BASES[i], covered_cost=str(covered), uncovered_cost=str(uncovered), ytd_reimbursed=str(ytd))
    return calculators.estimate(req)


@settings(max_examples=300, deadline=None)
@given(base_index, amounts, amounts, amounts)
def test_conservation_and_bounds(i, covered, uncovered, ytd):
    result = _run(i, covered, uncovered, ytd)
    reimbursed = Decimal(result.reimbursed)
    oop = Decimal(result.out_of_pocket)
    assert reimbursed >= 0
    assert oop >= 0
    assert reimbursed <= covered
    assert reimbursed + oop == covered + uncovered
    for share in result.breakdown.payers:
        assert Decimal(share.amount) >= 0


@settings(max_examples=300, deadline=None)
@given(base_index, amounts, amounts)
def test_monotone_in_cost(i, a, b):
    low, high = sorted((a, b))
    assert Decimal(_run(i, low).reimbursed) <= Decimal(_run(i, high).reimbursed)


@settings(max_examples=300, deadline=None)
@given(base_index, amounts, amounts)
def test_never_above_remaining_cap(i, covered, ytd):
    """The fund's payment never exceeds the first cap minus what was already paid this year."""
    result = _run(i, covered, ytd=ytd)
    cap_steps = [s for s in result.steps if s.label.endswith("剩余额度") or s.label.endswith("定额剩余")]
    fund = sum(Decimal(p.amount) for p in result.breakdown.payers if p.payer == "basic_fund")
    for step in cap_steps:
        assert fund <= Decimal(step.amount)


@settings(max_examples=200, deadline=None)
@given(amounts, amounts)
def test_relief_chain_bounds(covered, prior):
    req = {"policy": "guiyang-resident-poverty-2018", "service": "inpatient_poverty_relief",
           "covered_cost": str(covered), "prior_reimbursed": str(prior), "person": {"poverty": True}}
    if prior > covered:
        try:
            calculators.estimate(req)
        except CalcError as exc:
            assert exc.field == "prior_reimbursed"
            return
        raise AssertionError("prior above covered must be refused")
    result = calculators.estimate(req)
    relief = sum(Decimal(p.amount) for p in result.breakdown.payers if p.payer == "poverty_relief")
    assert 0 <= relief <= min(Decimal(30000), (covered - prior))
    assert Decimal(result.reimbursed) + Decimal(result.out_of_pocket) == covered


@settings(max_examples=200, deadline=None)
@given(base_index, amounts, amounts)
def test_amounts_are_two_decimal_strings(i, covered, uncovered):
    import re

    money = re.compile(r"^\d+\.\d{2}$")
    result = _run(i, covered, uncovered)
    b = result.breakdown
    values = [result.reimbursed, result.out_of_pocket, b.total_cost, b.covered_cost, b.uncovered]
    values += [v for v in (b.deductible, b.copay, b.above_cap) if v is not None]
    values += [p.amount for p in b.payers] + list(result.caps_used.values())
    assert all(money.match(v) for v in values), values
