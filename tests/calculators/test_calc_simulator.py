"""Year simulator: running caps, once-a-year deductibles, automatic admission numbering.
Expected numbers are worked by hand in the comments."""

from __future__ import annotations

import pytest

import calculators
from calculators.errors import CalcError


def test_chongqing_year_caps_and_once_a_year_deductible():
    year = calculators.simulate_year({
        "policy": "cq-resident-2013", "tier": 1, "person": {"category": "adult"},
        "events": [
            {"service": "major_disease_outpatient", "hospital_level": 2, "covered_cost": "1000"},  # (1000-300)*60% = 420
            {"service": "major_disease_outpatient", "hospital_level": 3, "covered_cost": "1000"},  # due 800-300=500; 500*40% = 200
            {"service": "inpatient", "hospital_level": 3, "covered_cost": "200000"},  # 199200*40%=79680; cap 70000-620 = 69380
            {"service": "inpatient", "hospital_level": 1, "covered_cost": "1000"},  # cap exhausted: 0
            {"service": "chronic_outpatient", "hospital_level": 1, "covered_cost": "100"},  # own limit: 80
        ],
    })
    assert [e.result.reimbursed for e in year.events] == ["420.00", "200.00", "69380.00", "0.00", "80.00"]
    assert year.events[1].deductible_paid_ytd == {"major_outpatient": "800.00"}
    assert year.events[3].ytd_by_pool["annual"] == "70000.00"
    assert year.events[4].ytd_by_pool["chronic"] == "80.00"
    assert year.reimbursed == "70080.00"
    # total cost 203100; oop = 203100 - 70080
    assert year.out_of_pocket == "133020.00"


def test_yuechi_second_admission_numbered_automatically_and_special_subcap():
    year = calculators.simulate_year({
        "policy": "yuechi-urban-resident-2009", "person": {"category": "adult"},
        "events": [
            {"service": "inpatient", "hospital_level": 2, "covered_cost": "10000"},  # 9650*60% = 5790
            {"service": "inpatient", "hospital_level": 2, "covered_cost": "10000"},  # 2nd: 250; 9750*60% = 5850
            {"service": "major_disease_outpatient", "covered_cost": "3000"},  # 2650*60% = 1590
            {"service": "major_disease_outpatient", "covered_cost": "8000"},  # no deductible: 4800; sub-cap 5000-1590 = 3410
        ],
    })
    assert [e.result.reimbursed for e in year.events] == ["5790.00", "5850.00", "1590.00", "3410.00"]
    assert year.events[3].ytd_by_pool == {"annual": "16640.00", "special_outpatient": "5000.00"}
    assert year.events[3].deductible_paid_ytd == {"special_outpatient": "350.00"}


def test_general_outpatient_quota_runs_down():
    year = calculators.simulate_year({
        "policy": "cq-resident-2013", "tier": 2,
        "events": [{"service": "general_outpatient", "covered_cost": "35"}] * 3,  # 35, 25, 0
    })
    assert [e.result.reimbursed for e in year.events] == ["35.00", "25.00", "0.00"]


def test_events_cannot_override_year_state_and_errors_name_the_event():
    with pytest.raises(CalcError) as info:
        calculators.simulate_year({"policy": "cq-resident-2013", "tier": 1, "events": [
            {"service": "inpatient", "hospital_level": 1, "covered_cost": "100", "ytd_reimbursed": "5"}]})
    assert info.value.field == "events.0.ytd_reimbursed"
    with pytest.raises(CalcError) as info:
        calculators.simulate_year({"policy": "cq-resident-2013", "tier": 1, "events": [
            {"service": "inpatient", "hospital_level": 1, "covered_cost": "100"},
            {"service": "inpatient", "hospital_level": 9, "covered_cost": "100"}]})
    assert info.value.field == "events.1.hospital_level" and "第2个事件" in info.value.message
    with pytest.raises(CalcError):
        calculators.simulate_year({"policy": "cq-resident-2013", "tier": 1, "events": []})
