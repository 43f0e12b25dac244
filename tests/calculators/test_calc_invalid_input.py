"""Bad requests fail with a CalcError naming the field, in Chinese, and produce no result."""

from __future__ import annotations

import math

import pytest

import calculators
from calculators.errors import CalcError

OK = {"policy": "cq-resident-2013", "service": "inpatient", "tier": 1, "hospital_level": 2, "covered_cost": "10000"}


def _err(**changes) -> CalcError:
    req = dict(OK)
    for k, v in changes.items():
        if v is ...:
            req.pop(k)
        else:
            req[k] = v
    with pytest.raises(CalcError) as info:
        calculators.estimate(req)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message), "message must be Chinese"
    return info.value


@pytest.mark.parametrize("value,needle", [
    ("-1", "负数"), ("NaN", "有限"), ("Infinity", "有限"), ("-inf", "有限"), (math.nan, "有限"), (math.inf, "有限"),
    ("1e20", "过大"), ("100000001", "过大"), ("12.345", "两位小数"), ("abc", "不是有效的金额"), (True, "应为文本或数字"), ("", "不是有效的金额"),
])
def test_bad_amounts(value, needle):
    err = _err(covered_cost=value)
    assert err.field == "covered_cost"
    assert needle in err.message


def test_numbers_are_accepted_as_amounts():
    assert calculators.estimate(dict(OK, covered_cost=10000)).reimbursed == "5820.00"
    assert calculators.estimate(dict(OK, covered_cost=10000.5)).reimbursed == "5820.30"


def test_negative_uncovered_and_ytd():
    assert _err(uncovered_cost="-5").field == "uncovered_cost"
    assert _err(ytd_reimbursed="-5").field == "ytd_reimbursed"


def test_unknown_policy_lists_known_ones():
    err = _err(policy="nowhere-2099")
    assert err.field == "policy" and "cq-resident-2013" in err.message


def test_unknown_service_lists_available_ones():
    err = _err(service="dental")
    assert err.field == "service" and "inpatient" in err.message


@pytest.mark.parametrize("level", [0, 4, -1])
def test_unknown_level(level):
    err = _err(hospital_level=level)
    assert err.field == "hospital_level" and "1、2、3" in err.message


def test_non_integer_level_and_tier():
    assert _err(hospital_level="二级").field == "hospital_level"
    assert _err(hospital_level=True).field == "hospital_level"
    assert _err(tier=3).field == "tier"


def test_missing_required_fields():
    assert _err(covered_cost=...).field == "covered_cost"
    assert _err(hospital_level=...).field == "hospital_level"
    err = _err(tier=...)
    assert err.field == "tier" and "缺少" in err.message


def test_unknown_field_and_bad_person():
    assert _err(coverd_cost="1").field == "coverd_cost"
    assert _err(person={"category": "alien"}).field == "person.category"


def test_absurd_chronic_count_and_admission_index():
    req = {"policy": "cq-resident-2013", "service": "chronic_outpatient", "hospital_level": 1, "covered_cost": "3000"}
    with pytest.raises(CalcError) as info:
        calculators.estimate(dict(req, chronic_disease_count=0))
    assert info.value.field == "chronic_disease_count"
    yc = {"policy": "yuechi-urban-resident-2009", "service": "inpatient", "hospital_level": 2, "covered_cost": "1000",
          "person": {"category": "adult"}, "admission_index": 0}
    with pytest.raises(CalcError) as info:
        calculators.estimate(yc)
    assert info.value.field == "admission_index"


def test_local_ratio_out_of_range():
    req = {"policy": "hubei-employee-1999", "service": "inpatient", "covered_cost": "1000", "local_avg_wage": "30000",
           "local_ratio": "85", "person": {"retired": False}}
    with pytest.raises(CalcError) as info:
        calculators.estimate(req)
    assert info.value.field == "local_ratio" and "0到1" in info.value.message


def test_request_must_be_an_object():
    with pytest.raises(CalcError) as info:
        calculators.estimate(["not", "a", "dict"])  # type: ignore[arg-type]
    assert info.value.field == "request"


def test_contribution_errors():
    with pytest.raises(CalcError) as info:
        calculators.contribution({"policy": "cq-xinxing-hospital-employee-2013"})
    assert info.value.field == "policy"
    with pytest.raises(CalcError) as info:
        calculators.contribution({"policy": "hubei-employee-1999", "wage": "1000", "person": {"retired": False}})
    assert info.value.field == "local_avg_wage"
    with pytest.raises(CalcError) as info:
        calculators.contribution({"policy": "yuechi-urban-resident-2010", "person": {"category": "student", "low_income": False, "no_support": False}})
    assert "2010年中小学生" in info.value.message
