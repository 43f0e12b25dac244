"""Data lint of the rule files (runs in CI): units, bonus bounds, caps, quotes in the corpus."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calculators.registry import load_policies
from calculators.validator import check_policies

POLICIES = list(load_policies().values())


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_ratios_within_unit_interval(policy):
    for param in policy.params.values():
        if param.unit == "ratio":
            for cell in param.cells.values():
                if cell.status == "value":
                    assert Decimal(0) <= cell.value <= Decimal(1), (param.name, cell.value)


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_base_ratio_plus_bonus_at_most_one(policy):
    for mods in policy.modifiers.values():
        for m in mods:
            for e in m.effects:
                param = policy.params[e.target]
                if param.unit == "ratio" and e.op == "add":
                    for cell in param.cells.values():
                        if cell.status == "value":
                            assert Decimal(0) <= cell.value + e.value <= Decimal(1), (m.id, cell.value, e.value)


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_caps_positive_or_explicitly_absent(policy):
    for spec in policy.services.values():
        for cap in getattr(spec, "caps", []) or []:
            for cell in policy.params[cap.param].cells.values():
                assert cell.status == "absent" or cell.value > 0, cap.param
                if cell.status == "absent":
                    assert cell.missing, "an absent cap must say what is missing"


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_every_value_has_a_quote_with_a_number_or_a_stated_interpretation(policy):
    for name, param in policy.raw.parameters.items():
        for cell in param.values:
            assert cell.source.quote
            if cell.value is not None and Decimal(cell.value) != 0 and not any(ch.isdigit() for ch in cell.source.quote):
                assert cell.interpretation, (name, cell.source.quote)


def test_every_quote_found_in_the_corpus_and_its_clause():
    problems = check_policies()
    assert problems == [], "\n".join(f"{p.policy} {p.where}: {p.message} — {p.quote}" for p in problems)


def test_policies_cover_the_corpus_rule_sets():
    ids = {p.id for p in POLICIES}
    assert {"cq-resident-2013", "yuechi-urban-resident-2009", "yuechi-urban-resident-2010", "hubei-employee-1999",
            "cq-xinxing-hospital-employee-2013", "guiyang-resident-poverty-2018"} <= ids
