"""Hand-computed worked examples (tests/calculators/worked_examples.yaml): the expected numbers
were worked out from the clauses on paper, and each case also checks that the trace cites the
clause it is about."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import calculators
from calculators.errors import CalcError
from knowledge_base.normalize import normalize_text
DATA = yaml.safe_load((Path(__file__).parent / "worked_examples.yaml").read_text(encoding="utf-8"))


def _cited(result) -> str:
    quotes = [s.quote for s in result.steps if s.quote] + [a.quote for a in result.assumptions if a.quote]
    quotes += [a.source.quote for a in result.assumptions if a.source]
    return "\n".join(normalize_text(q) for q in quotes)


def test_there_are_at_least_forty_worked_examples():
    assert len(DATA["estimates"]) + len(DATA["contributions"]) >= 40


@pytest.mark.parametrize("case", DATA["estimates"], ids=[c["id"] for c in DATA["estimates"]])
def test_estimate(case):
    result = calculators.estimate(case["request"])
    assert (result.reimbursed, result.out_of_pocket) == (case["r"], case["oop"]), case["hand"]
    if case.get("not_applied"):
        assert normalize_text(case["clause"]) not in _cited(result), "a modifier whose conditions fail must not apply"
    else:
        assert normalize_text(case["clause"]) in _cited(result), "the trace must cite the clause the case checks"
    total = Decimal(result.breakdown.total_cost)
    assert Decimal(result.reimbursed) + Decimal(result.out_of_pocket) == total
    assert sum(Decimal(p.amount) for p in result.breakdown.payers) == Decimal(result.reimbursed)


@pytest.mark.parametrize("case", DATA["contributions"], ids=[c["id"] for c in DATA["contributions"]])
def test_contribution(case):
    result = calculators.contribution(case["request"])
    for key in ("individual", "employer", "total", "personal_account", "pooled_fund"):
        if key in case:
            assert getattr(result, key) == case[key], key
    assert normalize_text(case["clause"]) in _cited(result)


@pytest.mark.parametrize("case", DATA["refusals"], ids=[c["id"] for c in DATA["refusals"]])
def test_refusal_names_what_is_missing(case):
    with pytest.raises(CalcError) as info:
        calculators.estimate(case["request"])
    assert info.value.field == case["field"]
    assert case["message_contains"] in info.value.message


def test_every_policy_and_service_has_a_worked_example():
    from calculators.registry import load_policies

    covered = {(c["request"]["policy"], c["request"]["service"]) for c in DATA["estimates"] + DATA["refusals"]}
    for policy in load_policies().values():
        for service in policy.services:
            assert (policy.id, service) in covered, (policy.id, service)
        if policy.contributions:
            assert any(c["request"]["policy"] == policy.id for c in DATA["contributions"]), policy.id


def test_every_modifier_is_exercised():
    from calculators.registry import load_policies

    applied = set()
    for case in DATA["estimates"]:
        result = calculators.estimate(case["request"])
        applied.update(s.label.split("：")[0] for s in result.steps)
    for policy in load_policies().values():
        for mods in policy.modifiers.values():
            for m in mods:
                if policy.id == "guiyang-resident-poverty-2018":
                    continue  # their base parameters are absent in the text; covered in test_calc_rule_loading.py
                assert m.name in applied, (policy.id, m.id)
