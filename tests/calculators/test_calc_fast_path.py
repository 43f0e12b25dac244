"""The engine builds its results without re-validating them (calculators.trusted). These checks
hold it to what validation would have produced: a result re-validated from its own dump is equal
to it, with the same JSON (same keys, same order), and every model in it is of the declared type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import calculators
import calculators.registry
from calculators.errors import CalcError
from calculators.models import Breakdown, EstimateResult, PayerShare, Source, Step
from calculators.trusted import check_trustable

EXAMPLES = yaml.safe_load((Path(__file__).parent / "worked_examples.yaml").read_text(encoding="utf-8"))["estimates"]


def _assert_same_as_validated(result: EstimateResult) -> None:
    validated = EstimateResult.model_validate(result.model_dump())
    assert validated == result
    assert json.dumps(validated.model_dump(mode="json"), ensure_ascii=False) == json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    assert isinstance(result.breakdown, Breakdown)
    assert all(isinstance(p, PayerShare) for p in result.breakdown.payers)
    for step in result.steps:
        assert isinstance(step, Step)
        assert isinstance(step.amount, str) and isinstance(step.label, str) and isinstance(step.formula, str)
        assert step.source is None or isinstance(step.source, Source)
    assert {"policy", "service", "reimbursed", "out_of_pocket", "steps"} <= result.model_fields_set
    assert "disclaimer" not in result.model_fields_set  # a default, as validation would record it


@pytest.mark.parametrize("case", [c for c in EXAMPLES if "r" in c], ids=lambda c: c["id"])
def test_worked_example_result_equals_its_validated_copy(case):
    _assert_same_as_validated(calculators.estimate(case["request"]))


PAIRS = sorted((p.id, service) for p in calculators.registry.load_policies().values() for service in p.services)
REQUESTS = st.fixed_dictionaries(
    {
        "pair": st.sampled_from(PAIRS),
        "covered_cost": st.decimals(min_value=0, max_value=500_000, places=2).map(str),
    },
    optional={
        "hospital_level": st.integers(1, 3),
        "tier": st.integers(1, 2),
        "uncovered_cost": st.decimals(min_value=0, max_value=5_000, places=2).map(str),
        "ytd_reimbursed": st.decimals(min_value=0, max_value=200_000, places=2).map(str),
        "admission_index": st.integers(1, 3),
        "out_of_area": st.booleans(),
        "referral": st.booleans(),
        "chronic_disease_count": st.integers(1, 4),
        "maternity_stage": st.sampled_from(["prenatal", "delivery"]),
        "prior_reimbursed": st.decimals(min_value=0, max_value=1_000, places=2).map(str),
        "local_avg_wage": st.sampled_from(["36000", "52000.50"]),
        "local_ratio": st.sampled_from(["0.85", "0.9"]),
        "person": st.fixed_dictionaries({}, optional={
            "category": st.sampled_from(["adult", "student", "child", "elderly"]),
            "poverty": st.booleans(), "retired": st.booleans(), "major_disease": st.booleans(),
        }),
    },
)


@settings(max_examples=300, deadline=None)
@given(REQUESTS)
def test_any_result_equals_its_validated_copy(request):
    request["policy"], request["service"] = request.pop("pair")
    try:
        result = calculators.estimate(request)
    except CalcError:
        return
    _assert_same_as_validated(result)


def test_models_with_validators_are_refused():
    from calculators.models import EstimateRequest

    with pytest.raises(TypeError):
        check_trustable(EstimateRequest)  # has field validators: must be validated, never constructed


def test_unstated_person_equals_a_validated_empty_person():
    from calculators.models import EstimateRequest, Person, unstated_person

    fast, validated = unstated_person(), Person()
    assert fast == validated and fast.model_fields_set == validated.model_fields_set == set()
    assert fast.model_dump() == validated.model_dump()
    req = EstimateRequest.model_validate({"policy": "p", "service": "inpatient"})
    assert req.person == Person() and req.person is not EstimateRequest.model_validate({"policy": "p", "service": "x"}).person
    req.person.category = "adult"  # a default is never shared between requests
    assert unstated_person().category is None
