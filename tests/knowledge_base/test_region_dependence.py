"""The region-dependence features and threshold choice (knowledge_base/learned/region_dependence.py)."""

from types import SimpleNamespace

import numpy as np

from knowledge_base.learned.region_dependence import REGION_FEATURE_NAMES, choose_threshold, region_features, two_regions


def _clause(region, text, kind="rule"):
    return SimpleNamespace(region=region, text=text, kind=kind)


CLAUSES = [
    _clause("重庆", "住院起付线100元。"),
    _clause("重庆", "住院起付线300元。"),
    _clause(None, "工作报告提到起付线。", kind="report"),
    _clause("岳池县", "住院起付标准150元。"),
    _clause("岳池县", "住院起付线100元。"),
]


def _row(order, scores):
    return dict(zip(REGION_FEATURE_NAMES, region_features(CLAUSES, order, scores, 0.4, 0.9), strict=True))


def test_two_regions_rules_with_different_figures():
    row = _row([0, 2, 3, 1], [0.8, 0.5, 0.4, 0.1])
    assert row["rule_regions"] == 2 and row["top3_regions"] == 2
    assert row["second_region_score"] == 0.4 and row["second_region_rank"] == 2
    assert abs(row["second_region_ratio"] - 0.5) < 1e-9 and row["figures_differ"] == 1.0
    assert row["top1_is_rule"] == 1.0 and row["top1_untagged"] == 0.0


def test_one_region_or_the_same_figures():
    row = _row([0, 1, 2], [0.8, 0.5, 0.4])
    assert row["rule_regions"] == 1 and row["second_region_score"] == 0.0 and row["figures_differ"] == 0.0
    assert not two_regions(region_features(CLAUSES, [0, 1, 2], [0.8, 0.5, 0.4], 0.4, 0.9))
    same = _row([0, 4], [0.8, 0.7])
    assert same["rule_regions"] == 2 and same["figures_differ"] == 0.0
    # a report's region-less clause first
    assert _row([2, 0], [0.9, 0.8])["top1_untagged"] == 1.0


def test_threshold_is_the_one_whose_lifts_raise_the_dev_figures_most():
    # 0.95: 2 region-dependent lifted; 0.75: 4 more and 1 near-domain; 0.55: 1 more and 10 near-domain
    p = np.array([0.95] * 2 + [0.75] * 5 + [0.55] * 11)
    types = np.array(["ambiguous"] * 2 + ["ambiguous"] * 4 + ["no_basis"] + ["ambiguous"] + ["no_basis"] * 10)
    lifted = np.ones(len(p), dtype=bool)
    counts = {"ambiguous": 100, "no_basis": 100, "answerable": 1000}
    assert choose_threshold(p, types, lifted, counts) == 0.75  # 6/100 − 1/100 beats 2/100 and 7/100 − 11/100
    # a near-domain question weighs by its own kind's size: with a hundred times as many, 0.55 gains most
    assert choose_threshold(p, types, lifted, {**counts, "no_basis": 10000}) == 0.55
    # a refused answerable question lifted counts for the wrongly-refused figure
    assert choose_threshold(p, np.where(types == "no_basis", "answerable", types), lifted, counts) == 0.55
    # lifting may spend only the margin of near-domain refusals above the target: 0.55 un-refuses
    # 10/100 and 0.75 1/100
    assert choose_threshold(p, types, lifted, {**counts, "no_basis": 10000}, max_near=0.0005) == 0.75
    assert choose_threshold(p, types, lifted, counts, max_near=0.0) == 0.95
    # rows that may not be lifted (one region's rules) are not counted
    assert choose_threshold(p, types, np.zeros(len(p), dtype=bool), counts) is None


def test_no_threshold_when_lifting_only_loses():
    p = np.array([0.9, 0.8, 0.6])
    types = np.array(["no_basis", "no_basis", "ambiguous"])
    assert choose_threshold(p, types, np.array([True, True, False]), {"ambiguous": 10, "no_basis": 10}) is None
