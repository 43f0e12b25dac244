"""The drafter proposes only what a sentence states, each value with its quote; everything else is
listed as missing. Its figures against the bundled rule sets are in docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from calculators.draft_eval import evaluate
from calculators.drafter import draft, to_yaml
from calculators.registry import compile_rule_file

DOC = Path(__file__).parent / "data" / "wuhan_resident_example.txt"


def test_values_with_quotes_from_a_new_regions_document():
    d = draft(str(DOC), "武汉", "城乡居民", 2024, "wuhan-resident")
    got = {(v.param, tuple(sorted(v.key.items()))): v.value for v in d.values}
    assert got[("inpatient.deductible", (("level", 2),))] == "500"
    assert got[("inpatient.ratio", (("level", 3),))] == "0.55"
    assert got[("annual_cap", ())] == "150000"  # 15万元
    assert got[("contribution.individual", ())] == "380"
    for v in d.values:
        assert v.quote in DOC.read_text(encoding="utf-8") and v.chunk_id
    assert {(e.target, e.op, e.value) for e in d.effects} == {("inpatient.deductible", "add", "200"), ("inpatient.ratio", "add", "-0.1")}
    # not in the text: listed as missing, never guessed; a resident draft does not list employee kinds
    missing = {m.param for m in d.missing}
    assert {"general.quota", "special.deductible", "special.ratio", "special.cap", "chronic.ratio", "chronic.limit",
            "maternity.prenatal", "relief.inpatient_ratio"} <= missing
    assert not missing & {v.param for v in d.values}
    assert not missing & {"contribution.employer_rate", "contribution.base_max"}


def test_values_of_another_year_are_not_proposed():
    d = draft("004_02e12ab9ff262432.txt", "岳池县", "城镇居民", 2010)
    assert not any(v.param.startswith("inpatient") for v in d.values)
    assert any("2010" in m.what for m in d.missing)


def test_unknown_region_is_a_clear_error():
    with pytest.raises(ValueError, match="地名表"):
        draft(str(DOC), "某某县", "城乡居民", 2024)


def test_draft_renders_as_a_rule_file_that_compiles(tmp_path):
    d = draft(str(DOC), "武汉市", "城乡居民", 2024, "wuhan-resident")
    path = tmp_path / "wuhan-resident.yaml"
    path.write_text(to_yaml(d), encoding="utf-8")
    policy = compile_rule_file(path)
    assert policy.region == "武汉市" and "inpatient" in policy.services


def test_drafter_on_the_bundled_rule_sets_meets_the_targets():
    """Issue 14: precision >= 95 %, recall >= 80 % (figures in docs/BENCHMARKS.md)."""
    total = evaluate().total()
    assert total.drafted > 0 and total.correct / total.drafted >= 0.95
    assert total.found / total.expected >= 0.80


def test_every_bundled_documents_draft_compiles(tmp_path):
    """Drafts with the new kinds (groups, wage shares, employee rates, words) still render as rule
    files the loader accepts."""
    from calculators.registry import load_policies

    for pid, policy in load_policies().items():
        d = draft(policy.raw.document, policy.raw.region, policy.raw.scheme, policy.year, f"d-{pid}")
        path = tmp_path / f"d-{pid}.yaml"
        path.write_text(to_yaml(d), encoding="utf-8")
        assert compile_rule_file(path).region == d.region
